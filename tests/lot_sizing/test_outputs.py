"""Summary rows in planner terms and the chart, through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from optikit.cli import cli
from tests.lot_sizing.conftest import two_items


def test_summary_and_chart(tmp_path: Path) -> None:
    problem = tmp_path / "two.json"
    problem.write_text(json.dumps(two_items()))
    chart = tmp_path / "plan.png"
    result = CliRunner().invoke(cli, ["solve", str(problem), "--threads", "1",
                                      "--gantt", str(chart)])
    assert result.exit_code == 0, result.output
    for words in ("cost drivers", "setups", "capacity load", "M: mean", "stock",
                  "service level", "purchases"):
        assert words in result.stdout, words
    assert chart.stat().st_size > 1000
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_check_command_on_a_written_solution(tmp_path: Path) -> None:
    problem = tmp_path / "two.json"
    problem.write_text(json.dumps(two_items()))
    solution = tmp_path / "sol.json"
    runner = CliRunner()
    solved = runner.invoke(cli, ["solve", str(problem), "--threads", "1", "-o", str(solution),
                                 "--formulation", "bigm"])
    assert solved.exit_code == 0, solved.output
    assert runner.invoke(cli, ["check", str(problem), str(solution)]).exit_code == 0
    doc = json.loads(solution.read_text())
    doc["solution"]["production"] = []
    solution.write_text(json.dumps(doc))
    assert runner.invoke(cli, ["check", str(problem), str(solution)]).exit_code == 1
