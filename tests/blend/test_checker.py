"""The independent checker: accepts the solver's answer, rejects every kind of breach."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from optikit_blend.checker import check

from optikit.problem_io import LoadedProblem
from optikit.runner import SolveResult


@pytest.fixture
def checker_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """The small blend with a lot, a count and max_materials (a MILP)."""
    doc["materials"].append(
        {"id": "ORE_C", "cost": 9.0, "min_lot": 20.0, "composition": {"Fe": 55.0, "SiO2": 5.0}}
    )
    doc["groups"].append({"name": "few_ores", "materials": ["ORE_A", "ORE_B", "ORE_C"],
                          "max_count": 2})
    doc["max_materials"] = 3
    return doc


def _solved(
    document: dict[str, Any],
    load: Callable[[dict[str, Any]], LoadedProblem],
    run: Callable[..., SolveResult],
) -> tuple[LoadedProblem, dict[str, Any]]:
    loaded = load(document)
    result = run(loaded)
    assert result.document["status"] == "optimal"
    return loaded, copy.deepcopy(result.document["solution"])


def _constraints(loaded: LoadedProblem, payload: dict[str, Any]) -> set[str]:
    return {v.constraint for v in check(loaded.problem, payload).violations}


def test_accepts_the_solvers_answer_and_recomputes_the_cost(
    checker_doc: dict[str, Any], load: Callable[..., LoadedProblem], run: Callable[..., SolveResult]
) -> None:
    loaded, payload = _solved(checker_doc, load, run)
    report = check(loaded.problem, payload)
    assert report.feasible, report.violations
    costs = {m["id"]: m["cost"] for m in checker_doc["materials"]}
    expected = sum(costs[m] * t for m, t in payload["amounts"].items())
    assert report.objective == pytest.approx(expected, rel=1e-12)
    assert report.figures["product_t"] == pytest.approx(100.0)


def test_objective_is_recomputed_not_copied(
    doc: dict[str, Any], load: Callable[..., LoadedProblem]
) -> None:
    loaded = load(doc)
    payload = {"amounts": {"ORE_A": 25.0, "ORE_B": 75.0}}
    assert check(loaded.problem, payload).objective == pytest.approx(25 * 10 + 75 * 4)


def test_hand_made_blend_and_its_breaches(
    doc: dict[str, Any], load: Callable[..., LoadedProblem]
) -> None:
    """No flux: 50 t A + 50 t B gives Fe 50 %, SiO2 7 %; basicity then fails (no CaO)."""
    doc["ratios"] = []
    loaded = load(doc)
    good = {"amounts": {"ORE_A": 50.0, "ORE_B": 50.0}}
    assert check(loaded.problem, good).feasible
    # Fe one unit below its 45 % minimum: 20 t A + 80 t B -> Fe 44 %.
    low_fe = {"amounts": {"ORE_A": 20.0, "ORE_B": 80.0}}
    report = check(loaded.problem, low_fe)
    assert {v.constraint for v in report.violations} == {"specs.Fe.min"}
    assert report.violations[0].amount == pytest.approx(1.0)


def test_rejects_a_spec_broken_by_one_unit(
    checker_doc: dict[str, Any], load: Callable[..., LoadedProblem], run: Callable[..., SolveResult]
) -> None:
    loaded, payload = _solved(checker_doc, load, run)
    # Swap ORE_A for ORE_B mass so that Fe drops by exactly one percentage point:
    # each tonne moved lowers Fe by (60 - 40) / 100 t = 0.2 points, so move 5 t.
    amounts = payload["amounts"]
    amounts["ORE_A"] -= 5.0
    amounts["ORE_B"] = amounts.get("ORE_B", 0.0) + 5.0
    payload.pop("composition")
    report = check(loaded.problem, payload)
    fe = [v for v in report.violations if v.constraint == "specs.Fe.min"]
    assert fe and fe[0].amount == pytest.approx(1.0)


def test_rejects_a_broken_ratio(
    doc: dict[str, Any], load: Callable[..., LoadedProblem]
) -> None:
    loaded = load(doc)
    # 50 A + 50 B, no flux: CaO 0 -> basicity 0 < 0.5.
    report = check(loaded.problem, {"amounts": {"ORE_A": 50.0, "ORE_B": 50.0}})
    assert {v.constraint for v in report.violations} == {"ratios.basicity.min"}
    assert report.figures["ratios"]["basicity"] == 0.0


def test_rejects_a_broken_group_share(
    doc: dict[str, Any], load: Callable[..., LoadedProblem]
) -> None:
    doc["ratios"] = []
    doc["specs"] = {}
    loaded = load(doc)
    # 40 t of ores and 66.67 t flux (yield 0.9) = 100 t product; ores share 40/106.7 < 0.5.
    payload = {"amounts": {"ORE_A": 40.0, "FLUX": 60.0 / 0.9}}
    assert _constraints(loaded, payload) == {"groups.ores.min"}


def test_rejects_a_lot_a_count_and_max_materials(
    checker_doc: dict[str, Any], load: Callable[..., LoadedProblem]
) -> None:
    checker_doc["specs"] = {}
    checker_doc["ratios"] = []
    loaded = load(checker_doc)
    # ORE_C below its 20 t lot.
    assert "materials.ORE_C.min_lot" in _constraints(
        loaded, {"amounts": {"ORE_A": 90.0, "ORE_C": 10.0}}
    )
    # Three ores used: the group allows two, and with the flux four materials > 3.
    payload = {"amounts": {"ORE_A": 30.0, "ORE_B": 30.0, "ORE_C": 30.0, "FLUX": 10.0 / 0.9}}
    assert {"groups.few_ores.max_count", "max_materials"} <= _constraints(loaded, payload)


def test_rejects_mass_balance_bounds_and_bad_entries(
    doc: dict[str, Any], load: Callable[..., LoadedProblem]
) -> None:
    doc["specs"] = {}
    doc["ratios"] = []
    doc["materials"][0]["max"] = 30.0
    loaded = load(doc)
    assert _constraints(loaded, {"amounts": {"ORE_A": 30.0, "ORE_B": 69.0}}) == {"total"}
    assert _constraints(loaded, {"amounts": {"ORE_A": 31.0, "ORE_B": 69.0}}) == {
        "materials.ORE_A.max"
    }
    found = _constraints(loaded, {"amounts": {"ORE_A": 30.0, "ORE_B": 70.0, "SCRAP": 1.0}})
    assert "amounts.SCRAP" in found
    assert "amounts.ORE_B" in _constraints(loaded, {"amounts": {"ORE_B": "70"}})
    assert "amounts.ORE_B" in _constraints(loaded, {"amounts": {"ORE_A": 130.0, "ORE_B": -30.0}})
    assert _constraints(loaded, {"weights": {}}) == {"amounts"}


def test_min_amount_is_enforced(doc: dict[str, Any], load: Callable[..., LoadedProblem]) -> None:
    doc["specs"] = {}
    doc["ratios"] = []
    doc["materials"][1]["min"] = 20.0
    loaded = load(doc)
    assert _constraints(loaded, {"amounts": {"ORE_A": 90.0, "ORE_B": 10.0}}) == {
        "materials.ORE_B.min"
    }


def test_reported_figures_must_match_the_amounts(
    doc: dict[str, Any], load: Callable[..., LoadedProblem], run: Callable[..., SolveResult]
) -> None:
    loaded, payload = _solved(doc, load, run)
    assert check(loaded.problem, payload).feasible
    tampered = copy.deepcopy(payload)
    tampered["composition"]["Fe"] += 0.5
    assert _constraints(loaded, tampered) == {"composition.Fe"}
    tampered = copy.deepcopy(payload)
    tampered["ratios"]["basicity"] = 1.5
    assert _constraints(loaded, tampered) == {"ratios.basicity"}


def test_tolerance_is_relative_but_tight(
    doc: dict[str, Any], load: Callable[..., LoadedProblem]
) -> None:
    doc["specs"] = {"Fe": {"min": 50.0}}
    doc["ratios"] = []
    loaded = load(doc)
    # Fe = 60 a + 40 (100 - a) / 100 = 50 at a = 50; 1e-8 below is noise, 1e-4 is not.
    assert check(loaded.problem, {"amounts": {"ORE_A": 50.0 - 1e-8, "ORE_B": 50.0 + 1e-8}}).feasible
    assert not check(loaded.problem, {"amounts": {"ORE_A": 49.9995, "ORE_B": 50.0005}}).feasible
