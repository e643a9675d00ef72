"""Infeasible maintenance instances explain themselves (see
:mod:`tests.scheduling.diagnosis_helpers` for what is asserted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from optikit.cli import cli
from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.types import SolveContext, SolveOptions
from tests.scheduling.diagnosis_helpers import (
    assert_each_fix_works,
    constraints,
    diagnosis_of,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "problems" / "maintenance" / "crew-clash.yaml"


@pytest.fixture(scope="module")
def registry() -> Any:
    return get_registry()


def test_maintenance_crew_clash_sample(registry: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["solve", str(SAMPLE), "--threads", "2",
                                      "--time-limit", "10", "-o", str(out)])
    assert result.exit_code == 3, result.output
    assert "crews[0].size" in result.output
    diagnosis = json.loads(out.read_text())["analysis"]["diagnosis"]
    assert constraints(diagnosis) == {"tasks[0].window.end", "tasks[1].window.end",
                                      "crews[0].size"}
    size = next(c for c in diagnosis["conflicts"] if c["constraint"] == "crews[0].size")
    assert size["relaxed_limit"] == 4
    document = yaml.safe_load(SAMPLE.read_text())
    assert_each_fix_works(registry, document, diagnosis)


def maintenance_plant() -> dict[str, Any]:
    return {
        "type": "maintenance",
        "horizon": 30,
        "machines": [{"id": "cnc-1", "downtime_cost": 50, "rul": 5, "rul_safety": 2},
                     {"id": "cnc-2", "downtime_cost": 50}],
        "crews": [{"id": "tech", "size": 1}],
        "tasks": [{"id": "spindle", "machine": "cnc-1", "duration": 4, "crew": "tech",
                   "window": {"start": 6, "end": 30}}],
        "jobs": [{"id": "order", "due": 12,
                  "operations": [{"modes": [{"machine": "cnc-2", "duration": 5}]}]}],
    }


def test_maintenance_rul_deadline_before_any_possible_start(registry: Any) -> None:
    document = maintenance_plant()
    diagnosis = diagnosis_of(registry, document)
    assert constraints(diagnosis) == {"tasks[0].window.start", "machines[0].rul"}
    by_name = {c["constraint"]: c for c in diagnosis["conflicts"]}
    assert by_name["machines[0].rul"]["relaxed_limit"] == 8  # start 6 + safety 2
    assert by_name["tasks[0].window.start"]["relaxed_limit"] == 3
    assert_each_fix_works(registry, document, diagnosis)


def test_maintenance_tasks_blocked_by_a_job_and_the_shared_crew(registry: Any) -> None:
    # Two renewals on different machines, one technician, both due by hour 6 (RUL 8,
    # safety 2), each 4 hours long: they cannot both start by 6.
    document = maintenance_plant()
    document["machines"] = [
        {"id": "cnc-1", "downtime_cost": 50, "rul": 8, "rul_safety": 2},
        {"id": "cnc-2", "downtime_cost": 50, "rul": 8, "rul_safety": 2},
    ]
    document["tasks"] = [
        {"id": f"spindle-{i}", "machine": f"cnc-{i}", "duration": 4, "crew": "tech",
         "window": {"start": 3, "end": 30}} for i in (1, 2)
    ]
    diagnosis = diagnosis_of(registry, document)
    names = constraints(diagnosis)
    assert {"machines[0].rul", "machines[1].rul"} <= names
    assert names <= {"machines[0].rul", "machines[1].rul", "crews[0].size",
                     "tasks[0].window.start", "tasks[1].window.start"}
    assert_each_fix_works(registry, document, diagnosis)


def test_maintenance_diagnosis_out_of_time_says_so(registry: Any) -> None:
    from optikit_maintenance.diagnosis import diagnose

    loaded = load_document(maintenance_plant(), registry, source="t")
    report, _ = diagnose(loaded.problem, SolveContext(SolveOptions(time_limit=1e-9)))
    assert report["complete"] is False and "stopped early" in report["summary"]


def test_maintenance_working_time_alone_is_named(registry: Any) -> None:
    # cnc-2 works [0, 4) and [8, 12) of every 12 hours.  The order's second 3-hour
    # operation cannot start before 8 and ends at 11, past the horizon of 10.
    document = maintenance_plant()
    document["horizon"] = 10
    document["machines"] = [{"id": "cnc-1", "downtime_cost": 50},
                            {"id": "cnc-2", "downtime_cost": 50, "calendar": "shifts"}]
    document["calendars"] = {"shifts": {"working": [{"start": 0, "end": 4},
                                                    {"start": 8, "end": 12}],
                                        "repeat": 12}}
    document["tasks"][0]["window"] = {"start": 0, "end": 10}
    document["jobs"] = [{"id": "order", "due": 10, "operations": [
        {"modes": [{"machine": "cnc-2", "duration": 3}]},
        {"modes": [{"machine": "cnc-2", "duration": 3}]}]}]
    diagnosis = diagnosis_of(registry, document)
    assert constraints(diagnosis) == {"jobs[0]"}
    (job,) = diagnosis["conflicts"]
    assert job["relaxed_limit"] == 11
    assert_each_fix_works(registry, document, diagnosis)
