"""Several periods: optikit's start for SCIP, SLP over periods, per-period marginal values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from optikit_pooling.generator import generate
from optikit_pooling.mp_flows import flow_lp, replayed_shares
from optikit_pooling.mp_heuristic import multistart, start_shares

from optikit.problem_io import LoadedProblem
from optikit.runner import SolveResult
from optikit.types import SolveContext, SolveOptions
from tests.pooling.test_periods import SAMPLE, SAMPLE_OPTIMUM


def _ctx(registry: Any, limit: float = 20.0) -> SolveContext:
    return SolveContext(SolveOptions(time_limit=limit, threads=1), backends=registry.backends.get)


def test_start_shares_fill_tanks_and_replay_round_trips(
    registry: Any, load: Callable[[dict[str, Any]], LoadedProblem],
) -> None:
    problem = load(generate(3, "small:3")).problem
    highs = registry.backends["highs"]
    for how in ("stock", "uniform", "first", "random"):
        shares = start_shares(problem, how, np.random.default_rng(0))
        for pool in range(len(problem.pool_ids)):
            for t in range(3):
                row = [v for (p, _, tt), v in shares.items() if p == pool and tt == t]
                assert sum(row) == pytest.approx(1.0)
    held = flow_lp(problem, highs, _ctx(registry), start_shares(problem, "stock",
                                                                np.random.default_rng(0)))
    assert held is not None  # holding the opening stocks, buying nothing, is feasible here
    again = flow_lp(problem, highs, _ctx(registry), replayed_shares(problem, held.flows))
    assert again is not None and again.profit >= held.profit - 1e-6


def test_multistart_start_is_checked_and_pq_is_never_worse(
    registry: Any, load: Callable[[dict[str, Any]], LoadedProblem],
    run: Callable[..., SolveResult],
) -> None:
    document = generate(2, "small:3")
    problem = load(document).problem
    best, stats = multistart(problem, registry.backends["highs"], _ctx(registry), starts=2,
                             seed=0, budget=None)
    assert best is not None and stats["relaxation_bound"] >= best.profit - 1e-6
    doc = run(document, time_limit=6.0, extra={"starts": 2}).document
    assert doc["check"]["feasible"]
    start = doc["stats"].get("heuristic_profit")  # (none if a loaded machine ran out of time)
    assert start is None or doc["objective"] >= start - 1e-6
    assert doc["bound"] is None or doc["bound"] >= doc["objective"] - 1e-6


def test_slp_runs_over_periods_with_local_marginal_values(
    run: Callable[..., SolveResult],
) -> None:
    doc = run(SAMPLE, solver="highs", formulation="slp").document
    assert doc["status"] == "feasible" and doc["check"]["feasible"]
    assert doc.get("bound") is None
    assert doc["objective"] <= SAMPLE_OPTIMUM + 1e-6
    values = doc["analysis"]["marginal_values"]
    assert values["periods"] == ["week1", "week2", "week3"]
    assert "local" in values["method"]
    assert all(len(row) == 3 for row in values["inputs"].values())
