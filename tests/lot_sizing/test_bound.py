"""The reported bound: the best valid one of any phase, never above a proven optimum, and
never useless when no LP fitted in the time (the unavoidable-cost floor)."""

from __future__ import annotations

from typing import Any

import pytest
from optikit_highs.backend import HighsBackend
from optikit_lotsizing import bounds, heuristic
from optikit_lotsizing.cuts import CutLoop
from optikit_lotsizing.generator import generate
from optikit_lotsizing.model import LotSizingProblem

from optikit.paradigms import HintedModel, LinearModel, LinearResult
from optikit.registry import Registry
from optikit.types import SolveContext, Status
from tests.lot_sizing.conftest import load, run, two_items


def parsed(registry: Registry, document: dict[str, Any]) -> LotSizingProblem:
    problem = load(registry, document).problem
    assert isinstance(problem, LotSizingProblem)
    return problem


def test_unavoidable_cost_by_hand(registry: Registry) -> None:
    """A: 90 units to make, one setup at least (50); B: 90 consumed less 30 on hand, bought
    at 1.5 at best with one order (5): 95.  Nothing must be held (A has no stock)."""
    assert bounds.unavoidable_cost(parsed(registry, two_items())) == pytest.approx(145.0)


def test_best_bound_skips_missing_and_infinite() -> None:
    assert bounds.best_bound([(None, "a"), (float("-inf"), "b"), (3.0, "c"), (2.0, "d")]) \
        == (3.0, "c")
    assert bounds.best_bound([(None, "a")]) == (None, None)


@pytest.mark.parametrize(("size", "seed"), [("tiny", 0), ("tiny", 1), ("small", 3)])
def test_bound_never_above_the_proven_optimum(registry: Registry, size: str, seed: int
                                              ) -> None:
    """On generated instances solved to a proof, every bound (the floor too) stays at or
    below the checker's cost of the optimal plan."""
    document = generate(seed, size)
    out = run(registry, document, "fl", gap=0.0).document
    assert out["status"] == "optimal" and out["check"]["feasible"]
    objective = out["check"]["objective"]
    floor = bounds.unavoidable_cost(parsed(registry, document))
    assert 0.0 <= floor <= objective * (1 + 1e-9) + 1e-6
    assert out["bound"] <= objective * (1 + 1e-6) + 1e-6
    assert out["stats"]["bound_source"] in {bounds.MILP, bounds.UNAVOIDABLE,
                                            *bounds.LP_STATS.values()}


def test_no_lp_in_time_still_reports_a_useful_bound(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """The large-instance failure on a tiny model: the cut loop gets no LP and the MILP
    stops with a useless dual bound (SCIP's negative figure); the floor is reported."""
    reference = run(registry, two_items(), "bigm").document["objective"]

    def no_lp(*args: Any, **kwargs: Any) -> CutLoop:
        return CutLoop({"cut_rounds": 0.0, "cuts": 0.0, "cuts_kept": 0.0}, None, None)

    real = HighsBackend.solve

    def stopped_milp(self: HighsBackend, model: LinearModel, ctx: SolveContext
                     ) -> LinearResult:
        if isinstance(model, HintedModel):
            return LinearResult(Status.UNKNOWN, bound=-3292.0, message="time limit")
        return real(self, model, ctx)

    monkeypatch.setattr(heuristic, "strengthen", no_lp)
    monkeypatch.setattr(HighsBackend, "solve", stopped_milp)
    out = run(registry, two_items(), "fl").document
    assert out["check"]["feasible"] and out["status"] == "feasible"
    assert out["stats"]["bound_source"] == bounds.UNAVOIDABLE
    assert 0.0 < out["bound"] == pytest.approx(145.0)
    assert out["bound"] <= reference


def test_capacity_forces_more_setups(registry: Registry) -> None:
    """A made-only item needing more than one period's capacity (with overtime) pays a
    setup in each of the periods it needs."""
    document = two_items()
    document["resources"][0]["overtime"] = {"max": 0, "cost": 2}
    document["items"][0]["demand"] = [0, 0, 170]
    document["items"][0]["components"] = []
    problem = parsed(registry, document)
    # 90 units per period at most (100 minutes less a 10-minute setup): two setups
    assert bounds.setups_needed(problem, 0, 170.0) == 2
    assert bounds.setups_needed(problem, 0, 90.0) == 1
