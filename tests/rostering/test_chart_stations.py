"""Stations in the roster chart and the shipped sample where two stations compete for one
person: labels in the cells, a marker legend per station, a cover row per shift and station
with the uncovered post in red; the sample solves checked with its crane gaps explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from optikit_rostering.chart import draw, station_labels
from optikit_rostering.model import parse

import optikit
from tests.rostering.conftest import SAMPLES
from tests.rostering.test_stations import dual


def test_station_labels_are_short_and_unique() -> None:
    roster = parse(dual(cover=[{"shift": "D", "skill": k, "requirement": 1}
                               for k in ("press", "forklift", "first-aid", "crane")]))
    assert station_labels(roster) == {"crane": "C", "first-aid": "FI", "forklift": "FO",
                                      "press": "P"}


def test_chart_names_each_persons_station_and_marks_the_open_post(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    roster = parse(dual())
    # ann welds; nobody stands at first aid: the first-aid row of the strip shows -1.
    payload = {"assignments": [{"employee": "ann", "day": 0, "shift": "D", "skill": "weld"},
                               {"employee": "bo", "day": 0, "shift": "D", "skill": None}]}
    out = tmp_path / "roster.svg"
    draw(roster, {"name": "dual", "solution": payload}, out)
    svg = out.read_text()
    for text in (">D:W<", "station first-aid (F; cell D:F = shift D at first-aid)",
                 "station weld (W)", ">D weld<", ">D first-aid<", "per shift, then per station",
                 ">-1<"):
        assert text in svg, text
    assert ">D:F<" not in svg


def test_competing_stations_sample_solves_with_its_crane_gaps() -> None:
    problem = optikit.load(SAMPLES / "coil_press_crane.yaml")
    # Proven in about 3.5 s on a quiet machine; the limit leaves room for a loaded one.
    solution = optikit.solve(problem, time_limit=15, threads=2)
    assert solution.check is not None and solution.check.ok, solution.document.get("message")
    assert solution.solution is not None
    # On Wednesday and Thursday of week 2 park is the only crane licence holder on site and
    # works one shift a day: one crane shift a day stays open (2 x 80) whatever the roster.
    assert solution.objective is not None and solution.objective >= 160
    summarize = optikit.problem_types()["rostering"].summarize
    assert summarize is not None
    rows = dict(summarize(problem.problem,
                                                               solution.document))
    assert "station crane" in rows and "station press" in rows
    assert "crane" in rows["cover gaps"]
    if str(solution.status) == "optimal":
        assert solution.objective == 160
        assert "day 9 (Wed)" in rows["cover gaps"] and "day 10 (Thu)" in rows["cover gaps"]


def test_interactive_grid_names_the_station() -> None:
    pytest.importorskip("plotly")
    from optikit.plotting.interactive import figure
    from optikit.plugins import get_registry
    from optikit.sheets.export import plant_sheets

    registry = get_registry()
    document = {"type": "rostering", "name": "dual", "solution": {"assignments": [
        {"employee": "ann", "day": 0, "shift": "D", "skill": "weld"},
        {"employee": "bo", "day": 0, "shift": "D", "skill": None}]}}
    fig, what = figure(plant_sheets(document, parse(dual()), registry), document)
    assert what.startswith("roster grid")
    assert sorted(fig.data[0].text[k][0] for k in range(2)) == ["D", "D:weld"]
