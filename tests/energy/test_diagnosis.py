"""Infeasible energy-scheduling instances explain themselves (see
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
SAMPLE = ROOT / "problems" / "energy-scheduling" / "infeasible" / "short_night_shift.yaml"


@pytest.fixture(scope="module")
def registry() -> Any:
    return get_registry()


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
    result = CliRunner().invoke(cli, ["solve", str(SAMPLE), "--threads", "2",
                                      "--time-limit", "10", "-o", str(out)])
    assert result.exit_code == 3, result.output
    assert "why:" in result.output and "peak_power" in result.output
    diagnosis = json.loads(out.read_text())["analysis"]["diagnosis"]
    assert {"horizon", "peak_power"} <= constraints(diagnosis)
    document = yaml.safe_load(SAMPLE.read_text())
    assert_each_fix_works(registry, document, diagnosis)


def test_energy_diagnosis_out_of_time_says_so(registry: Any) -> None:
    from optikit_energy.diagnosis import diagnose

    loaded = load_document(yaml.safe_load(SAMPLE.read_text()), registry, source="t")
    ctx = SolveContext(SolveOptions(time_limit=1e-9))
    report, stats = diagnose(loaded.problem, ctx)
    assert report["complete"] is False and "stopped early" in report["summary"]
    assert stats["diagnosis_solves"] == 0


def test_energy_working_time_alone_is_named(registry: Any) -> None:
    # M1 works [0, 4) and [8, 12) of every 12 units, M2 always.  Job "chain" needs 3 units
    # on M1, 1 on M2, then 3 on M1 again: the second run on M1 cannot start before 8 and
    # ends at 11, past the horizon of 10, though 7 units of work fit in 10 with no calendar.
    document = energy_shop(10, None, [
        {"id": "chain", "operations": [op(("M1", 3, 40)), op(("M2", 1, 30)),
                                       op(("M1", 3, 40))]},
    ], machines=[{"id": "M1", "idle_power": 10, "calendar": "shifts"},
                 {"id": "M2", "idle_power": 10}])
    document["calendars"] = {"shifts": {"working": [{"start": 0, "end": 4},
                                                    {"start": 8, "end": 12}],
                                        "repeat": 12}}
    diagnosis = diagnosis_of(registry, document)
    assert constraints(diagnosis) == {"horizon", "jobs[0]"}
    job = next(c for c in diagnosis["conflicts"] if c["constraint"] == "jobs[0]")
    assert job["earliest_end"] == 11 and job["relaxation"] == 1
    assert_each_fix_works(registry, document, diagnosis)


def test_energy_pausing_operation_ends_after_its_pause(registry: Any) -> None:
    # An interruptible 6-unit operation on M1 (working [0, 4) and [8, 12)) started at 0
    # pauses over [4, 8) and ends at 10: a horizon of 9 is one unit short.
    pausing = op(("M1", 6, 40))
    pausing["interruptible"] = True
    document = energy_shop(9, 100, [{"id": "long-bake", "operations": [pausing]}],
                           machines=[{"id": "M1", "idle_power": 10, "calendar": "shifts"}])
    document["calendars"] = {"shifts": {"working": [{"start": 0, "end": 4},
                                                    {"start": 8, "end": 12}],
                                        "repeat": 12}}
    diagnosis = diagnosis_of(registry, document)
    assert "jobs[0]" in constraints(diagnosis)
    job = next(c for c in diagnosis["conflicts"] if c["constraint"] == "jobs[0]")
    assert job["earliest_end"] == 10
    assert "pause" in diagnosis["method"]
    assert_each_fix_works(registry, document, diagnosis)
