"""Freezing rules, the re-planning check and the disruption figures, without a solver."""

from __future__ import annotations

from typing import Any

import pytest
from optikit_fjsp.replan import ReplanTask, prepare

from optikit import scheduling
from optikit.plugins import get_registry
from optikit.scheduling.replan import check_replan, disruption
from optikit.types import InvalidProblem
from tests.replan.conftest import RUSH, events, loaded, plan


def task(*items: dict[str, Any], now: int = 5) -> ReplanTask:
    problem = loaded(get_registry())
    return prepare(problem.problem, problem.document, plan()["solution"], events(now, *items))


def keys(entries: list[tuple[str, int]]) -> set[str]:
    return {f"{j}{o}" for j, o in entries}


def test_started_operations_are_frozen() -> None:
    t = task()
    assert keys(list(t.situation.frozen)) == {"A0", "A1", "B0", "B1"}
    assert t.situation.interrupted == [] and t.situation.held == []
    assert t.situation.old_objective == 13


def test_machine_down_interrupts_the_running_operation() -> None:
    t = task({"type": "machine_down", "machine": "M1", "start": 6, "end": 9})
    s = t.situation
    assert keys(s.interrupted) == {"B1"}
    assert "B1" not in keys(list(s.frozen))
    # The machine stays occupied by the lost work until the breakdown.
    assert [(w.machine, w.start, w.end) for w in s.blocked] == [("M1", 6, 9), ("M1", 4, 6)]


def test_running_late_extends_a_started_operation_and_holds_what_could_not_start() -> None:
    t = task({"type": "running_late", "job": "A", "operation": 0, "extra": 3})
    s = t.situation
    assert s.frozen[("A", 0)].end == 7  # 4 + 3, in the old mode only
    assert t.document["jobs"][0]["operations"][0]["modes"] == [
        {"machine": "M1", "duration": 7}, {"machine": "M2", "duration": 5}]
    # A1 (job successor) and B1 (next on M1) were planned at 4: they could not start.
    assert keys(s.held) == {"A1", "B1"}


def test_running_late_on_a_future_operation_lengthens_every_mode() -> None:
    t = task({"type": "running_late", "job": "C", "operation": 0, "extra": 2})
    assert t.document["jobs"][2]["operations"][0]["modes"] == [{"machine": "M1", "duration": 4}]


def test_cancel_and_rush_amend_the_problem() -> None:
    t = task({"type": "cancel", "job": "C"}, {"type": "rush_order", "job": RUSH})
    assert [j.id for j in t.problem.shop.jobs] == ["A", "B", "R"]
    assert t.situation.cancelled == ("C",) and t.situation.rush == ("R",)


@pytest.mark.parametrize(("item", "field", "words"), [
    ({"type": "machine_down", "machine": "M9", "start": 1, "end": 2}, "events[0].machine",
     "unknown machine"),
    ({"type": "machine_down", "machine": "M1", "start": 4, "end": 4}, "events[0].end",
     "after start"),
    ({"type": "cancel", "job": "Z"}, "events[0].job", "unknown job"),
    ({"type": "running_late", "job": "A", "operation": 2, "extra": 1},
     "events[0].operation", "no operation 2"),
    ({"type": "rush_order", "job": {"id": "A", "operations": RUSH["operations"]}},
     "events[0].job.id", "already exists"),
    ({"type": "rush_order", "job": {"id": "R", "operations": [
        {"modes": [{"machine": "M7", "duration": 1}]}]}},
     "events[0].job.operations[0].modes[0].machine", "unknown machine"),
])
def test_bad_references_name_the_events_field(item: dict[str, Any], field: str,
                                              words: str) -> None:
    with pytest.raises(InvalidProblem) as info:
        task(item)
    assert info.value.field == field and words in info.value.message


def _payload(t: ReplanTask, changes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ops = []
    for entry in plan()["solution"]["operations"]:
        key = f"{entry['job']}{entry['operation']}"
        ops.append({**entry, **changes.get(key, {})})
    return {"operations": [o for o in ops if any(j.id == o["job"] for j in t.problem.shop.jobs)]}


def _violations(t: ReplanTask, payload: dict[str, Any]) -> set[str]:
    schedule, _ = scheduling.schedule_from_payload(t.problem.shop, payload)
    return {v.constraint for v in check_replan(t.problem.shop, schedule, t.situation)}


def test_the_check_catches_each_broken_rule() -> None:
    from optikit_fjsp.replan import check

    t = task({"type": "machine_down", "machine": "M2", "start": 9, "end": 11},
             {"type": "cancel", "job": "B"})
    assert _violations(t, _payload(t, {"C1": {"start": 11, "end": 14}})) == set()
    # The old C1 [10, 13) on M2 overlaps the breakdown.
    assert _violations(t, _payload(t, {})) == {"blocked"}
    moved = _payload(t, {"A1": {"start": 5, "end": 8}, "C0": {"start": 4, "end": 6},
                         "C1": {"start": 11, "end": 14}})
    assert _violations(t, moved) == {"frozen", "now"}
    named = _payload(t, {"C1": {"start": 11, "end": 14}})
    named["operations"].append({"job": "B", "operation": 0, "mode": 0, "machine": "M2",
                                "start": 0, "end": 3})
    assert "cancelled" in {v.constraint for v in check(t, named).violations}


def test_rush_jobs_must_be_planned_in_full() -> None:
    t = task({"type": "rush_order", "job": RUSH})
    assert "rush" in _violations(t, _payload(t, {}))


def test_disruption_figures() -> None:
    t = task({"type": "machine_down", "machine": "M2", "start": 9, "end": 11})
    payload = _payload(t, {"C0": {"start": 8, "end": 10}, "C1": {"start": 11, "end": 14}})
    schedule, _ = scheduling.schedule_from_payload(t.problem.shop, payload)
    fig = disruption(t.problem.shop, schedule, t.situation, 14.0)
    assert fig["operations_moved"] == 1 and fig["total_shift"] == 1
    assert fig["machine_changes"] == 0 and fig["jobs_later"] == ["C"]
    assert fig["old_objective"] == 13 and fig["new_objective"] == 14
