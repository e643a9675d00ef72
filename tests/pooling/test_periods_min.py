"""A pool ``min`` over several periods: a least batch per period and direction."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from optikit.problem_io import LoadedProblem
from optikit.runner import SolveResult
from tests.pooling.test_periods import TWO_WEEKS


def _batched(least: float) -> dict[str, Any]:
    document = copy.deepcopy(TWO_WEEKS)
    document["pools"][0]["min"] = least
    return document


@pytest.mark.parametrize(("formulation", "solver"),
                         [("pq", "scip"), ("p-plain", "scip"), ("mccormick", "highs")])
def test_least_batch_binds_and_changes_the_optimum(formulation: str, solver: str,
                                                   run: Callable[..., SolveResult]) -> None:
    """Unbatched (365): 40 received in w1 (20 a, 20 b), 50 in w2.  With batches of at
    least 45 the tank receives 45 in each week (22.5 a, 22.5 b: s stays 2), sells 50 a
    week and holds 5 after w1: 500 - 135 - 2.5 = 362.5."""
    doc = run(_batched(45), solver=solver, formulation=formulation, extra={"starts": 1}
              if formulation != "p-plain" else {}, time_limit=10.0).document
    assert doc["status"] == "optimal", doc.get("message")
    assert doc["objective"] == pytest.approx(362.5, rel=1e-7)
    assert doc["check"]["feasible"]
    tanks = doc["solution"]["tanks"]["T"]
    assert min(row["received"] for row in tanks) >= 45 - 1e-6


def test_checker_flags_a_batch_below_the_least(
    load: Callable[[dict[str, Any]], LoadedProblem],
) -> None:
    loaded = load(_batched(12))
    flows = [{"from": "b", "to": "T", "period": "w1", "amount": 10},
             {"from": "T", "to": "P", "period": "w1", "amount": 15},
             {"from": "T", "to": "P", "period": "w2", "amount": 5}]
    fields = {v.constraint: v.message for v in
              loaded.ptype.check(loaded.problem, {"flows": flows}).violations}
    assert "receipts 10 is below 12" in fields["pools[T].min (period w1)"]
    assert "discharges 5 is below 12" in fields["pools[T].min (period w2)"]
    assert not any("w2" in f and "min" in f and "receipts" in m for f, m in fields.items())
