"""Shadow prices in the analysis equal finite differences of the optimal cost."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from optikit.problem_io import load_problem
from optikit.registry import Registry
from optikit.runner import SolveResult
from tests.blend.conftest import SAMPLES

STEP = 1e-4


def _binding(doc: dict[str, Any], kind: str, name: str, side: str) -> dict[str, Any]:
    for entry in doc["analysis"]["binding"]:
        if (entry["kind"], entry["name"], entry["side"]) == (kind, name, side):
            return entry
    raise AssertionError(f"{kind} {name} {side} is not binding: {doc['analysis']['binding']}")


def _cost(document: dict[str, Any], run: Callable[..., SolveResult]) -> float:
    result = run(document)
    assert result.document["status"] == "optimal"
    return float(result.document["objective"])


@pytest.fixture(scope="module")
def sinter(registry: Registry) -> dict[str, Any]:
    return load_problem(SAMPLES / "sinter_feed_lp.yaml", registry).document


def _check_price(
    base_doc: dict[str, Any],
    run: Callable[..., SolveResult],
    kind: str,
    name: str,
    side: str,
    move: Callable[[dict[str, Any], float], None],
) -> None:
    base = run(base_doc).document
    entry = _binding(base, kind, name, side)
    # Relax the limit by a small step (the shadow price is a one-sided derivative).
    step = STEP if side == "max" else -STEP
    moved = copy.deepcopy(base_doc)
    move(moved, step)
    derivative = (_cost(moved, run) - base["objective"]) / step
    assert entry["shadow_price"] == pytest.approx(derivative, rel=1e-4, abs=1e-6)
    assert entry["tighten_cost"] >= 0  # tightening a binding limit never saves money
    assert entry["tighten_cost"] == pytest.approx(
        entry["shadow_price"] if side == "min" else -entry["shadow_price"]
    )


@pytest.mark.parametrize(("name", "side"), [("TFe", "min"), ("SiO2", "max"), ("Al2O3", "max")])
def test_spec_shadow_price(
    sinter: dict[str, Any], run: Callable[..., SolveResult], name: str, side: str
) -> None:
    def move(doc: dict[str, Any], step: float) -> None:
        doc["specs"][name][side] += step

    _check_price(sinter, run, "spec", name, side, move)


def test_group_shadow_price(run: Callable[..., SolveResult], doc: dict[str, Any]) -> None:
    doc["groups"][0] = {"name": "ores", "materials": ["ORE_A", "ORE_B"], "max": 0.9}

    def move(d: dict[str, Any], step: float) -> None:
        d["groups"][0]["max"] += step

    _check_price(doc, run, "group", "ores", "max", move)


def test_degenerate_price_is_a_subgradient(
    sinter: dict[str, Any], run: Callable[..., SolveResult]
) -> None:
    """The sinter LP's main-ore share sits at a kink: relaxing it saves nothing, tightening
    costs 663 per unit.  A dual is then one subgradient: between the two one-sided slopes.
    """
    entry = _binding(run(sinter).document, "group", "main_ores", "min")
    base = run(sinter).document["objective"]
    slopes = []
    for step in (-STEP, STEP):
        moved = copy.deepcopy(sinter)
        moved["groups"][0]["min"] += step
        slopes.append((_cost(moved, run) - base) / step)
    assert slopes[0] - 1e-6 <= entry["shadow_price"] <= slopes[1] * (1 + 1e-4) + 1e-6
    assert slopes[1] > slopes[0] + 1.0  # really a kink, or this test proves nothing


def test_ratio_shadow_price(run: Callable[..., SolveResult], doc: dict[str, Any]) -> None:
    def move(d: dict[str, Any], step: float) -> None:
        d["ratios"][0]["min"] += step

    _check_price(doc, run, "ratio", "basicity", "min", move)


def test_material_bound_shadow_price(run: Callable[..., SolveResult], doc: dict[str, Any]) -> None:
    doc["materials"][1]["max"] = 40.0  # cheap ORE_B capped below what the optimum wants

    def move(d: dict[str, Any], step: float) -> None:
        d["materials"][1]["max"] += step

    _check_price(doc, run, "material", "ORE_B", "max", move)


def test_milp_prices_come_from_the_fixed_selection(run: Callable[..., SolveResult]) -> None:
    doc = run(SAMPLES / "sinter_feed_exactly3_ores.yaml").document
    assert doc["analysis"]["duals_from"] == "LP with the material selection fixed"
    entry = _binding(doc, "spec", "SiO2", "max")
    assert entry["shadow_price"] < 0


def test_summary_shows_costs_composition_and_prices(
    run: Callable[..., SolveResult], registry: Registry
) -> None:
    loaded = load_problem(SAMPLES / "sinter_feed_lp.yaml", registry)
    result = run(loaded)
    summarize = registry.problem_types["blend"].summarize
    assert summarize is not None
    rows = summarize(loaded.problem, result.document)
    text = "\n".join(f"{label}|{value}" for label, value in rows)
    assert "cost per tonne|432.59" in text  # money: two decimals
    assert "materials used|8 of 12" in text
    assert "TFe" in text and "spec [56, 60]" in text
    assert "basicity_B2" in text
    assert "spec TFe min 56: tightening costs 7.30588 per %" in text
