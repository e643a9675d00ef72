"""The linear formulation's semantics: losses, lots, counts, statuses, and exactness."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from optikit_blend.linear import build, upper_bounds

from optikit.exitcodes import ExitCode
from optikit.problem_io import LoadedProblem, load_problem
from optikit.registry import Registry
from optikit.runner import SolveResult
from tests.blend.conftest import SAMPLES


def test_loss_yields_the_total_and_composition_is_over_the_total(
    doc: dict[str, Any], run: Callable[..., SolveResult]
) -> None:
    solution = run(doc).document["solution"]
    amounts = solution["amounts"]
    product = amounts["ORE_A"] + amounts["ORE_B"] + 0.9 * amounts["FLUX"]
    assert product == pytest.approx(100.0)
    assert sum(amounts.values()) > 100.0  # the flux loses mass, so more is charged
    cao = 50.0 * amounts["FLUX"] / 100.0  # tonnes of CaO in the product
    assert solution["composition"]["CaO"] == pytest.approx(cao)  # % of 100 t


def test_lp_and_milp_are_told_apart(
    doc: dict[str, Any], load: Callable[[dict[str, Any]], LoadedProblem]
) -> None:
    assert not load(doc).problem.needs_integer
    forced = copy.deepcopy(doc)
    forced["materials"][0].update(min=10.0, min_lot=20.0)  # forced in: no decision left
    problem = load(forced).problem
    assert not problem.needs_integer
    assert build(problem).model.col_lower[0] == pytest.approx(0.2)  # 20 t per 100 t
    lot = copy.deepcopy(doc)
    lot["materials"][0]["min_lot"] = 20.0
    assert load(lot).problem.needs_integer
    counted = copy.deepcopy(doc)
    counted["max_materials"] = 2
    bm = build(load(counted).problem)
    assert bm.model.is_mip and bm.u_cols.size == 3


def test_big_m_is_the_tightest_the_data_allow(
    doc: dict[str, Any], load: Callable[[dict[str, Any]], LoadedProblem]
) -> None:
    doc["materials"][0]["max"] = 80.0
    doc["specs"]["SiO2"] = {"max": 3.0}
    bounds = upper_bounds(load(doc).problem)
    # ORE_A: own max 80 t = 0.8 per t; SiO2 4 % vs 3 % cap -> 0.75 per t.
    # ORE_B: SiO2 10 % -> 0.3 per t.  FLUX: yield 0.9 -> 1/0.9, SiO2 2 % -> 1.5 -> 1/0.9.
    assert bounds == pytest.approx([0.75, 0.3, 1 / 0.9])


def test_min_count_means_really_used(
    doc: dict[str, Any], run: Callable[..., SolveResult]
) -> None:
    """Without specs the flux alone is cheapest; min_count 2 forces both ores in with a
    real (if tiny: 1e-6 of the total) amount that the checker counts as used."""
    doc["specs"] = {}
    doc["ratios"] = []
    doc["groups"] = [{"name": "both", "materials": ["ORE_A", "ORE_B"], "min_count": 2}]
    result = run(doc).document
    assert result["check"]["feasible"]
    amounts = result["solution"]["amounts"]
    assert amounts["ORE_A"] >= 1e-6 * 100 * (1 - 1e-9)
    assert amounts["ORE_B"] >= 1e-6 * 100 * (1 - 1e-9)


def test_lot_and_max_materials_change_the_answer(
    doc: dict[str, Any], run: Callable[..., SolveResult]
) -> None:
    lp = run(doc).document
    lp_amounts = lp["solution"]["amounts"]
    assert 0 < lp_amounts["FLUX"] < 10.0
    doc["materials"][2]["min_lot"] = 10.0
    milp = run(doc).document
    assert milp["status"] == "optimal"
    amounts = milp["solution"]["amounts"]
    assert amounts.get("FLUX", 0.0) == 0.0 or amounts["FLUX"] >= 10.0 - 1e-9
    assert milp["objective"] >= lp["objective"] - 1e-9


def test_exact_zero_for_unused_materials_after_a_milp(
    doc: dict[str, Any], run: Callable[..., SolveResult]
) -> None:
    """The LP mixes both ores for Fe 45 %; with one ore only ORE_A (Fe 60) can do it:
    75 t ORE_A diluted by 25 t of product from the flux, and ORE_B exactly absent."""
    doc["specs"] = {"Fe": {"min": 45.0}}
    doc["ratios"] = []
    doc["groups"] = [{"name": "one", "materials": ["ORE_A", "ORE_B"], "max_count": 1}]
    assert "ORE_B" in run(copy.deepcopy(doc) | {"groups": []}).document["solution"]["amounts"]
    amounts = run(doc).document["solution"]["amounts"]
    assert set(amounts) == {"ORE_A", "FLUX"}
    assert amounts["ORE_A"] == pytest.approx(75.0)
    assert amounts["FLUX"] == pytest.approx(25.0 / 0.9)


def _contract_form(registry: Registry) -> dict[str, Any]:
    """The sinter data on the raw basis (no loss, shares of the whole blend), as in the
    domain notes section 1.7: infeasible with the source specs."""
    document = copy.deepcopy(load_problem(SAMPLES / "sinter_feed_lp.yaml", registry).document)
    for material in document["materials"]:
        material.pop("loss", None)
    for group in document["groups"]:
        group.pop("of", None)
    return document


def test_raw_basis_is_infeasible(registry: Registry, run: Callable[..., SolveResult]) -> None:
    result = run(_contract_form(registry))
    assert result.document["status"] == "infeasible"
    assert result.exit_code == ExitCode.INFEASIBLE
    assert "solution" not in result.document


def test_raw_basis_without_tfe_matches_the_reference(
    registry: Registry, run: Callable[..., SolveResult]
) -> None:
    """Domain notes 1.7: LP 440.67245; with 0.05 t lots on the ores, 443.076258."""
    document = _contract_form(registry)
    del document["specs"]["TFe"]
    assert run(document).document["objective"] == pytest.approx(440.67245, rel=1e-6)
    ores = set(document["groups"][0]["materials"])
    for material in document["materials"]:
        if material["id"] in ores:
            material["min_lot"] = 0.05
    result = run(document).document
    assert result["status"] == "optimal"
    assert result["objective"] == pytest.approx(443.076258, rel=1e-6)


def test_time_limit_and_thread_options_reach_the_backend(
    doc: dict[str, Any], run: Callable[..., SolveResult]
) -> None:
    result = run(doc, threads=2, seed=5, time_limit=5.0).document
    assert result["status"] == "optimal"
    assert result["options"]["threads"] == 2
    assert result["stats"]["columns"] == 3 and result["stats"]["binaries"] == 0
