"""The blend type through the real command line (click's CliRunner on optikit.cli.cli)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from optikit.cli import cli
from tests.blend.conftest import SAMPLES, small_blend


def optikit(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write(tmp_path: Path, document: dict[str, Any], name: str = "blend.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_solve_sample_summary() -> None:
    result = optikit("solve", str(SAMPLES / "sinter_feed_lp.yaml"), "--threads", "1")
    assert result.exit_code == 0, result.output
    assert "OPTIMAL" in result.stdout
    assert "cost per tonne" in result.stdout and "432.589" in result.stdout
    assert "tightening costs" in result.stdout


def test_solve_json_document(tmp_path: Path) -> None:
    result = optikit("solve", str(SAMPLES / "westerberg_steel.yaml"), "--json", "--threads", "1")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["type"] == "blend" and doc["status"] == "optimal"
    assert doc["objective"] == pytest.approx(8495.0)
    assert doc["solver"] == "highs"
    assert set(doc["solution"]) == {"amounts", "composition", "ratios"}
    assert doc["check"]["feasible"]


def test_check_accepts_and_rejects(tmp_path: Path) -> None:
    problem = write(tmp_path, small_blend())
    out = tmp_path / "solution.json"
    assert optikit("solve", str(problem), "-q", "-o", str(out)).exit_code == 0
    assert optikit("check", str(problem), str(out)).exit_code == 0
    doc = json.loads(out.read_text())
    doc["solution"]["amounts"]["ORE_A"] *= 0.5
    out.write_text(json.dumps(doc))
    rejected = optikit("check", str(problem), str(out))
    assert rejected.exit_code == 1
    assert "total" in rejected.stdout


def test_invalid_file_is_one_line_with_the_field(tmp_path: Path) -> None:
    document = small_blend()
    document["groups"].append({"name": "g", "materials": ["ORE_A", "FLUX", "ORE_Z"], "max": 1})
    path = write(tmp_path, document)
    for command in ("validate", "solve"):
        result = optikit(command, str(path))
        assert result.exit_code == 2, result.output
        message = result.stderr.strip()
        assert message.count("\n") == 0
        assert f"{path}: groups[1].materials[2]: unknown material 'ORE_Z'" in message


def test_infeasible_exit_3(tmp_path: Path) -> None:
    document = small_blend()
    document["specs"]["Fe"] = {"min": 61.0}
    result = optikit("solve", str(write(tmp_path, document)), "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["status"] == "infeasible"


def test_lp_only_solver_refused_for_a_milp() -> None:
    result = optikit("solve", str(SAMPLES / "sinter_feed_max3_ores.yaml"), "--solver", "glop")
    assert result.exit_code == 2
    assert "integer" in result.stderr


def test_schema_command_prints_the_schema() -> None:
    result = optikit("schema", "blend")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "materials" in schema["properties"]
    assert schema["properties"]["materials"]["items"]["properties"]["loss"]["description"]


def test_generate_then_validate_and_solve(tmp_path: Path) -> None:
    result = optikit("generate", "blend", "--size", "small-milp", "--seed", "3")
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(result.stdout)
    assert document["type"] == "blend" and len(document["materials"]) == 30
    path = tmp_path / "generated.yaml"
    path.write_text(result.stdout)
    assert optikit("validate", str(path)).exit_code == 0
    assert optikit("solve", str(path), "-q", "--threads", "1").exit_code == 0
    refused = optikit("generate", "blend", "--size", "gigantic")
    assert refused.exit_code == 2


def test_plugins_lists_blend_and_highs() -> None:
    result = optikit("plugins")
    assert result.exit_code == 0
    assert "blend" in result.stdout and "highs" in result.stdout
