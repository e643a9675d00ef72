"""The plugin through optikit's command line, as installed (entry point ``maintenance``).

``optikit_cli`` comes from optikit's pytest plugin: a CLI bound to an isolated registry
(here the installed plugins this one needs, read with an empty environment).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

NEEDED = ["maintenance", "ortools"]


@pytest.fixture
def cli(optikit_cli: Any) -> Any:
    return optikit_cli(entry_points=True, load=NEEDED)


def test_plugin_is_registered_through_its_entry_point(cli: Any) -> None:
    report = json.loads(cli.invoke("plugins", "--json").stdout)
    record = next(p for p in report["plugins"] if p["name"] == "maintenance")
    assert record["status"] == "ok"
    assert "optikit_maintenance" in record["source"]
    assert "problem type maintenance" in record["provides"]


def test_solve_check_and_reject(cli: Any, samples: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "solution.json"
    result = cli.invoke("solve", samples["risk-tradeoff"], "--threads", "1", "-o", out)
    assert result.exit_code == 0, result.output
    assert "OPTIMAL" in result.stdout and "expected breakdowns" in result.stdout
    assert cli.invoke("check", samples["risk-tradeoff"], out).exit_code == 0
    document = json.loads(out.read_text())
    document["solution"]["maintenance"][0]["start"] = 0  # onto batch-1, wrong length too
    out.write_text(json.dumps(document))
    rejected = cli.invoke("check", samples["risk-tradeoff"], out)
    assert rejected.exit_code == 1
    assert "machine" in rejected.stdout


def test_gantt_png_and_html(cli: Any, samples: dict[str, Path], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    png, html = tmp_path / "plan.png", tmp_path / "plan.html"
    for target in (png, html):
        result = cli.invoke("solve", samples["press-line"], "--threads", "1", "-q",
                            "--gantt", target)
        assert result.exit_code == 0, result.output
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "<svg" in html.read_text()


def test_invalid_file_is_one_line_with_the_field(cli: Any, samples: dict[str, Path],
                                                 tmp_path: Path) -> None:
    document = yaml.safe_load(samples["rul-deadlines"].read_text())
    document["tasks"][1]["machine"] = "cnc-9"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(document))
    result = cli.invoke("solve", bad)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{bad}: tasks[1].machine: unknown machine 'cnc-9'" in lines[0]


def test_infeasible_exit_code(cli: Any, samples: dict[str, Path], tmp_path: Path) -> None:
    document = yaml.safe_load(samples["rul-deadlines"].read_text())
    document["machines"][0]["rul"] = 1  # the spindle job must start by -1
    path = tmp_path / "late.yaml"
    path.write_text(yaml.safe_dump(document))
    result = cli.invoke("solve", path, "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["status"] == "infeasible"


def test_generate_validate(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    assert cli.invoke("generate", "maintenance", "--size", "medium", "--seed", "4",
                      "-o", path).exit_code == 0
    assert json.loads(path.read_text())["type"] == "maintenance"
    assert cli.invoke("validate", path).exit_code == 0
