"""Re-planning ``maintenance`` plans: tasks frozen or interrupted like operations (tiny shop).

Machines M1, M2; one mechanic; tasks T1 (M1, 2) and T2 (M2, 2); jobs A = [M1 3] -> [M2 2],
B = [M2 3 | M1 3].  Old plan: M1: T1 [0,2) A0 [2,5);  M2: B0 [0,3) A1 [5,7) T2 [7,9).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from optikit import api
from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.replan import prepare
from optikit.types import InputError

SHOP: dict[str, Any] = {
    "type": "maintenance", "horizon": 20,
    "machines": [{"id": "M1", "downtime_cost": 10}, {"id": "M2", "downtime_cost": 5}],
    "crews": [{"id": "mech", "size": 1}],
    "tasks": [{"id": "T1", "machine": "M1", "duration": 2, "crew": "mech"},
              {"id": "T2", "machine": "M2", "duration": 2, "crew": "mech"}],
    "jobs": [
        {"id": "A", "due": 12, "operations": [
            {"modes": [{"machine": "M1", "duration": 3}]},
            {"modes": [{"machine": "M2", "duration": 2}]}]},
        {"id": "B", "due": 12, "operations": [
            {"modes": [{"machine": "M2", "duration": 3}, {"machine": "M1", "duration": 3}]}]},
    ],
}


def _op(job: str, op: int, mode: int, machine: str, start: int, end: int) -> dict[str, Any]:
    return {"job": job, "operation": op, "mode": mode, "machine": machine, "start": start,
            "end": end}


PLAN: dict[str, Any] = {"type": "maintenance", "solution": {
    "operations": [_op("A", 0, 0, "M1", 2, 5), _op("A", 1, 0, "M2", 5, 7),
                   _op("B", 0, 0, "M2", 0, 3)],
    "maintenance": [{"task": "T1", "start": 0, "end": 2}, {"task": "T2", "start": 7, "end": 9}],
    "skipped": [],
}}

DOWN = {"now": 1, "events": [{"type": "machine_down", "machine": "M1", "start": 1, "end": 3}]}


def replan(events: dict[str, Any]) -> api.Solution:
    return api.replan(copy.deepcopy(SHOP), copy.deepcopy(PLAN), events, time_limit=10,
                      threads=1, registry=get_registry())


def test_a_breakdown_interrupts_a_running_task_and_keeps_started_operations() -> None:
    result = replan(DOWN)
    assert result.document["check"]["feasible"], result.document["check"]
    assert result.solution is not None
    ops = {f"{o['job']}{o['operation']}": o for o in result.solution["operations"]}
    assert (ops["B0"]["machine"], ops["B0"]["start"]) == ("M2", 0)  # frozen
    assert ops["A0"]["start"] >= 3  # M1 down until 3
    tasks = {t["task"]: t for t in result.solution["maintenance"]}
    assert tasks["T1"]["start"] >= 3  # interrupted, re-planned from scratch
    fig = result.document["replan"]
    assert fig["tasks_interrupted"] == ["T1"] and fig["frozen"] == 1
    assert {"machine": "M1", "start": 0, "end": 1,
            "reason": "interrupted task T1"} in fig["blocked"]
    assert "T1" in fig["tasks_moved"] and fig["operations_moved"] >= 1
    # A task moved before now is refused by the re-planning check.
    task = prepare(load_document(copy.deepcopy(SHOP), get_registry(), source="shop"),
                   copy.deepcopy(PLAN), DOWN)
    bad = copy.deepcopy(result.solution)
    for entry in bad["maintenance"]:
        if entry["task"] == "T2":
            entry.update(start=0, end=2)
    report = task.ptype.check(task.problem, bad)
    assert any(v.constraint == "now" and "task T2" in v.message for v in report.violations)


def test_a_started_task_stays() -> None:
    result = replan({"now": 1, "events": [{"type": "cancel", "job": "B"}]})
    assert result.solution is not None
    tasks = {t["task"]: t for t in result.solution["maintenance"]}
    assert tasks["T1"]["start"] == 0 and result.document["replan"]["tasks_frozen"] == 1
    assert result.document["check"]["feasible"]


def test_bad_event_field_is_named() -> None:
    with pytest.raises(InputError, match=r"events\[0\]\.operation: job 'A' has no operation 5"):
        replan({"now": 1, "events": [{"type": "running_late", "job": "A", "operation": 5,
                                      "extra": 1}]})
