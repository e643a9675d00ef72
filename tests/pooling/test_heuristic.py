"""The alternating-LP multi-start and the pieces it is built from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from optikit_pooling.generator import generate
from optikit_pooling.lp import alternate, multistart, solve_flows
from optikit_pooling.pq import normalised_shares

from optikit.problem_io import LoadedProblem
from optikit.runner import SolveResult
from optikit.types import SolveContext, SolveOptions
from tests.pooling.conftest import SAMPLES, instance


def _ctx(registry: Any) -> SolveContext:
    return SolveContext(SolveOptions(time_limit=30.0, threads=1), backends=registry.backends.get)


def test_shares_respect_fractions(haverly1: dict[str, Any],
                                  load: Callable[[dict[str, Any]], LoadedProblem]) -> None:
    haverly1["arcs"][0]["fraction"] = 0.3  # c1 at most 30 % of o1
    problem = load(haverly1).problem
    shares = normalised_shares(problem, np.array([5.0, 1.0]))
    assert shares == pytest.approx([0.3, 0.7])
    assert normalised_shares(problem, np.zeros(2)) == pytest.approx([0.3, 0.7])


def test_flow_lp_at_fixed_compositions_is_exact(registry: Any, load: Callable[..., Any]) -> None:
    problem = load(instance("haverly1")).problem
    found = solve_flows(problem, registry.backends["highs"], _ctx(registry), np.array([0.0, 1.0]))
    assert found is not None and found.profit == pytest.approx(400.0)
    local = solve_flows(problem, registry.backends["highs"], _ctx(registry), np.array([1.0, 0.0]))
    assert local is not None and local.profit == pytest.approx(100.0)


def test_alternating_from_a_trap_stays_in_it(registry: Any, load: Callable[..., Any]) -> None:
    """Alternating LPs are a local method too: from a pool of pure c1 they cannot leave."""
    problem = load(instance("haverly1")).problem
    found = alternate(problem, registry.backends["highs"], _ctx(registry), np.array([1.0, 0.0]))
    assert found is not None and found.profit == pytest.approx(100.0)


def test_multistart_is_seeded_and_finds_the_global_optimum(
    registry: Any, load: Callable[..., Any]
) -> None:
    problem = load(instance("haverly1")).problem
    runs = [multistart(problem, registry.backends["highs"], _ctx(registry), starts=10, seed=4,
                       budget=20.0) for _ in range(2)]
    assert runs[0][0] is not None and runs[1][0] is not None
    assert runs[0][0].profit == pytest.approx(400.0, rel=1e-6)
    assert runs[0][0].profit == runs[1][0].profit


def test_pq_reports_at_least_the_heuristic(run: Callable[..., SolveResult]) -> None:
    document = run(generate(2, "small")).document
    assert document["status"] == "optimal"
    assert document["objective"] >= document["stats"]["heuristic_profit"] - 1e-6


#: The refinery sample's global optimum, proven by pq on SCIP (test_formulations).
REFINERY_OPTIMUM = 2424.2318


def test_mccormick_bounds_the_mixed_integer_sample(run: Callable[..., SolveResult]) -> None:
    relaxed = run(SAMPLES / "refinery_gasoline_diesel.yaml", solver="highs",
                  extra={"segments": 2}).document
    assert relaxed["formulation"] == "mccormick"
    assert relaxed["bound"] >= REFINERY_OPTIMUM * (1 - 1e-6)
    assert relaxed["objective"] <= REFINERY_OPTIMUM * (1 + 1e-6)
