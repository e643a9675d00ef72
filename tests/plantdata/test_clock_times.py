"""Summaries, exports and chart axes in plant time: clock times when the file gives a
``start``, the file's ``time_unit`` otherwise (fjsp and maintenance; energy-scheduling
counts in ``time_step`` minutes and shows hours)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from optikit import api
from optikit.registry import Registry
from optikit.scheduling.export import schedule_tables

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = Path(__file__).parent / "solutions"


def _rows(loaded: Any, document: dict[str, Any]) -> dict[str, str]:
    return dict(loaded.ptype.summarize(loaded.problem, document))


def test_fjsp_with_start_reports_clock_times(registry: Registry) -> None:
    loaded = api.load(str(ROOT / "problems/fjsp/two_shift_cell.yaml"), registry=registry)
    document = json.loads((SOLUTIONS / "two_shift_cell.json").read_text())
    rows = _rows(loaded, document)
    assert rows["makespan"] == "4710 (2026-12-07 Mon 12:30)"
    assert "minutes x weight" in rows["total weighted tardiness"]
    tables = schedule_tables(loaded.problem, document)
    first = tables["schedule"][0]
    assert first["start_time"] == "2026-12-04T06:00"
    f600 = next(j for j in tables["jobs"] if j["job"] == "F600")
    assert f600["completion_time"] == "2026-12-07T12:30" and f600["due_time"]


def test_fjsp_without_start_names_the_time_unit(registry: Registry) -> None:
    loaded = api.load(str(ROOT / "problems/fjsp/moulding_changeovers.yaml"), registry=registry)
    document = json.loads((SOLUTIONS / "moulding_changeovers.json").read_text())
    rows = _rows(loaded, document)
    assert rows["makespan"].endswith(" time units")
    assert rows["changeovers"].endswith(" time units)")


def test_maintenance_start_gives_clock_times(registry: Registry, tmp_path: Path) -> None:
    sample = ROOT / "problems/maintenance/press-line.yaml"
    document = json.loads((SOLUTIONS / "press-line.json").read_text())
    plain = api.load(str(sample), registry=registry)
    assert _rows(plain, document)["production makespan"].endswith(" hours")
    doc = yaml.safe_load(sample.read_text())
    doc["start"] = "2026-12-07T06:00"
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(doc))
    loaded = api.load(str(tmp_path / "p.yaml"), registry=registry)
    rows = _rows(loaded, document)
    assert "(2026-12-0" in rows["production makespan"]
    task = next(v for k, v in rows.items() if k.strip() == "bearings-press-2")
    assert "(2026-12-07 Mon 06:00)" in task
    tables = schedule_tables(loaded.problem, document)
    assert tables["schedule"][0]["start_time"].startswith("2026-12-07T")
    assert all("due_time" in j for j in tables["jobs"])
    from optikit.sheets.export import plant_sheets

    sheets = {s.name: s for s in plant_sheets(document, loaded.problem, registry)}
    tasks = sheets["maintenance"]  # the plant table replaces the raw payload list
    assert "start_time" in tasks.header and "maintenance~2" not in sheets
    row = dict(zip(tasks.header, tasks.rows[0], strict=True))
    assert str(row["start_time"]).startswith("2026-12-07T")


def test_interactive_gantt_axis_shows_clock_times(registry: Registry) -> None:
    import pytest

    pytest.importorskip("plotly")
    from optikit.plotting.interactive import figure
    from optikit.sheets.export import plant_sheets

    loaded = api.load(str(ROOT / "problems/fjsp/two_shift_cell.yaml"), registry=registry)
    document = json.loads((SOLUTIONS / "two_shift_cell.json").read_text())
    fig, _what = figure(plant_sheets(document, loaded.problem, registry), document,
                        loaded.problem)
    assert fig.layout.xaxis.title.text.startswith("clock time (time 0 = 2026-12-04 Fri 06:00")
    assert fig.layout.xaxis.type == "date"  # clock ticks at any zoom
    a100 = next(t for t in fig.data if t.name == "job A100")
    assert a100.base[0] == "2026-12-04T06:00:00" and a100.x[0] == 120 * 60_000
    assert "non-working time" in {t.name for t in fig.data}  # the calendars, as in the PNG
