"""The constructed start pays every setup time in full: the independent checker accepts
it (single-level and multi-level with suppliers), its point of the model prices it as the
checker does, and ``fl`` hands it to the MILP where the LP roundings give nothing (the
generated medium instances)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from optikit_lotsizing import heuristic
from optikit_lotsizing.checker import check
from optikit_lotsizing.construct import backward_plan
from optikit_lotsizing.formulation import payload, plan
from optikit_lotsizing.generator import _single_level, generate
from optikit_lotsizing.linear import LotModel, build
from optikit_lotsizing.model import LotSizingProblem, parse
from optikit_lotsizing.startpoint import start_vector

from optikit.paradigms import LinearResult
from optikit.registry import Registry
from tests.lot_sizing.conftest import run


@pytest.mark.parametrize(("size", "seed"), [("medium", 1), ("medium", 2), ("medium", 3),
                                          ("tiny", 1), ("tiny", 2)])
def test_constructed_plan_is_feasible_with_full_setup_times(size: str, seed: int) -> None:
    problem = parse(generate(seed, size))
    built = backward_plan(problem)
    assert built is not None
    report = check(problem, payload(problem, built.make, built.orders))
    assert report.feasible, report.violations
    point = start_vector(problem, build(problem, strong=False), built)
    assert point is not None and point.objective == pytest.approx(report.objective)
    if size == "medium":  # merging lots saved setups: fewer than one per demand
        assert (built.make > 0).sum() < (problem.demand > 0).sum()


def test_a_point_that_misses_a_row_is_never_a_start() -> None:
    problem = parse(generate(1, "tiny"))
    built = backward_plan(problem)
    assert built is not None
    built.make[built.make > 0] *= 0.5  # short of demand: a balance row fails
    assert start_vector(problem, build(problem, strong=False), built) is None


def test_overtime_is_used_only_when_regular_capacity_is_short() -> None:
    doc = generate(1, "small")
    doc["resources"][0]["overtime"] = {"max": 10_000, "cost": 1}
    doc["resources"][0]["capacity"] = 1  # nothing fits in regular time
    problem = parse(doc)
    built = backward_plan(problem)
    assert built is not None
    report = check(problem, payload(problem, built.make, built.orders))
    assert report.feasible and report.figures["costs"]["overtime"] > 0


def test_fl_starts_from_it_when_the_roundings_fail(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """A medium-like (single machine, setup times, 80 % load) small instance whose LP
    roundings and LP-guided start are made to fail: the MILP still gets a start, and the
    checker accepts it."""
    starts: list[tuple[LotSizingProblem, LotModel, LinearResult | None]] = []
    real = heuristic.finish

    def keep_start(problem: LotSizingProblem, lm: LotModel, full: LinearResult,
                   best: LinearResult | None, *args: Any) -> Any:
        starts.append((problem, lm, best))
        return real(problem, lm, full, best, *args)

    monkeypatch.setattr(heuristic, "round_lp", lambda *a, **k: None)
    monkeypatch.setattr(heuristic, "guided_start", lambda *a, **k: None)
    monkeypatch.setattr(heuristic, "finish", keep_start)
    rng = np.random.default_rng(7)
    doc = {"type": "lot-sizing", "name": "medium-like", **_single_level(rng, 6, 8)}
    doc = run(registry, doc, "fl", time_limit=10.0).document
    assert doc["check"]["feasible"]
    assert "constructive" in doc["stats"] and "rounded_LP" not in doc["stats"]
    (problem, lm, best), = starts
    assert best is not None and best.x is not None
    start = check(problem, payload(problem, *plan(problem, lm, best.x)))
    assert start.feasible and start.objective is not None
    assert start.objective <= doc["stats"]["constructive"] + 1e-6
    assert doc["objective"] <= start.objective + 1e-6
