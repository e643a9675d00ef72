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


def _bounds(registry, document):
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


def _bound(registry, problem, relaxation: str, integer: bool):
    ctx = SolveContext(SolveOptions(time_limit=30, threads=1),
                       backends=registry.available_backend)
    found = bucket_bound.lower_bound(problem, ctx, 20.0, integer=integer, relaxation=relaxation)
    assert found is not None and found.status == "optimal", found
    assert found.relaxation == relaxation
    return found.value


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_stronger_relaxations_stay_below_the_optimum_and_above_the_classic(registry,
                                                                          seed) -> None:
    """Generated tiny instances whose optimum CP-SAT proves here: every relaxation stays
    below it; the default's LP is strictly tighter than the classic LP (its idle row), and
    the non-preemptive MILP strictly tighter than the preemptive one (within 0.1 % of the
    optimum on these, where the preemptive MILP is 0.7-1.5 % below)."""
    from optikit_energy.bucket_bound import CLASSIC, NON_PREEMPTIVE, PREEMPTIVE

    document = generate(seed, "tiny")
    doc = run(registry, document, time_limit=10, baseline="false").document
    assert doc["status"] == "optimal"
    optimum = doc["objective"]
    tol = 1e-7 * optimum
    problem = load(registry, document).problem
    lp = {r: _bound(registry, problem, r, False) for r in (CLASSIC, PREEMPTIVE)}
    milp = {r: _bound(registry, problem, r, True) for r in (CLASSIC, PREEMPTIVE, NON_PREEMPTIVE)}
    assert max(*lp.values(), *milp.values()) <= optimum + tol
    assert lp[PREEMPTIVE] > lp[CLASSIC] + 1e-3 * optimum
    assert milp[PREEMPTIVE] >= milp[CLASSIC] - tol
    assert milp[NON_PREEMPTIVE] > milp[PREEMPTIVE] + 1e-3 * optimum
    assert milp[NON_PREEMPTIVE] >= 0.999 * optimum


def test_non_preemptive_rows_keep_calendar_machines_preemptive(registry) -> None:
    """Modes on machines with a calendar get no start-bucket rows (their operations may
    pause, or must fit a working window): the bound stays below the proven optimum."""
    from optikit_energy.bucket_bound import NON_PREEMPTIVE

    document = generate(0, "tiny", calendars="one-shift")
    doc = run(registry, document, time_limit=10, baseline="false").document
    assert doc["status"] == "optimal"
    problem = load(registry, document).problem
    value = _bound(registry, problem, NON_PREEMPTIVE, True)
    assert value <= doc["objective"] * (1 + 1e-7)


def test_start_pattern_overlaps() -> None:
    """Least and largest units of a 3-unit operation in each bucket, per start bucket."""
    import numpy as np
    from optikit_energy.bucket_starts import start_pattern

    starts, ends = np.array([0, 4, 6]), np.array([4, 6, 10])
    pattern = start_pattern(starts, ends, np.arange(3), 3, 1, 7)
    assert pattern is not None
    # starts 1-3 in bucket 0, 4-5 in bucket 1, 6-7 in bucket 2
    assert pattern.start_buckets.tolist() == [0, 1, 2]
    assert pattern.least.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 3]]
    assert pattern.most.tolist() == [[3, 2, 0], [0, 2, 2], [0, 0, 3]]
    assert start_pattern(starts, ends, np.arange(3), 3, 5, 4) is None


def test_precedence_rows_cut_a_successor_that_starts_too_early() -> None:
    """Buckets [0,3) [3,6) [6,9); a (3 units) starts in bucket 0 or 1, c after it in 1 or 2.
    a started in bucket 1 ends at 6 at the earliest, so c cannot start in bucket 1; a
    started in bucket 0 ends by 5, so it can."""
    import numpy as np
    from optikit_energy.bucket_starts import ModeStarts, add_precedence_rows

    from optikit.paradigms import LinearModelBuilder

    bld = LinearModelBuilder("min")
    cols = bld.add_columns(6, upper=1.0)  # u_a[0], u_a[1], u_c[1], u_c[2], x_a, x_c
    a = ModeStarts(int(cols[4]), 3, np.array([0, 1]), np.asarray(cols[:2], dtype=np.int64))
    c = ModeStarts(int(cols[5]), 2, np.array([1, 2]), np.asarray(cols[2:4], dtype=np.int64))
    add_precedence_rows(bld, np.array([0, 3, 6]), np.array([3, 6, 9]), [a], [c])
    model = bld.build()

    def point(a_bucket: int, c_bucket: int) -> np.ndarray:
        x = np.zeros(6)
        x[a_bucket] = x[2 + c_bucket - 1] = x[4] = x[5] = 1.0
        return x

    assert model.is_feasible(point(0, 1))
    assert model.is_feasible(point(1, 2))
    assert not model.is_feasible(point(1, 1))
