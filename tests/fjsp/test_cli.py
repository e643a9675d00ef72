"""fjsp through the real command line (click's CliRunner on optikit.cli.cli)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from optikit.cli import cli
from tests.fjsp.conftest import SAMPLES, instance, tiny_shop


def optikit(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_solve_fjs_file_with_gantt_and_check(tmp_path: Path) -> None:
    out = tmp_path / "sol.json"
    chart = tmp_path / "chart.png"
    result = optikit("solve", instance("kacem1"), "--time-limit", "5", "--threads", "2",
                     "-o", out, "--gantt", chart)
    assert result.exit_code == 0, result.output
    assert "OPTIMAL" in result.output and "makespan" in result.output
    doc = json.loads(out.read_text())
    assert doc["type"] == "fjsp" and doc["name"] == "kacem1"
    assert doc["options"]["time_limit"] == 4.25  # 15 % of the limit is kept to draw the chart
    assert doc["objective"] == 11 and doc["solver"] == "cpsat"
    entry = doc["solution"]["operations"][0]
    assert set(entry) == {"job", "operation", "mode", "machine", "start", "end"}
    assert chart.read_bytes()[:4] == b"\x89PNG"
    assert optikit("check", instance("kacem1"), out).exit_code == 0
    # Move one operation onto another's slot: the check fails with exit code 1.
    ops = doc["solution"]["operations"]
    same = [o for o in ops if o["machine"] == ops[0]["machine"]]
    if len(same) > 1:
        same[1]["start"], same[1]["end"] = same[0]["start"], same[0]["start"] + (
            same[1]["end"] - same[1]["start"])
        out.write_text(json.dumps(doc))
        rejected = optikit("check", instance("kacem1"), out)
        assert rejected.exit_code == 1


@pytest.mark.serial  # a proof within 20 s: not beside a loaded parallel phase
def test_json_output_for_a_sample_with_html_gantt(tmp_path: Path) -> None:
    chart = tmp_path / "moulding.html"
    result = optikit("solve", SAMPLES / "moulding_changeovers.yaml", "--json", "--time-limit",
                     "20", "--threads", "2", "--gantt", chart)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["status"] == "optimal" and doc["objective"] == 26
    assert "changeover" in chart.read_text()


def test_milp_formulation_from_the_cli(tmp_path: Path) -> None:
    problem = tmp_path / "tiny.json"
    problem.write_text(json.dumps(tiny_shop()))
    result = optikit("solve", problem, "--solver", "highs", "--json", "--time-limit", "20")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "optimal"


def test_schema_and_unknown_option(tmp_path: Path) -> None:
    schema = optikit("schema", "fjsp")
    assert schema.exit_code == 0
    assert "setups" in json.loads(schema.stdout)["properties"]
    bad = optikit("solve", instance("sfjs01"), "--option", "bogus=1")
    assert bad.exit_code == 2 and "bogus" in bad.output
