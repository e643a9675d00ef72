"""Re-planning a shop with a batch oven (tiny, hand-made old plan).

CUT (always one at a time), then OVEN: batches of up to 3, families by product.
J1 (A): CUT 2, OVEN 5.  J2 (A): CUT 1, OVEN 4.  J3 (A): CUT 2, OVEN 5.  J4 (B): CUT 1, OVEN 3.
Plan (makespan 16): CUT J2 [0,1) J1 [1,3) J4 [3,4) J3 [4,6);
OVEN-1 = J1, J2 [3,8); OVEN-2 = J4 [8,11); OVEN-3 = J3 [11,16).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from optikit_fjsp.replan import prepare

from optikit import api
from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.types import InvalidProblem

SHOP: dict[str, Any] = {
    "type": "fjsp",
    "name": "replan-oven",
    "machines": [{"id": "CUT"}, {"id": "OVEN", "batch": {"capacity": 3}}],
    "jobs": [
        {"id": jid, "product": product, "operations": [
            {"modes": [{"machine": "CUT", "duration": cut}]},
            {"modes": [{"machine": "OVEN", "duration": oven}]}]}
        for jid, product, cut, oven in [("J1", "A", 2, 5), ("J2", "A", 1, 4),
                                        ("J3", "A", 2, 5), ("J4", "B", 1, 3)]
    ],
    "objective": "makespan",
}


def _op(job: str, op: int, machine: str, start: int, end: int, batch: str | None = None
        ) -> dict[str, Any]:
    entry = {"job": job, "operation": op, "mode": 0, "machine": machine, "start": start,
             "end": end}
    return {**entry, "batch": batch} if batch else entry


PLAN: dict[str, Any] = {"type": "fjsp", "solution": {"operations": [
    _op("J2", 0, "CUT", 0, 1), _op("J1", 0, "CUT", 1, 3), _op("J4", 0, "CUT", 3, 4),
    _op("J3", 0, "CUT", 4, 6), _op("J1", 1, "OVEN", 3, 8, "OVEN-1"),
    _op("J2", 1, "OVEN", 3, 8, "OVEN-1"), _op("J4", 1, "OVEN", 8, 11, "OVEN-2"),
    _op("J3", 1, "OVEN", 11, 16, "OVEN-3")]}}


def replan(*items: dict[str, Any], now: int = 5) -> api.Solution:
    return api.replan(copy.deepcopy(SHOP), copy.deepcopy(PLAN),
                      {"now": now, "events": list(items)}, time_limit=10, threads=1,
                      registry=get_registry())


def oven(solution: api.Solution) -> dict[str, tuple[int, int, str]]:
    assert solution.solution is not None, solution.document.get("message")
    return {o["job"]: (o["start"], o["end"], o["batch"])
            for o in solution.solution["operations"] if o["machine"] == "OVEN"}


def test_oven_down_keeps_the_started_batch_and_moves_the_rest() -> None:
    result = replan({"type": "machine_down", "machine": "OVEN", "start": 9, "end": 12})
    assert result.status.value == "optimal" and result.document["check"]["feasible"]
    plan = oven(result)
    assert plan["J1"] == plan["J2"] == (3, 8, "OVEN-1")  # started: frozen as one batch
    assert all(plan[j][0] >= 12 for j in ("J3", "J4"))  # nothing fits before the breakdown
    assert result.objective == 20
    figures = result.document["replan"]
    assert figures["frozen"] == 6 and figures["interrupted"] == []
    assert (figures["old_objective"], figures["jobs_later"]) == (16, ["J3", "J4"])


def test_a_breakdown_during_a_batch_interrupts_all_of_it() -> None:
    result = replan({"type": "machine_down", "machine": "OVEN", "start": 6, "end": 7},
                    {"type": "cancel", "job": "J4"},
                    {"type": "rush_order", "job": {"id": "R", "product": "A", "operations": [
                        {"modes": [{"machine": "OVEN", "duration": 2}]}]}})
    assert result.status.value == "optimal" and result.document["check"]["feasible"]
    figures = result.document["replan"]
    assert sorted(figures["interrupted"]) == ["J1 op 1", "J2 op 1"]
    assert {"machine": "OVEN", "start": 3, "end": 6,
            "reason": "interrupted batch OVEN-1"} in figures["blocked"]
    plan = oven(result)
    assert "J4" not in plan and all(plan[j][0] >= 7 for j in ("J1", "J2", "J3", "R"))
    # Family A, 4 operations, capacity 3: two charges from 7 (5 long, then R alone: 2).
    assert result.objective == 14 and len({b for _s, _e, b in plan.values()}) == 2


def test_a_late_member_lengthens_its_started_batch() -> None:
    result = replan({"type": "running_late", "job": "J2", "operation": 1, "extra": 3})
    assert result.document["check"]["feasible"]
    plan = oven(result)
    assert plan["J1"] == plan["J2"] == (3, 10, "OVEN-1")  # max(5, 4 + 3)
    assert result.objective == 18  # J4 [10, 13), J3 [13, 18)


def test_a_member_that_could_not_start_holds_its_whole_batch() -> None:
    registry = get_registry()
    loaded = load_document(copy.deepcopy(SHOP), registry, source="shop")
    # J1's cut ends at 4, after its oven charge started at 3: the charge could not start.
    events = {"now": 5, "events": [{"type": "running_late", "job": "J1", "operation": 0,
                                    "extra": 1}]}
    task = prepare(loaded.problem, loaded.document, PLAN["solution"], events)
    situ = task.situation
    assert ("J2", 1) in situ.held and ("J1", 1) in situ.held
    assert ("J1", 0) in situ.frozen and ("J2", 0) in situ.frozen


def test_a_started_batch_running_late_past_its_shift_is_refused() -> None:
    shop = copy.deepcopy(SHOP)
    shop["calendars"] = {"oven": {"working": [{"start": 0, "end": 10}, {"start": 12, "end": 99}]}}
    shop["machines"][1]["calendar"] = "oven"
    loaded = load_document(shop, get_registry(), source="shop")
    late = {"now": 5, "events": [
        {"type": "machine_down", "machine": "CUT", "start": 20, "end": 21},
        {"type": "running_late", "job": "J2", "operation": 1, "extra": 4}]}  # OVEN-1 [3, 11)
    with pytest.raises(InvalidProblem) as caught:
        prepare(loaded.problem, loaded.document, PLAN["solution"], late)
    assert caught.value.field == "events[1].extra"
    assert "never interrupted" in caught.value.message
