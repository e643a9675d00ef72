"""The command line: solve with summary and chart, check, generate; the documented example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from optikit.testing import OptikitCli
from tests.pooling.conftest import ROOT, SAMPLES


@pytest.fixture(scope="module")
def cli() -> OptikitCli:
    from optikit.plugins import get_registry

    return OptikitCli(get_registry())


def test_solve_prints_the_planner_summary_and_draws(cli: OptikitCli, tmp_path: Path) -> None:
    chart = tmp_path / "net.png"
    result = cli.invoke("solve", SAMPLES / "refinery_gasoline_diesel.yaml", "--threads", "1",
                        "--gantt", chart)
    assert result.exit_code == 0, result.output
    assert "min binds" in result.stdout and "max binds" in result.stdout
    assert "value of +1 unit" in result.stdout
    assert "G1:" in result.stdout and "kbbl/d" in result.stdout
    assert chart.stat().st_size > 10_000


def test_solve_then_check(cli: OptikitCli, tmp_path: Path) -> None:
    out = tmp_path / "h1.json"
    result = cli.invoke("solve", SAMPLES / "haverly1.yaml", "--threads", "1", "-o", out,
                        "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["status"] == "optimal" and document["objective"] == pytest.approx(400)
    assert cli.invoke("check", SAMPLES / "haverly1.yaml", out).exit_code == 0
    document["solution"]["flows"][0]["amount"] += 5.0
    out.write_text(json.dumps(document))
    assert cli.invoke("check", SAMPLES / "haverly1.yaml", out).exit_code == 1


def test_bad_file_is_one_line_naming_the_field(cli: OptikitCli, tmp_path: Path) -> None:
    document = yaml.safe_load((SAMPLES / "haverly1.yaml").read_text())
    document["arcs"][3]["to"] = "p9"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(document))
    result = cli.invoke("solve", bad)
    assert result.exit_code == 2
    assert "arcs[3].to: unknown node 'p9'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_generate_large_is_randstd_sized(cli: OptikitCli, tmp_path: Path) -> None:
    out = tmp_path / "large.json"
    assert cli.invoke("generate", "pooling", "--size", "large", "--seed", "3",
                      "-o", out).exit_code == 0
    document = json.loads(out.read_text())
    assert 20 <= len(document["inputs"]) <= 60
    assert 15 <= len(document["pools"]) <= 30
    assert 15 <= len(document["products"]) <= 50
    assert cli.invoke("validate", out).exit_code == 0


def test_the_documented_example_solves_to_400(cli: OptikitCli, tmp_path: Path) -> None:
    text = (ROOT / "docs" / "contract.md").read_text()
    section = text[text.index("### type: pooling"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert example is not None
    problem = tmp_path / "example.yaml"
    problem.write_text(example.group(1))
    result = cli.invoke("solve", problem, "--threads", "1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["objective"] == pytest.approx(400.0)


@pytest.mark.parametrize("name,optimum", [("haverly1", 400), ("haverly2", 600),
                                          ("haverly3", 750)])
def test_haverly_samples_are_the_literature_instances(name: str, optimum: int) -> None:
    """The samples carry their source and optimum, and the data of the benchmark files
    (whose optima test_literature proves)."""
    from tests.pooling.conftest import instance

    text = (SAMPLES / f"{name}.yaml").read_text()
    assert f"profit {optimum}" in text and "Haverly (1978)" in text
    sample = yaml.safe_load(text)
    source = instance(name)
    for key in ("qualities", "inputs", "pools", "products", "arcs"):
        assert sample[key] == source[key]
