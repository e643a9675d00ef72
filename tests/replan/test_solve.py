"""Re-planning solves through the Python API (tiny shop, CP-SAT, short limits)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from optikit import api
from optikit.plugins import get_registry
from optikit.types import InputError
from tests.replan.conftest import RUSH, events, plan, shop


def replan(ev: dict[str, Any], **kwargs: Any) -> api.Solution:
    return api.replan(shop(), plan(), ev, time_limit=30, threads=1, registry=get_registry(),
                      **kwargs)


def ops(solution: api.Solution) -> dict[str, dict[str, Any]]:
    assert solution.solution is not None, solution.document.get("message")
    return {f"{o['job']}{o['operation']}": o for o in solution.solution["operations"]}


def test_every_event_kind_at_once() -> None:
    result = replan(events(
        5,
        {"type": "machine_down", "machine": "M1", "start": 6, "end": 9},
        {"type": "running_late", "job": "A", "operation": 1, "extra": 2},
        {"type": "cancel", "job": "C"},
        {"type": "rush_order", "job": RUSH},
    ))
    assert result.exit_code == 0 and result.status.value == "optimal"
    assert result.document["check"]["feasible"] and result.document["formulation"] == (
        "cpsat-replan")
    plan_ = ops(result)
    assert set(plan_) == {"A0", "A1", "B0", "B1", "R0"}  # C cancelled, R planned
    assert (plan_["A0"]["start"], plan_["A1"]["start"], plan_["A1"]["end"]) == (0, 4, 9)
    assert plan_["B0"]["start"] == 0  # frozen
    # B1 was interrupted by the breakdown: re-planned after now, clear of [4, 9) on M1.
    b1 = plan_["B1"]
    assert b1["start"] >= 5 and (b1["machine"] != "M1" or b1["start"] >= 9)
    assert all(o["start"] >= 5 for k, o in plan_.items() if k in ("B1", "R0"))
    figures = result.document["replan"]
    assert figures["interrupted"] == ["B op 1"] and figures["cancelled"] == ["C"]
    assert figures["rush"] == ["R"] and figures["old_objective"] == 13
    assert figures["new_objective"] == result.objective
    assert "replan" not in result.document["check"]["figures"]


def test_machine_down_in_the_future_moves_only_what_it_must() -> None:
    result = replan(events(5, {"type": "machine_down", "machine": "M2", "start": 9, "end": 12}))
    plan_ = ops(result)
    c1 = plan_["C1"]
    assert c1["start"] >= 12 and result.objective == 15
    fig = result.document["replan"]
    # Only C1 needs to move (by 2); the stability stage keeps everything else.
    assert (fig["operations_moved"], fig["total_shift"], fig["machine_changes"]) == (1, 2, 0)
    assert fig["jobs_later"] == ["C"] and fig["jobs_earlier"] == []


def test_stability_keeps_the_plan_closer_than_a_plan_from_scratch() -> None:
    ev = [{"type": "running_late", "job": "A", "operation": 0, "extra": 3}]
    stable = replan(events(5, *ev))
    scratch = replan(events(5, *ev, mode="none"))
    weighted = replan(events(5, *ev, mode="weighted", shift=0.1, machine_change=1))
    loose = replan(events(5, *ev, tolerance=0.5))
    assert stable.objective == scratch.objective
    assert stable.objective is not None and loose.objective is not None
    assert loose.objective <= 1.5 * stable.objective
    # The disruption cost (defaults: 1 per time unit moved, 10 per machine change).
    cost = [r.document["replan"]["total_shift"] + 10 * r.document["replan"]["machine_changes"]
            for r in (loose, stable, scratch)]
    assert cost[0] <= cost[1] <= cost[2]
    assert weighted.status.value == "feasible" and weighted.document["check"]["feasible"]


def test_ctrl_c_keeps_the_repaired_plan() -> None:
    stop = threading.Event()
    stop.set()
    result = replan(events(5, {"type": "machine_down", "machine": "M1", "start": 6, "end": 9}),
                    stop=stop)
    assert result.status.value in ("feasible", "optimal") and result.interrupted
    assert result.document["check"]["feasible"]


def test_type_without_replanning_is_refused() -> None:
    registry = get_registry()
    blend = next(p for p in api.problem_types(registry=registry)["blend"].samples)
    with pytest.raises(InputError, match="type blend does not support re-planning"):
        api.replan(blend, plan(), events(5), registry=registry)


def test_an_old_plan_with_idle_time_can_be_pulled_in() -> None:
    loose = plan()
    loose["solution"]["operations"][-1].update(start=1000, end=1003)  # C1 far out
    result = api.replan(shop(), loose, events(5), time_limit=30, threads=1,
                        registry=get_registry())
    assert result.objective == 13 and result.document["replan"]["old_objective"] == 1003
    assert result.document["replan"]["jobs_earlier"] == ["C"]
