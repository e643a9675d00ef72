"""Re-planning ``energy-scheduling`` plans through the shared kernel (tiny shop, 1 thread).

Shop: A = [M1 3 | M2 3] -> [M2 2];  B = [M1 2];  C = [M2 3 | M1 3].  M1 may be switched
off (start-up 5 kWh); power is cheap in [0, 6) and dear in [6, 14).
Old plan: M1: A0 [0,3) B0 [3,5) (switched on at 0);  M2: C0 [0,3) A1 [3,5).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from optikit import api
from optikit.cli import cli
from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.replan import prepare
from optikit.types import InputError

SHOP: dict[str, Any] = {
    "type": "energy-scheduling",
    "time_step": 60,
    "horizon": 14,
    "tariff": [{"start": 0, "end": 6, "price": 1}, {"start": 6, "end": 14, "price": 3}],
    "machines": [{"id": "M1", "idle_power": 2, "startup_energy": 5},
                 {"id": "M2", "idle_power": 2}],
    "jobs": [
        {"id": "A", "operations": [
            {"modes": [{"machine": "M1", "duration": 3, "power": 10},
                       {"machine": "M2", "duration": 3, "power": 10}]},
            {"modes": [{"machine": "M2", "duration": 2, "power": 8}]}]},
        {"id": "B", "operations": [{"modes": [{"machine": "M1", "duration": 2, "power": 10}]}]},
        {"id": "C", "operations": [
            {"modes": [{"machine": "M2", "duration": 3, "power": 6},
                       {"machine": "M1", "duration": 3, "power": 6}]}]},
    ],
}


def _op(job: str, op: int, mode: int, machine: str, start: int, end: int) -> dict[str, Any]:
    return {"job": job, "operation": op, "mode": mode, "machine": machine, "start": start,
            "end": end}


# hours; M1: 30 + 20 kWh + start-up 5, M2: 18 + 16 kWh, all at price 1; peak 10 + 8 kW
PLAN: dict[str, Any] = {"type": "energy-scheduling", "solution": {
    "operations": [_op("A", 0, 0, "M1", 0, 3), _op("B", 0, 0, "M1", 3, 5),
                   _op("C", 0, 0, "M2", 0, 3), _op("A", 1, 0, "M2", 3, 5)],
    "energy": {"kwh": 89.0, "cost": 89.0, "co2_kg": 0.0, "peak_kw": 18.0},
    "switch_on": {"M1": [0]},
}}

DOWN = {"now": 1, "events": [{"type": "machine_down", "machine": "M1", "start": 3, "end": 6}]}


def replan(events: dict[str, Any]) -> api.Solution:
    return api.replan(copy.deepcopy(SHOP), copy.deepcopy(PLAN), events, time_limit=10,
                      threads=1, registry=get_registry())


def test_the_old_plan_is_valid() -> None:
    check = api.check(copy.deepcopy(SHOP), PLAN, registry=get_registry())
    assert check.feasible, check.violations


def test_machine_down_keeps_started_operations_and_counts_the_disruption(
        tmp_path: Path) -> None:
    problem, old, ev = tmp_path / "p.json", tmp_path / "old.json", tmp_path / "ev.json"
    out, amended = tmp_path / "new.json", tmp_path / "after.json"
    problem.write_text(json.dumps(SHOP))
    old.write_text(json.dumps(PLAN))
    ev.write_text(json.dumps(DOWN))
    result = CliRunner().invoke(cli, [str(a) for a in (
        "replan", problem, old, ev, "-o", out, "--problem-out", amended,
        "--time-limit", "10", "--threads", "1")])
    assert result.exit_code == 0, result.output
    assert "operations moved" in result.output
    doc = json.loads(out.read_text())
    assert doc["check"]["feasible"] and doc["formulation"] == "cpsat-replan"
    plan = {f"{o['job']}{o['operation']}": o for o in doc["solution"]["operations"]}
    assert (plan["A0"]["machine"], plan["A0"]["start"]) == ("M1", 0)  # frozen
    assert (plan["C0"]["machine"], plan["C0"]["start"]) == ("M2", 0)
    b0 = plan["B0"]
    assert b0["start"] >= 6  # B runs on M1 only, down in [3, 6)
    fig = doc["replan"]
    assert fig["frozen"] == 2 and fig["interrupted"] == [] and fig["operations_moved"] >= 1
    assert "B" in fig["jobs_later"] and fig["old_objective"] == 89
    # the new plan passes plain `optikit check` against the problem after the events
    assert CliRunner().invoke(cli, ["check", str(amended), str(out)]).exit_code == 0


def test_every_event_kind_and_the_past_switch_on_rule() -> None:
    rush = {"id": "R", "operations": [{"modes": [{"machine": "M2", "duration": 2,
                                                  "power": 4}]}]}
    events = {"now": 2, "events": [
        {"type": "machine_down", "machine": "M2", "start": 4, "end": 7},
        {"type": "running_late", "job": "A", "operation": 0, "extra": 1},
        {"type": "cancel", "job": "C"},
        {"type": "rush_order", "job": rush},
    ]}
    result = replan(events)
    assert result.document["check"]["feasible"], result.document["check"]
    assert result.solution is not None
    plan = {f"{o['job']}{o['operation']}": o for o in result.solution["operations"]}
    assert set(plan) == {"A0", "A1", "B0", "R0"}
    assert (plan["A0"]["start"], plan["A0"]["end"]) == (0, 4)  # frozen, one unit late
    assert plan["A1"]["start"] >= 7 or plan["A1"]["end"] <= 4
    assert result.document["replan"]["cancelled"] == ["C"]
    # A switch-on before now that the old plan did not have is refused by the checker.
    task = prepare(load_document(copy.deepcopy(SHOP), get_registry(), source="shop"),
                   copy.deepcopy(PLAN), events)
    bad = copy.deepcopy(result.solution)
    bad["switch_on"]["M1"] = sorted({0, 1, *bad["switch_on"]["M1"]})
    report = task.ptype.check(task.problem, bad)
    assert [v.constraint for v in report.violations if v.constraint == "switch_on"] == [
        "switch_on"]

def test_a_bad_rush_job_is_refused_with_its_field_in_the_events() -> None:
    rush = {"id": "R", "operations": [{"modes": [{"machine": "M2", "duration": 2,
                                                  "power": 1}]}]}
    with pytest.raises(InputError, match=r"events\[0\]\.job\.operations\[0\]\.modes\[0\]"
                                         r"\.power: 1 kW is below the idle power"):
        replan({"now": 1, "events": [{"type": "rush_order", "job": rush}]})
