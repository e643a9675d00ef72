"""The backends as users meet them: ``optikit plugins`` and ``optikit solve --solver``.

The problem files are the blend samples shipped in ``problems/blend`` (an LP and a
MILP); the energy-scheduling generator supplies a CP-SAT model.  Every answer must have
passed the problem type's independent checker (the runner reports ``error`` otherwise).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from optikit.cli import cli
from optikit.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
LP_SAMPLE = ROOT / "problems" / "blend" / "whiskas_simplified.yaml"
MILP_SAMPLE = ROOT / "problems" / "blend" / "sinter_feed_exactly3_ores.yaml"
LINEAR = ["glop", "pdlp", "scip", "ortools-highs", "cbc", "pulp-highs"]
MILP = ["scip", "ortools-highs", "cbc", "pulp-highs"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def solve_json(path: Path, solver: str, *extra: str) -> tuple[int, dict]:
    code, out = run("solve", str(path), "--solver", solver, "--json", "--threads", "1", *extra)
    return code, json.loads(out)


def test_plugins_lists_every_backend_available() -> None:
    code, out = run("plugins", "--json")
    assert code == 0
    backends = {b["name"]: b for b in json.loads(out)["backends"]}
    for name in [*LINEAR, "cpsat"]:
        assert backends[name]["available"], backends[name]["reason"]
        assert backends[name]["version"]
    assert backends["cpsat"]["paradigm"] == "cp-sat"
    assert {backends[n]["paradigm"] for n in LINEAR} == {"linear"}
    assert not backends["glop"]["integer"] and not backends["pdlp"]["integer"]


@pytest.mark.skipif(not LP_SAMPLE.exists(), reason="blend samples not present")
@pytest.mark.parametrize("solver", LINEAR)
def test_solve_lp_sample_with_each_linear_backend(solver: str) -> None:
    code, doc = solve_json(LP_SAMPLE, solver, "--time-limit", "20")
    assert code == ExitCode.OK, doc
    assert doc["status"] == "optimal"
    assert doc["check"]["feasible"] is True
    _, reference = solve_json(LP_SAMPLE, "glop", "--time-limit", "20")
    assert doc["objective"] == pytest.approx(reference["objective"], rel=1e-6)


@pytest.mark.skipif(not MILP_SAMPLE.exists(), reason="blend samples not present")
@pytest.mark.parametrize("solver", MILP)
def test_solve_milp_sample_with_each_milp_backend(solver: str) -> None:
    code, doc = solve_json(MILP_SAMPLE, solver, "--time-limit", "30")
    assert code == ExitCode.OK, doc
    assert doc["status"] == "optimal"
    assert doc["check"]["feasible"] is True
    assert doc["objective"] == pytest.approx(436.279, rel=1e-5)


@pytest.mark.skipif(not MILP_SAMPLE.exists(), reason="blend samples not present")
def test_lp_only_backend_on_a_milp_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["solve", str(MILP_SAMPLE), "--solver", "glop"])
    assert result.exit_code == ExitCode.USAGE
    assert "glop" in result.output


def test_cpsat_solves_a_generated_scheduling_problem(tmp_path: Path) -> None:
    problem = tmp_path / "energy.yaml"
    code, out = run(
        "generate", "energy-scheduling", "--size", "tiny", "--seed", "1", "-o", str(problem)
    )
    if code != 0:
        pytest.skip(f"energy-scheduling generator not available: {out}")
    code, doc = solve_json(problem, "cpsat", "--time-limit", "10")
    assert code in (ExitCode.OK, ExitCode.NO_SOLUTION), doc
    if code == ExitCode.OK:
        assert doc["status"] in ("optimal", "feasible")
        assert doc["check"]["feasible"] is True
