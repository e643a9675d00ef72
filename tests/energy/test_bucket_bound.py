"""The time-bucket relaxation's bound never exceeds a proven optimum (and is not trivial)."""

from __future__ import annotations

import pytest
from optikit_energy import bucket_bound
from optikit_energy.generator import generate

from optikit.types import SolveContext, SolveOptions
from tests.energy.conftest import (
    TOY_FULL,
    TOY_FULL_OPTIMUM,
    TOY_PROCESSING,
    TOY_PROCESSING_OPTIMUM,
    load,
    read,
    run,
    tiny_shop,
)

# Optima proven by both the time-indexed MILP (HiGHS) and CP-SAT (benchmarks/energy.yaml,
# benchmarks/energy/results/before.sqlite).
GENERATED_OPTIMA = {("tiny", 1): 77.6099, ("small", 1): 99.6551}


def _bounds(registry, document):  # type: ignore[no-untyped-def]
    problem = load(registry, document).problem
    ctx = SolveContext(SolveOptions(time_limit=10, threads=1),
                       backends=registry.available_backend)
    lp = bucket_bound.lower_bound(problem, ctx, 3.0, integer=False)
    milp = bucket_bound.lower_bound(problem, ctx, 3.0, integer=True)
    return lp, milp


@pytest.mark.parametrize(("document", "optimum"), [
    (read(TOY_FULL), TOY_FULL_OPTIMUM),
    (read(TOY_PROCESSING), TOY_PROCESSING_OPTIMUM),
    *((generate(seed, size), value) for (size, seed), value in GENERATED_OPTIMA.items()),
], ids=["toy_full", "toy_processing", *(f"{s}-{n}" for s, n in GENERATED_OPTIMA)])
def test_bound_never_exceeds_a_proven_optimum(registry, document, optimum) -> None:
    lp, milp = _bounds(registry, document)
    assert lp is not None and milp is not None
    tol = 1e-7 * abs(optimum)
    assert lp.value <= optimum + tol
    assert milp.value <= optimum + tol
    # Not a trivial bound either: within a few per cent of the optimum here.
    assert lp.value >= 0.9 * optimum
    assert milp.value >= lp.value - tol


@pytest.mark.parametrize("make", [lambda: generate(4, "tiny"), tiny_shop],
                         ids=["fresh-tiny", "switching-shop"])
def test_bound_below_optimum_solved_here(registry, make) -> None:
    """CP-SAT proves the optimum here (a fresh tiny instance; a shop with an always-on and
    a switchable machine, for the idle and start-up terms); the bounds stay below it."""
    document = make()
    doc = run(registry, document, time_limit=10, baseline="false").document
    assert doc["status"] == "optimal"
    lp, milp = _bounds(registry, document)
    assert lp is not None and milp is not None
    assert max(lp.value, milp.value) <= doc["objective"] * (1 + 1e-7)


def test_side_milp_bound_stays_below_the_optimum(registry) -> None:
    """HiGHS on the time-indexed model in a side thread (as the cpsat run starts it)."""
    from optikit_energy import side_solve, timeindexed

    problem = load(registry, read(TOY_FULL)).problem
    ctx = SolveContext(SolveOptions(time_limit=10, threads=2),
                       backends=registry.available_backend)
    side = side_solve.start(ctx, timeindexed.build(problem).model, 5.0)
    assert side is not None
    side.finish(cancel=False)
    bound = side.safe_bound()
    assert bound is not None and bound <= TOY_FULL_OPTIMUM
    assert side_solve.describe(side)["error"] is None
