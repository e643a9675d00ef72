"""Infeasible energy-scheduling and maintenance instances explain themselves.

Each hand-made instance has one known conflict; the diagnosis must name its members, and
moving any member by the relaxation it reports must make the instance feasible (checked
by solving the relaxed instance again, with the same formulation).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from optikit.cli import cli
from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.runner import solve
from optikit.types import SolveContext, SolveOptions

ROOT = Path(__file__).resolve().parents[2]
ENERGY_SAMPLE = ROOT / "problems" / "energy-scheduling" / "infeasible" / "short_night_shift.yaml"
MAINTENANCE_SAMPLE = ROOT / "problems" / "maintenance" / "crew-clash.yaml"


@pytest.fixture(scope="module")
def registry() -> Any:
    return get_registry()


def run(registry: Any, document: dict[str, Any], solver: str = "cpsat") -> dict[str, Any]:
    loaded = load_document(copy.deepcopy(document), registry, source="test")
    extra = {"baseline": "false"} if document["type"] == "energy-scheduling" else {}
    options = SolveOptions(time_limit=10, threads=2, seed=0, extra=extra)
    result = solve(loaded, registry, solver=solver, options=options)
    assert result.exit_code == (3 if result.document["status"] == "infeasible" else
                                result.exit_code)
    return result.document


def diagnosis_of(registry: Any, document: dict[str, Any], solver: str = "cpsat"
                 ) -> dict[str, Any]:
    doc = run(registry, document, solver)
    assert doc["status"] == "infeasible", doc.get("message")
    diagnosis = doc["analysis"]["diagnosis"]
    assert diagnosis["complete"], diagnosis["summary"]
    return diagnosis


def relaxed(document: dict[str, Any], conflict: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the conflict's constraint moved to its reported relaxed limit."""
    out = copy.deepcopy(document)
    path, value = conflict["constraint"], conflict["relaxed_limit"]
    if path == "horizon":
        out["horizon"] = value
        last = max(out["tariff"], key=lambda p: p["end"])
        last["end"] = value  # the tariff must cover the longer plan
    elif path == "peak_power":
        out["peak_power"] = value
    elif m := re.fullmatch(r"tasks\[(\d+)\]\.window\.(start|end)", path):
        out["tasks"][int(m[1])]["window"][m[2]] = value
    elif m := re.fullmatch(r"(machines|crews)\[(\d+)\]\.(rul|size)", path):
        out[m[1]][int(m[2])][m[3]] = value
    else:
        raise AssertionError(f"no way to relax {path}")
    return out


def assert_each_fix_works(registry: Any, document: dict[str, Any],
                          diagnosis: dict[str, Any], solver: str = "cpsat") -> None:
    fixes = [c for c in diagnosis["conflicts"] if c.get("relaxed_limit") is not None
             and (c.get("scope") == "instance" or c["constraint"] == "horizon")]
    assert fixes
    for conflict in fixes:
        assert conflict["relaxation"] > 0
        doc = run(registry, relaxed(document, conflict), solver)
        assert doc["status"] in ("optimal", "feasible"), (conflict, doc.get("message"))
        assert doc["check"]["feasible"]


def constraints(diagnosis: dict[str, Any]) -> set[str]:
    return {c["constraint"] for c in diagnosis["conflicts"]}


# --- energy-scheduling ------------------------------------------------------------------


def energy_shop(horizon: int, peak: float | None, jobs: list[dict[str, Any]],
                machines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": "energy-scheduling",
        "time_step": 60,
        "horizon": horizon,
        "tariff": [{"start": 0, "end": horizon, "price": 50, "carbon": 0.2}],
        "machines": machines or [{"id": "M1", "idle_power": 10},
                                 {"id": "M2", "idle_power": 10, "startup_energy": 5}],
        "jobs": jobs,
    }
    if peak is not None:
        doc["peak_power"] = peak
    return doc


def op(*modes: tuple[str, int, float]) -> dict[str, Any]:
    return {"modes": [{"machine": m, "duration": d, "power": p} for m, d, p in modes]}


