"""The overtime what-if: its pure parts, and ``optikit why-late`` without a calendar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from optikit.cli import cli
from optikit.types import UsageError
from optikit.whylate import extended_windows, overtime_amount, pick_machine
from tests.whylate.test_fjsp_summary import SOLUTION, fjsp_doc


def test_shifts_ending_before_the_late_completion_get_longer() -> None:
    windows = [(0, 480), (510, 960), (1440, 1920)]
    new, changed = extended_windows(windows, 60, until=1500)
    # the 30-unit gap is a break (kept); the shift ending at 960 ends at 1020; the one
    # still open at 1500 stays
    assert new == [(0, 480), (510, 1020), (1440, 1920)]
    assert changed == [{"start": 510, "end": 960, "new_end": 1020}]
    # openings waited for start earlier; through a break the two windows join
    new, changed = extended_windows(windows, 60, openings={510, 1440})
    assert new == [(0, 960), (1380, 1920)]
    assert [c["new_start"] for c in changed] == [480, 1380]


def test_overtime_amount_from_the_time_unit() -> None:
    assert overtime_amount({"time_unit": "second"}, 1.0, None)[0] == 3600
    assert overtime_amount({"time_unit": "hour"}, 2.0, None)[0] == 2
    units, note = overtime_amount({}, 1.0, None)
    assert units == 60 and "minutes assumed" in note
    assert overtime_amount({}, 1.0, 7) == (7, "7 time units (given)")
    with pytest.raises(UsageError):
        overtime_amount({"time_unit": "day"}, 1.0, None)


def test_pick_machine_by_weighted_lateness() -> None:
    entries = [{"bottleneck": "A", "weighted_lateness": 3.0},
               {"bottleneck": "B", "weighted_lateness": 2.0},
               {"bottleneck": "B", "weighted_lateness": 2.0}]
    assert pick_machine(entries) == "B"


def test_cli_without_calendar_says_there_is_no_shift(tmp_path: Path) -> None:
    problem, solution = tmp_path / "p.json", tmp_path / "s.json"
    problem.write_text(json.dumps(fjsp_doc()))
    solution.write_text(json.dumps(SOLUTION))
    result = CliRunner().invoke(cli, ["why-late", str(problem), str(solution), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [e["job"] for e in report["late"]] == ["A", "B", "C"]
    assert report["what_if"]["machine"] == "M1"
    assert "no shift calendar" in report["what_if"]["message"]
    assert "before" not in report["what_if"]  # nothing re-solved, no number guessed
    text = CliRunner().invoke(cli, ["why-late", str(problem), str(solution), "--no-what-if"])
    assert text.exit_code == 0 and "B late by 1: M1 (A, setup 1, B); bottleneck M1" in text.output


def test_cli_refuses_a_solution_that_fails_the_checker(tmp_path: Path) -> None:
    problem, solution = tmp_path / "p.json", tmp_path / "s.json"
    problem.write_text(json.dumps(fjsp_doc()))
    bad = json.loads(json.dumps(SOLUTION))
    bad["solution"]["operations"][2]["start"] = 3  # no room for the changeover
    bad["solution"]["operations"][2]["end"] = 5
    solution.write_text(json.dumps(bad))
    result = CliRunner().invoke(cli, ["why-late", str(problem), str(solution)])
    assert result.exit_code == 2 and "does not pass the checker" in result.output
