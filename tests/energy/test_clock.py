"""energy-scheduling with a ``start``: time 0 is a clock time and one unit is ``time_step``
minutes, so summaries, exports and charts show clock times; without it nothing changes.
A stored solution of the press-shop sample (15-minute units from Monday 06:00) is read,
nothing is solved."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from optikit_energy.clock import unit_name

from optikit.registry import Registry
from optikit.types import InputError
from tests.energy.conftest import SAMPLES, load, read

PRESS_SHOP = SAMPLES / "press_shop_two_shifts.yaml"
SOLUTION = Path(__file__).resolve().parents[1] / "plantdata/solutions/press_shop_two_shifts.json"


def _without_start(doc: dict[str, Any]) -> dict[str, Any]:
    """The same problem in plain units: no ``start``, the tool change as unit numbers."""
    plain = copy.deepcopy(doc)
    del plain["start"]
    plain["calendars"]["two-shifts-tool-change"]["downtime"] = [{"start": 96, "end": 112}]
    return plain


@pytest.fixture(scope="module")
def solution() -> dict[str, Any]:
    return json.loads(SOLUTION.read_text())


def test_start_is_reporting_only_the_problem_is_the_same(registry: Registry,
                                                         solution: dict[str, Any]) -> None:
    """The sample's clock times give the same calendars, so the same objective."""
    doc = read(PRESS_SHOP)
    timed, plain = load(registry, doc).problem, load(registry, _without_start(doc)).problem
    assert timed.shop.calendars == plain.shop.calendars
    assert plain.shop.clock is None and timed.shop.clock.seconds == 900
    assert timed.shop.clock.label(100) == "100 (2026-12-08 Tue 07:00)"
    checks = [load(registry, d).ptype.check(load(registry, d).problem, solution["solution"])
              for d in (doc, _without_start(doc))]
    assert checks[0].objective == pytest.approx(checks[1].objective)


def test_summary_shows_clock_times_and_is_unchanged_without_start(
    registry: Registry, solution: dict[str, Any]
) -> None:
    doc = read(PRESS_SHOP)
    doc["jobs"][0]["due"] = "2026-12-07T13:30"  # unit 30: A1 (done at 34) is late
    loaded = load(registry, doc)
    assert loaded.ptype.summarize is not None
    rows = dict(loaded.ptype.summarize(loaded.problem, solution))
    assert rows["makespan"] == "121 units = 30.25 h, ends at 121 (2026-12-08 Tue 12:15)"
    assert rows["peak at"] == "5 (2026-12-07 Mon 07:15)"
    assert rows["switch-ons OVEN"] == "5 (2026-12-07 Mon 07:15), 64 (2026-12-07 Mon 22:00)"
    assert rows["late jobs"] == ("1 of 6: A1 done 34 (2026-12-07 Mon 14:30), "
                                 "due 30 (2026-12-07 Mon 13:30)")
    assert any("A1 late by 4 x 15 min" in text for _, text in
               loaded.ptype.summarize(loaded.problem, solution))
    plain = load(registry, _without_start(read(PRESS_SHOP)))
    assert plain.ptype.summarize is not None
    plain_rows = dict(plain.ptype.summarize(plain.problem, solution))
    assert plain_rows["makespan"] == "121 units = 30.25 h"
    assert not {"peak at", "late jobs", "switch-ons OVEN"} & set(plain_rows)


def test_export_tables_have_clock_columns(registry: Registry, solution: dict[str, Any]) -> None:
    from optikit_energy.export import energy_tables

    tables = energy_tables(load(registry, read(PRESS_SHOP)).problem, solution)
    first = tables["schedule"][0]
    assert (first["start_time"], first["end_time"]) == ("2026-12-07T06:00", "2026-12-07T07:15")
    a1 = next(j for j in tables["jobs"] if j["job"] == "A1")
    assert (a1["due_time"], a1["completion_time"]) == ("2026-12-07T22:00", "2026-12-07T14:30")
    assert tables["tariff"][1]["start_time"] == "2026-12-07T08:00"
    assert {"machine": "OVEN", "time": 64, "clock_time": "2026-12-07T22:00"} in tables["switch_on"]
    ops = [{k: v for k, v in op.items() if not k.endswith("_time")}  # a solve without start
           for op in solution["solution"]["operations"]]
    unclocked = {**solution, "solution": {**solution["solution"], "operations": ops}}
    plain = energy_tables(load(registry, _without_start(read(PRESS_SHOP))).problem, unclocked)
    assert not any(k.endswith("_time") for t in plain.values() for r in t for k in r)


def test_charts_use_a_clock_axis(registry: Registry, solution: dict[str, Any]) -> None:
    pytest.importorskip("matplotlib")
    pytest.importorskip("plotly")
    from optikit_energy.gantt import figure as static_figure

    from optikit.plotting.interactive import figure
    from optikit.sheets.export import plant_sheets

    loaded = load(registry, read(PRESS_SHOP))
    fig = static_figure(loaded.problem, solution["solution"], document=solution)
    bottom = fig.axes[2]
    assert bottom.get_xlabel() == "clock time (time 0 = 2026-12-07 Mon 06:00)"
    assert [t.get_text() for t in bottom.get_xticklabels()][:2] == ["Mon 06:00", "Mon 12:00"]
    interactive, _what = figure(plant_sheets(solution, loaded.problem, registry), solution,
                                loaded.problem)
    assert interactive.layout.xaxis.type == "date"
    a1 = next(t for t in interactive.data if t.name == "job A1")
    assert a1.base[0] == "2026-12-07T06:00:00" and a1.x[0] == 8 * 15 * 60_000


@pytest.mark.parametrize(("change", "field"), [
    ({"start": "Monday 6 am"}, "start"),
    ({"time_unit": "minute"}, "time_unit"),  # the unit is time_step: no second one
    ({"time_step": 0.001}, "time_step"),  # a clock needs whole seconds
])
def test_bad_clock_is_one_error_naming_the_field(registry: Registry, change: dict[str, Any],
                                                 field: str) -> None:
    doc = {**read(PRESS_SHOP), **change}
    with pytest.raises(InputError, match=f"^test: {field}: "):
        load(registry, doc)


def test_cli_rejects_a_malformed_start_with_exit_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from optikit.cli import cli

    bad = tmp_path / "bad.yaml"
    bad.write_text(PRESS_SHOP.read_text().replace('start: "2026-12-07T06:00"',
                                                  'start: "2026-13-07T06:00"'))
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml: start: '2026-13-07T06:00' is not an ISO 8601" in result.output


def test_unit_names() -> None:
    assert [unit_name(s) for s in (60, 3600, 900, 30)] == [
        "minute", "hour", "15-minute step", "0.5-minute step"]