@pytest.mark.parametrize("solver", ["cpsat", "highs"])
def test_energy_horizon_too_short_for_a_chain(registry: Any, solver: str) -> None:
    document = energy_shop(6, None, [
        {"id": "long", "operations": [op(("M1", 3, 40)), op(("M2", 3, 40)),
                                      op(("M1", 2, 40))]},
        {"id": "short", "operations": [op(("M2", 1, 30))]},
    ])
    diagnosis = diagnosis_of(registry, document, solver)
    assert constraints(diagnosis) == {"horizon", "jobs[0]"}
    job = next(c for c in diagnosis["conflicts"] if c["constraint"] == "jobs[0]")
    assert job["earliest_end"] == 8 and job["relaxation"] == 2
    horizon = next(c for c in diagnosis["conflicts"] if c["constraint"] == "horizon")
    assert horizon["relaxed_limit"] == 8
    assert "long" in diagnosis["summary"]
    assert_each_fix_works(registry, document, diagnosis, solver)


def test_energy_peak_cap_below_a_mode_power(registry: Any) -> None:
    document = energy_shop(10, 70, [
        {"id": "hot", "operations": [op(("M1", 2, 85))]},
        {"id": "cool", "operations": [op(("M2", 2, 30))]},
    ])
    diagnosis = diagnosis_of(registry, document)
    assert constraints(diagnosis) == {"peak_power"}
    (peak,) = diagnosis["conflicts"]
    assert peak["relaxation"] == pytest.approx(15.0)
    assert peak["relaxed_limit"] == pytest.approx(85.0)
    assert_each_fix_works(registry, document, diagnosis)


def test_energy_idle_power_of_an_always_on_machine_counts(registry: Any) -> None:
    # M1 cannot switch off: it idles at 10 kW between its two operations, while M2 runs
    # the 60 kW operation between them: 70 kW, however long the horizon.
    document = energy_shop(6, 65, [
        {"id": "a", "operations": [op(("M1", 2, 50)), op(("M2", 2, 60)),
                                   op(("M1", 2, 50))]},
    ])
    diagnosis = diagnosis_of(registry, document)
    assert constraints(diagnosis) == {"peak_power"}
    (peak,) = diagnosis["conflicts"]
    assert peak["relaxed_limit"] == pytest.approx(70.0)
    assert_each_fix_works(registry, document, diagnosis)


def test_energy_sample_through_the_cli(registry: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["solve", str(ENERGY_SAMPLE), "--threads", "2",
                                      "--time-limit", "10", "-o", str(out)])
    assert result.exit_code == 3, result.output
    assert "why:" in result.output and "peak_power" in result.output
    diagnosis = json.loads(out.read_text())["analysis"]["diagnosis"]
    assert {"horizon", "peak_power"} <= constraints(diagnosis)
    document = yaml.safe_load(ENERGY_SAMPLE.read_text())
    assert_each_fix_works(registry, document, diagnosis)


def test_energy_diagnosis_out_of_time_says_so(registry: Any) -> None:
    from optikit_energy.diagnosis import diagnose

    loaded = load_document(yaml.safe_load(ENERGY_SAMPLE.read_text()), registry, source="t")
    ctx = SolveContext(SolveOptions(time_limit=1e-9))
    report, stats = diagnose(loaded.problem, ctx)
    assert report["complete"] is False and "stopped early" in report["summary"]
    assert stats["diagnosis_solves"] == 0


# --- maintenance --------------------------------------------------------------------------


def test_maintenance_crew_clash_sample(registry: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["solve", str(MAINTENANCE_SAMPLE), "--threads", "2",
                                      "--time-limit", "10", "-o", str(out)])
    assert result.exit_code == 3, result.output
    assert "crews[0].size" in result.output
    diagnosis = json.loads(out.read_text())["analysis"]["diagnosis"]
    assert constraints(diagnosis) == {"tasks[0].window.end", "tasks[1].window.end",
                                      "crews[0].size"}
    size = next(c for c in diagnosis["conflicts"] if c["constraint"] == "crews[0].size")
    assert size["relaxed_limit"] == 4
    document = yaml.safe_load(MAINTENANCE_SAMPLE.read_text())
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
