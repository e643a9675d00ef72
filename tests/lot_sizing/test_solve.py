"""Solving: F1's known optimum with fl and bigm, the native sample, rf's status rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from optikit_lotsizing.reader import read_clsp

from optikit.registry import Registry
from optikit.runner import check_solution
from tests.lot_sizing.conftest import SAMPLES, load, run, two_items

F1_OPTIMUM = 40854.0


# The big-M baseline reaches the same proof in similar time: benchmarks/lot-sizing
# shows it; tests/lot_sizing/test_cross_check.py holds the formulations to one optimum.
def test_f1_proven_optimum(registry: Registry) -> None:
    result = run(registry, read_clsp(SAMPLES / "F1.clsp"), "fl", threads=2)
    doc = result.document
    assert doc["status"] == "optimal", doc.get("message")
    assert doc["objective"] == pytest.approx(F1_OPTIMUM)
    assert doc["check"]["feasible"]
    assert doc["bound"] == pytest.approx(F1_OPTIMUM, rel=1e-6)


def test_two_items_optimum_by_hand(registry: Registry) -> None:
    """Lot-for-lot A (3 setups, 150) is beaten by making 70 in period 1 (A holds 40):
    2 setups 100 + holding 40 ... but B must then be on hand: 30 + nothing arrives in
    period 1, so A can make at most 30 in period 1. The solver must respect that."""
    doc = two_items()
    result = run(registry, doc)
    out = result.document
    assert out["status"] == "optimal" and out["check"]["feasible"]
    made = {row["period"]: row["quantity"] for row in out["solution"]["production"]}
    assert made.get(1, 0) <= 30 + 1e-6  # only 30 B are there in period 1
    # every plan the checker accepts costs at least the proven optimum
    assert out["objective"] <= 247.0 + 1e-6


@pytest.mark.slow
def test_gearbox_plant_solves_and_checks(registry: Registry) -> None:
    """The native sample: a checked, proven plan that honours MOQ, multiples and safety
    stock (the formulations' agreement is tests/lot_sizing/test_cross_check.py's job)."""
    result = run(registry, _yaml(SAMPLES / "gearbox_plant.yaml"), "fl", threads=2).document
    assert result["status"] == "optimal", result.get("message")
    assert result["check"]["feasible"]
    solution = result["solution"]
    assert {row["supplier"] for row in solution["purchases"]} <= {
        "foundry", "bearing-distributor", "bearing-maker"}
    assert set(solution["stock"]) == {"GB-S", "GB-L", "HS-S", "HS-L", "SHAFT", "CAST-S",
                                      "CAST-L", "BRG"}
    assert min(solution["stock"]["GB-S"]) >= 10 - 1e-6  # safety stock
    for row in solution["purchases"]:
        if row["supplier"] == "bearing-maker":
            assert row["quantity"] >= 1000 and row["quantity"] % 250 == 0


def test_rf_claims_optimal_only_with_a_proof(registry: Registry) -> None:
    result = run(registry, two_items(), "rf", threads=1)
    doc = result.document
    assert doc["check"]["feasible"]
    if doc["status"] == "optimal":
        assert doc["gap"] <= 1e-6
    short = run(registry, _yaml(SAMPLES / "gearbox_plant.yaml"), "rf", time_limit=1.0)
    assert short.document["status"] != "optimal" or short.document["gap"] <= 1e-6


def test_checker_rejects_the_solved_plan_when_spoiled(registry: Registry) -> None:
    loaded = load(registry, two_items())
    result = run(registry, two_items())
    spoiled = json.loads(json.dumps(result.document))
    spoiled["solution"]["production"] = spoiled["solution"]["production"][1:]
    assert not check_solution(loaded, spoiled).feasible


def _yaml(path: Path) -> dict[str, object]:
    import yaml

    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def test_rf_rounded_lp_start(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """The large-model start (rounded LP) on a small model: a checked plan, never below the
    proven optimum, optimal only with a proof."""
    from optikit_lotsizing import heuristic

    reference = run(registry, two_items(), "bigm").document["objective"]
    monkeypatch.setattr(heuristic, "RELAX_AND_FIX_MAX_COLUMNS", 0)
    doc = run(registry, two_items(), "rf").document
    assert doc["check"]["feasible"]
    assert doc["objective"] >= reference - 1e-6
    assert doc["status"] != "optimal" or doc["gap"] <= 1e-6
    assert "rounded_LP" in doc["stats"]


def test_fl_reports_its_start_plan_when_the_milp_finds_nothing(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """A planner always gets a plan: the start handed to the MILP (as its MIP start) is
    the answer, checked and ``feasible``, when the MILP itself returns no solution."""
    from optikit_highs.backend import HighsBackend

    from optikit.paradigms import HintedModel, LinearResult
    from optikit.types import Status

    reference = run(registry, two_items(), "bigm").document["objective"]
    real = HighsBackend.solve
    hinted: list[bool] = []

    def no_milp_answer(self: HighsBackend, model: Any, ctx: Any) -> LinearResult:
        if isinstance(model, HintedModel):
            hinted.append(model.hint is not None)
            return LinearResult(Status.UNKNOWN, message="time limit")
        return real(self, model, ctx)

    monkeypatch.setattr(HighsBackend, "solve", no_milp_answer)
    doc = run(registry, two_items(), "fl").document
    assert hinted == [True]
    assert doc["status"] == "feasible" and doc["check"]["feasible"]
    assert doc["objective"] >= reference - 1e-6


def test_fl_answers_no_worse_than_the_constructed_plan(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """The answer is never worse than the constructed plan (a 15 x 26 three-level
    instance: the MILP's minute ended above it; since lot-s17 ``fl`` with HiGHS plans it
    as the large models, from that plan with its purchases re-planned, and on smaller
    models the plan is the fallback answer).  Here no HiGHS MILP with a start, windows
    included, finds anything at all."""
    from optikit_highs.backend import HighsBackend
    from optikit_lotsizing.generator import generate_structured
    from optikit_lotsizing.heuristic import constructive
    from optikit_lotsizing.linear import build
    from optikit_lotsizing.model import parse

    from optikit.paradigms import HintedModel, LinearResult
    from optikit.types import Status

    document = generate_structured(1, 26, 6, 6, 3)
    built = constructive(parse(document), build(parse(document), strong=False))
    assert built is not None and built.objective is not None
    real = HighsBackend.solve

    def no_milp_answer(self: HighsBackend, model: Any, ctx: Any) -> LinearResult:
        if isinstance(model, HintedModel):
            return LinearResult(Status.UNKNOWN, message="time limit")
        return real(self, model, ctx)

    monkeypatch.setattr(HighsBackend, "solve", no_milp_answer)
    doc = run(registry, document, "fl", time_limit=10.0).document
    assert doc["check"]["feasible"]
    assert doc["objective"] <= built.objective + 1e-6
    # with its lot-for-lot purchases re-planned (branch lot-s17: 98,881 -> 95,361)
    assert doc["objective"] < built.objective - 1_000
