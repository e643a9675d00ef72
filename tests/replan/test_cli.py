"""``optikit replan`` through the real command line (click's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from optikit.cli import cli
from tests.replan.conftest import plan, shop

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "problems" / "fjsp" / "machining_cell.yaml"
REPLAN = ROOT / "problems" / "fjsp" / "replan"


def optikit(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_sample_replan_writes_a_checked_plan_and_the_amended_problem(tmp_path: Path) -> None:
    out, amended = tmp_path / "new.json", tmp_path / "after.json"
    result = optikit("replan", SAMPLE, REPLAN / "machining_cell_plan.json",
                     REPLAN / "machining_cell_events.yaml", "-o", out, "--problem-out", amended,
                     "--time-limit", "30", "--threads", "1")
    assert result.exit_code == 0, result.output
    assert "operations moved" in result.output and "objective old -> new" in result.output
    doc = json.loads(out.read_text())
    assert doc["check"]["feasible"] and doc["replan"]["interrupted"] == ["P4 op 0"]
    jobs = {o["job"] for o in doc["solution"]["operations"]}
    assert "P5" not in jobs and "R1" in jobs
    # The plan is valid for the problem after the events, checked by plain `optikit check`.
    assert optikit("check", amended, out).exit_code == 0


def test_json_output(tmp_path: Path) -> None:
    problem, old, events = tmp_path / "p.json", tmp_path / "old.json", tmp_path / "ev.json"
    problem.write_text(json.dumps(shop()))
    old.write_text(json.dumps(plan()))
    events.write_text(json.dumps({"now": 5, "events": [{"type": "cancel", "job": "C"}]}))
    result = optikit("replan", problem, old, events, "--json", "--time-limit", "30",
                     "--threads", "1")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["replan"]["cancelled"] == ["C"] and doc["objective"] == 8


@pytest.mark.parametrize(("events", "expected"), [
    ("now: 5\nevents:\n  - {type: machine_down, machine: M9, start: 1, end: 2}\n",
     "ev.yaml: events[0].machine: unknown machine 'M9'"),
    ("now: 5\nevents:\n  - {type: cancel}\n", "ev.yaml: events[0].job: is required"),
    ("events: []\n", "ev.yaml: now: is required"),
    ("now: 5\nevents:\n  - {type: slow_down}\n", "ev.yaml: events[0].type: must be one of"),
])
def test_bad_events_exit_2_with_one_line(tmp_path: Path, events: str, expected: str) -> None:
    problem, old, ev = tmp_path / "p.json", tmp_path / "old.json", tmp_path / "ev.yaml"
    problem.write_text(json.dumps(shop()))
    old.write_text(json.dumps(plan()))
    ev.write_text(events)
    result = optikit("replan", problem, old, ev)
    assert result.exit_code == 2
    assert expected in result.output and len(result.output.strip().splitlines()) == 1


def test_invalid_old_plan_and_unsupported_type_exit_2(tmp_path: Path) -> None:
    problem, old, ev = tmp_path / "p.json", tmp_path / "old.json", tmp_path / "ev.yaml"
    problem.write_text(json.dumps(shop()))
    broken = plan()
    broken["solution"]["operations"][0]["start"] = 1  # A0 now overlaps B1 on M1 ... and more
    old.write_text(json.dumps(broken))
    ev.write_text("now: 5\n")
    result = optikit("replan", problem, old, ev)
    assert result.exit_code == 2 and "old.json: solution: is not a valid plan" in result.output
    blend = ROOT / "problems" / "blend" / "blast_furnace_burden.yaml"
    result = optikit("replan", blend, old, ev)
    assert result.exit_code == 2
    assert "type blend does not support re-planning" in result.output
