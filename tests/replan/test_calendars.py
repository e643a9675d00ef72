"""Re-planning a shop with working-time calendars and a clock (tiny, hand-made old plan).

Shift 06:00-10:00 and 10:30-14:00 every day (minutes from 2026-12-07T06:00: working
[0, 240) and [270, 480), repeat 1440) on both machines.
A = [M1 100 | M2 120] -> [M2 120, interruptible];  B = [M2 150] -> [M1 60].
Plan: M1: A0 [0, 100), B1 [150, 210);  M2: B0 [0, 150), A1 [150, 300) (pauses 240-270).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from optikit_fjsp.cpsat import is_valid
from optikit_fjsp.replan import prepare
from optikit_fjsp.replan_repair import flat_situation, repair

from optikit import api
from optikit.plugins import get_registry
from optikit.problem_io import ProblemFileError, load_document

SHOP: dict[str, Any] = {
    "type": "fjsp",
    "name": "replan-shifts",
    "start": "2026-12-07T06:00",
    "time_unit": "minute",
    "calendars": {"shift": {"working": [{"start": 0, "end": 240}, {"start": 270, "end": 480}],
                            "repeat": 1440}},
    "calendar": "shift",
    "machines": [{"id": "M1"}, {"id": "M2"}],
    "jobs": [
        {"id": "A", "operations": [
            {"modes": [{"machine": "M1", "duration": 100}, {"machine": "M2", "duration": 120}]},
            {"interruptible": True, "modes": [{"machine": "M2", "duration": 120}]}]},
        {"id": "B", "operations": [
            {"modes": [{"machine": "M2", "duration": 150}]},
            {"modes": [{"machine": "M1", "duration": 60}]}]},
    ],
    "objective": "makespan",
}


def _op(job: str, op: int, mode: int, machine: str, start: int, end: int) -> dict[str, Any]:
    return {"job": job, "operation": op, "mode": mode, "machine": machine, "start": start,
            "end": end}


PLAN: dict[str, Any] = {"type": "fjsp", "solution": {"operations": [
    _op("A", 0, 0, "M1", 0, 100), _op("B", 0, 0, "M2", 0, 150),
    _op("A", 1, 0, "M2", 150, 300), _op("B", 1, 0, "M1", 150, 210)]}}


def by_key(solution: api.Solution) -> dict[str, dict[str, Any]]:
    assert solution.solution is not None, solution.document.get("message")
    return {f"{o['job']}{o['operation']}": o for o in solution.solution["operations"]}


def test_replan_with_shifts_timestamps_and_an_overrun() -> None:
    events = {"now": "2026-12-07T08:00", "events": [  # t = 120
        {"type": "machine_down", "machine": "M1", "start": "2026-12-07T11:00",
         "end": "2026-12-07T12:00"},  # [300, 360)
        # B0 started at 0 and needs 250: past the 10:00 break, it resumes at 10:30.
        {"type": "running_late", "job": "B", "operation": 0, "extra": 100},
    ]}
    result = api.replan(copy.deepcopy(SHOP), copy.deepcopy(PLAN), events, time_limit=20,
                        threads=1, registry=get_registry())
    assert result.exit_code == 0 and result.document["check"]["feasible"]
    ops = by_key(result)
    assert (ops["B0"]["start"], ops["B0"]["end"]) == (0, 280)
    assert ops["B0"]["end_time"] == "2026-12-07T10:40"
    # A1 follows B0 on M2 (or waits for A0 elsewhere) and B1 runs on M1 after B0, outside
    # the breakdown; the calendars hold for all of them (checked by the fjsp checker).
    assert ops["B1"]["start"] >= 280 and not (ops["B1"]["end"] > 300 and ops["B1"]["start"] < 360)
    assert ops["A1"]["start"] >= 280
    figures = result.document["replan"]
    assert (figures["now"], figures["now_time"]) == (120, "2026-12-07T08:00")
    assert figures["blocked"][0]["start_time"] == "2026-12-07T11:00"


def test_the_repaired_plan_honours_calendars_and_down_windows() -> None:
    loaded = load_document(copy.deepcopy(SHOP), get_registry(), source="shop")
    events = {"now": 100, "events": [
        {"type": "machine_down", "machine": "M2", "start": 150, "end": 260}]}
    task = prepare(loaded.problem, loaded.document, PLAN["solution"], events)
    assert [f"{j}{o}" for j, o in task.situation.interrupted] == []
    sol = repair(task.problem, flat_situation(task))
    assert is_valid(task.problem, sol)
    g = 1  # A1 (flat order: A0, A1, B0, B1): interruptible, on M2 after the breakdown
    assert sol.starts[g] >= 270 and sol.end(task.problem.flat, g) >= sol.starts[g] + 120


def test_a_timestamp_without_a_clock_names_the_field() -> None:
    shop = copy.deepcopy(SHOP)
    for key in ("start", "time_unit"):
        del shop[key]
    with pytest.raises(ProblemFileError, match=r"now: .*timestamp but the document has no"):
        api.replan(shop, copy.deepcopy(PLAN), {"now": "2026-12-07T08:00"},
                   registry=get_registry())
