"""The repaired old plan answers when CP-SAT finds nothing in time (energy, maintenance).

The stop event is set before the run, so CP-SAT stops at once: the answer must still be
a plan the type's checker accepts on the amended problem, with the frozen work kept.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from optikit import api
from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.replan import prepare
from tests.replan import test_energy as energy
from tests.replan import test_maintenance as maint


def _stopped(shop: dict[str, Any], plan: dict[str, Any], events: dict[str, Any]
             ) -> api.Solution:
    stop = threading.Event()
    stop.set()
    return api.replan(copy.deepcopy(shop), copy.deepcopy(plan), events, time_limit=10,
                      threads=1, registry=get_registry(), stop=stop)


def _repaired(shop: dict[str, Any], plan: dict[str, Any], events: dict[str, Any]
              ) -> tuple[api.Solution, dict[str, dict[str, Any]]]:
    """The stopped re-plan, which must be the checked repair, and its operations by name."""
    result = _stopped(shop, plan, events)
    doc = result.document
    assert doc["status"] == "feasible" and doc["check"]["feasible"], doc.get("check")
    assert "repaired" in doc["message"]
    assert result.solution is not None
    return result, {f"{o['job']}{o['operation']}": o for o in result.solution["operations"]}


ENERGY_EVENTS = {"now": 2, "events": [
    {"type": "machine_down", "machine": "M2", "start": 4, "end": 7},
    {"type": "running_late", "job": "A", "operation": 0, "extra": 1},
    {"type": "cancel", "job": "C"},
    {"type": "rush_order", "job": {"id": "R", "operations": [
        {"modes": [{"machine": "M2", "duration": 2, "power": 4}]}]}},
]}


def test_energy_answers_with_the_checked_repair_when_stopped() -> None:
    for events in (energy.DOWN, ENERGY_EVENTS):
        _result, plan = _repaired(energy.SHOP, energy.PLAN, events)
        assert (plan["A0"]["machine"], plan["A0"]["start"]) == ("M1", 0)  # frozen
    assert set(plan) == {"A0", "A1", "B0", "R0"} and plan["A0"]["end"] == 4
    assert plan["A1"]["start"] >= 7  # after A0 (late) and the M2 breakdown


def test_energy_repair_keeps_the_peak_cap_or_says_why_not() -> None:
    shop = copy.deepcopy(energy.SHOP)
    shop["peak_power"] = 18
    events: dict[str, Any] = {"now": 1, "events": [
        {"type": "machine_down", "machine": "M2", "start": 3, "end": 5},
        {"type": "rush_order", "job": {"id": "R", "operations": [
            {"modes": [{"machine": "M1", "duration": 2, "power": 11}]}]}}]}
    result, _plan = _repaired(shop, energy.PLAN, events)  # R waits until A1 is done
    assert result.document["check"]["figures"]["peak_kw"] <= 18
    # R with M2 idling (it cannot be switched off) needs 19 kW: no plan at all.
    events["events"][1]["job"]["operations"][0]["modes"][0]["power"] = 17
    result = _stopped(shop, energy.PLAN, events)
    assert result.document["status"] == "unknown"
    assert "no repaired old plan" in result.document["message"]


MAINT_EVENTS = {"now": 1, "events": [
    {"type": "machine_down", "machine": "M1", "start": 1, "end": 3},
    {"type": "rush_order", "job": {"id": "R", "operations": [
        {"modes": [{"machine": "M1", "duration": 2}, {"machine": "M2", "duration": 2}]}]}},
]}


def test_maintenance_answers_with_the_checked_repair_when_stopped() -> None:
    for events in (maint.DOWN, MAINT_EVENTS):
        result, plan = _repaired(maint.SHOP, maint.PLAN, events)
        assert (plan["B0"]["machine"], plan["B0"]["start"]) == ("M2", 0)  # frozen
        assert result.solution is not None
        tasks = {t["task"]: t for t in result.solution["maintenance"]}
        assert tasks["T1"]["start"] >= 3 and plan["A0"]["start"] >= 3  # M1 down until 3
        assert result.document["replan"]["tasks_interrupted"] == ["T1"]
    assert "R0" in plan


def test_the_repair_never_moves_frozen_work() -> None:
    from optikit_energy.replan_repair import checked as energy_repair
    from optikit_maintenance.replan_repair import repair as maint_repair

    registry = get_registry()
    task = prepare(load_document(copy.deepcopy(energy.SHOP), registry, source="shop"),
                   copy.deepcopy(energy.PLAN), ENERGY_EVENTS).problem
    repaired = energy_repair(task)
    assert not isinstance(repaired, str), repaired
    shop = task.problem.shop
    placed = {(shop.jobs[s.job].id, s.operation): (shop.machines[s.machine].id, s.mode,
                                                   s.start, s.end)
              for s in repaired.schedule}
    for key, f in task.situation.frozen.items():
        assert placed[key] == (f.machine, f.mode, f.start, f.end)
    events = {"now": 4, "events": [{"type": "machine_down", "machine": "M2", "start": 4,
                                    "end": 6}]}
    mtask = prepare(load_document(copy.deepcopy(maint.SHOP), registry, source="shop"),
                    copy.deepcopy(maint.PLAN), events).problem
    schedule = maint_repair(mtask)
    assert not isinstance(schedule, str), schedule
    assert mtask.frozen_tasks == {"T1": 0}
    assert schedule.tasks[0].start == 0
    for s in schedule.operations:
        key = (mtask.problem.jobs[s.job].id, s.operation)
        f = mtask.situation.frozen.get(key)
        if f is not None:
            assert (s.mode, s.start, s.end) == (f.mode, f.start, f.end)
        else:
            assert s.start >= 4 and not (s.machine == 1 and s.start < 6 and s.end > 4)
