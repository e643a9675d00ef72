"""``mccormick`` over several periods: a certified bound on HiGHS, a checked repair."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from optikit.runner import SolveResult
from tests.pooling.test_periods import SAMPLE, SAMPLE_OPTIMUM

#: Haverly 1 in each of two weeks (nothing in the tank at the start; holding stock costs):
#: each week's global optimum earns 400 (the local one 100), so 800 in all.
HAVERLY_TWO_WEEKS: dict[str, Any] = {
    "type": "pooling", "name": "haverly-2w", "periods": 2, "qualities": ["s"],
    "inputs": [{"id": "A", "cost": 6, "quality": {"s": 3}},
               {"id": "B", "cost": 16, "quality": {"s": 1}},
               {"id": "C", "cost": 10, "quality": {"s": 2}}],
    "pools": [{"id": "T", "capacity": 300, "inventory": {"holding_cost": 0.1}}],
    "products": [{"id": "X", "price": 9, "max": 100, "quality_max": {"s": 2.5}},
                 {"id": "Y", "price": 15, "max": 200, "quality_max": {"s": 1.5}}],
    "arcs": [{"from": "A", "to": "T"}, {"from": "B", "to": "T"}, {"from": "T", "to": "X"},
             {"from": "T", "to": "Y"}, {"from": "C", "to": "X"}, {"from": "C", "to": "Y"}],
}


def test_mccormick_refines_until_it_proves_the_hand_case(
        run: Callable[..., SolveResult]) -> None:
    """One piece per share: the first MILP is the McCormick LP's bound 1000 (500 a week,
    as on Haverly 1); narrowing the pieces around the answer proves 800 on HiGHS."""
    doc = run(copy.deepcopy(HAVERLY_TWO_WEEKS), solver="highs", formulation="mccormick",
              extra={"starts": 1, "segments": 1}, time_limit=20.0).document
    assert doc["status"] == "optimal", doc.get("message")
    assert doc["objective"] == pytest.approx(800.0, rel=1e-7)
    assert doc["check"]["feasible"]
    bounds = doc["stats"]["round_bounds"]
    assert bounds[0] == pytest.approx(1000.0) and len(bounds) >= 2
    assert doc["bound"] == pytest.approx(800.0, rel=1e-6)


def test_mccormick_bound_is_certified_on_the_sample(run: Callable[..., SolveResult]) -> None:
    """The sample's proven optimum lies between the checked answer and the MILP's bound."""
    doc = run(SAMPLE, solver="highs", formulation="mccormick",
              extra={"starts": 1, "segments": 2}, time_limit=5.0).document
    assert doc["check"]["feasible"]
    assert doc["objective"] <= SAMPLE_OPTIMUM * (1 + 1e-7)
    assert doc["bound"] >= SAMPLE_OPTIMUM * (1 - 1e-9)
    assert doc["stats"]["milp_bound"] >= SAMPLE_OPTIMUM * (1 - 1e-9)
    assert doc["status"] in ("optimal", "feasible")


def test_refine_cuts_a_narrow_piece_around_the_value() -> None:
    from optikit_pooling.piecewise import refine, uniform

    edges = refine(uniform(1.0, 2), 0.3, 10.0)  # piece [0, 0.5] -> width 0.05 around 0.3
    assert edges.tolist() == pytest.approx([0.0, 0.275, 0.325, 0.5, 1.0])
    assert refine(uniform(1.0, 1), 0.0, 4.0).tolist() == pytest.approx([0.0, 0.125, 1.0])
    assert refine(edges, 0.3, 1.0).tolist() == pytest.approx(edges.tolist())  # nothing new
