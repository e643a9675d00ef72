"""``mccormick`` over several periods: a certified bound on HiGHS, a checked repair."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from optikit.runner import SolveResult
from tests.pooling.test_periods import SAMPLE, SAMPLE_OPTIMUM, TWO_WEEKS


def test_mccormick_proves_the_two_week_hand_case(run: Callable[..., SolveResult]) -> None:
    """One tank over two weeks (TWO_WEEKS): the piecewise MILP's bound meets the repaired
    answer, so it is proven; pq on SCIP finds the same 365."""
    doc = run(copy.deepcopy(TWO_WEEKS), solver="highs", formulation="mccormick",
              extra={"starts": 2}, time_limit=10.0).document
    assert doc["status"] == "optimal", doc.get("message")
    assert doc["objective"] == pytest.approx(365.0, rel=1e-7)
    assert doc["check"]["feasible"]
    assert doc["stats"]["binaries"] > 0


def test_mccormick_bound_is_certified_on_the_sample(run: Callable[..., SolveResult]) -> None:
    """The sample's proven optimum lies between the checked answer and the MILP's bound."""
    doc = run(SAMPLE, solver="highs", formulation="mccormick",
              extra={"starts": 1, "segments": 2}, time_limit=5.0).document
    assert doc["check"]["feasible"]
    assert doc["objective"] <= SAMPLE_OPTIMUM * (1 + 1e-7)
    assert doc["bound"] >= SAMPLE_OPTIMUM * (1 - 1e-9)
    assert doc["stats"]["milp_bound"] >= SAMPLE_OPTIMUM * (1 - 1e-9)
    assert doc["status"] in ("optimal", "feasible")
