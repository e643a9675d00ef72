"""optikit export: solution documents as CSV, xlsx and Parquet tables."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

SHOP = {
    "type": "fjsp",
    "machines": [{"id": "M1"}, {"id": "M2"}],
    "jobs": [
        {"id": "A", "due": 3, "operations": [{"modes": [{"machine": "M1", "duration": 2}]},
                                             {"modes": [{"machine": "M2", "duration": 2}]}]},
        {"id": "B", "operations": [{"modes": [{"machine": "M1", "duration": 1}]}]},
    ],
}
SOLUTION = {
    "type": "fjsp", "name": "shop", "status": "feasible", "objective": 4, "bound": 3,
    "solution": {"operations": [
        {"job": "A", "operation": 0, "mode": 0, "machine": "M1", "start": 0, "end": 2},
        {"job": "B", "operation": 0, "mode": 0, "machine": "M1", "start": 2, "end": 3},
        {"job": "A", "operation": 1, "mode": 0, "machine": "M2", "start": 2, "end": 4},
    ]},
}
BLEND = {"type": "blend", "status": "optimal", "objective": 10.5,
         "solution": {"amounts": {"ore": 2.5, "scrap": 1}, "composition": {"Fe": 60.0},
                      "ratios": {}}}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "shop.json").write_text(json.dumps(SHOP))
    (tmp_path / "sol.json").write_text(json.dumps(SOLUTION))
    return tmp_path / "shop.json", tmp_path / "sol.json"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh))


def test_schedule_with_lateness_from_the_problem(
    cli: Callable[..., Result], files: tuple[Path, Path], tmp_path: Path
) -> None:
    problem, solution = files
    out = tmp_path / "out"
    result = cli("export", solution, "--problem", problem, "-o", out)
    assert result.exit_code == 0, result.output
    schedule = _rows(out / "schedule.csv")
    assert [r["job"] for r in schedule] == ["A", "B", "A"]
    assert schedule[2]["late_by"] == "1" and schedule[2]["operation"] == "2"
    jobs = {r["job"]: r for r in _rows(out / "jobs.csv")}
    assert jobs["A"]["completion"] == "4" and jobs["A"]["late_by"] == "1"
    run = {r["key"]: r["value"] for r in _rows(out / "run.csv")}
    assert run["status"] == "feasible" and run["objective"] == "4"


def test_generic_tables_without_problem_and_xlsx(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    sol = tmp_path / "blend.json"
    sol.write_text(json.dumps(BLEND))
    out = tmp_path / "blend.xlsx"
    assert cli("export", sol, "-o", out).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["charge", "composition_vs_spec", "amounts", "composition", "run"]
    assert [c.value for c in wb["amounts"][2]] == ["ore", 2.5]
    run = {r[0].value: r[1].value for r in wb["run"].iter_rows()}
    assert run["solution.ratios"] == "{}"


def test_parquet(cli: Callable[..., Result], files: tuple[Path, Path], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow absent: parquet export untested")
    _, solution = files
    out = tmp_path / "pq"
    assert cli("export", solution, "--format", "parquet", "-o", out).exit_code == 0
    table = pq.read_table(out / "schedule.parquet")
    assert table.column("end").to_pylist() == [2, 3, 4]


def test_bad_inputs(cli: Callable[..., Result], files: tuple[Path, Path], tmp_path: Path) -> None:
    _, solution = files
    (tmp_path / "junk.json").write_text("[1]")
    for args in (("export", tmp_path / "junk.json", "-o", tmp_path / "o"),
                 ("export", solution, "--format", "xlsx", "-o", tmp_path / "o"),
                 ("export", solution, "--problem", "problems/blend/westerberg_steel.yaml",
                  "-o", tmp_path / "o")):
        result = cli(*args)
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


def test_solution_frames(files: tuple[Path, Path]) -> None:
    pytest.importorskip("pandas")
    import optikit
    from optikit.api import Solution

    problem, _ = files
    solution = Solution(SOLUTION, 0, optikit.load(problem))
    frame = solution.to_frame()
    assert list(frame["late_by"])[2] == 1
    assert set(solution.to_frames()) == {"schedule", "jobs", "operations", "run"}


def test_interactive_chart(
    cli: Callable[..., Result], files: tuple[Path, Path], tmp_path: Path
) -> None:
    pytest.importorskip("plotly", reason="plotly absent: charts untested")
    problem, solution = files
    out = tmp_path / "gantt.html"
    result = cli("chart", solution, "--problem", problem, "-o", out)
    assert result.exit_code == 0, result.output
    assert "gantt of schedule" in result.stderr
    page = out.read_text()
    assert "due date" in page and "shop (fjsp): schedule, 1 late - FEASIBLE, objective 4" in page
    assert cli("chart", solution, "-o", tmp_path / "x.png").exit_code == 2


def test_blend_charge_and_specs(cli: Callable[..., Result], tmp_path: Path) -> None:
    sol = tmp_path / "blend.json"
    sol.write_text(json.dumps({**BLEND, "solution": {"amounts": {"INGOT1": 5.0},
                                                     "composition": {"C": 4.0}}}))
    out = tmp_path / "out"
    result = cli("export", sol, "--problem", "problems/blend/westerberg_steel.yaml", "-o", out)
    assert result.exit_code == 0, result.output
    assert _rows(out / "charge.csv") == [
        {"material": "INGOT1", "tonnes": "5.0", "share_pct": "100.0", "cost": "1750.0"}]
    spec = _rows(out / "composition_vs_spec.csv")[0]
    assert spec["spec_min"] == "5.0" and spec["within_spec"] == "False"
