"""The maintenance plugin inside optikit's repository: a built-in registered through the
entry point like the others, its samples in problems/maintenance, and cheap to load."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBLEMS = ROOT / "problems" / "maintenance"


def test_registered_through_optikits_entry_point_like_the_other_built_ins() -> None:
    dist = importlib.metadata.distribution("optikit")
    points = {ep.name: ep for ep in dist.entry_points if ep.group == "optikit"}
    assert points["maintenance"].value == "optikit_maintenance"
    module = points["maintenance"].load()
    assert Path(module.__file__).resolve().parent == ROOT / "plugins" / "optikit_maintenance"


def test_repository_samples_are_the_shipped_samples() -> None:
    import optikit_maintenance

    shipped = {Path(p).name: Path(p).read_text() for p in optikit_maintenance.SAMPLES}
    in_repo = {p.name: p.read_text() for p in sorted(PROBLEMS.glob("*.yaml"))}
    assert shipped and in_repo == shipped


def test_repository_samples_validate(optikit_cli: Any) -> None:
    cli = optikit_cli(entry_points=True, load=["maintenance"])
    result = cli.invoke("validate", *sorted(PROBLEMS.glob("*.yaml")))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("valid maintenance problem") == len(list(PROBLEMS.glob("*.yaml")))


def test_importing_the_plugin_loads_no_solver_or_plotting_library() -> None:
    code = (
        "import sys, optikit_maintenance\n"
        "heavy = [m for m in ('ortools', 'matplotlib', 'pulp', 'highspy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name", ["press-line", "rul-deadlines", "risk-tradeoff"])
def test_summary_rows_explain_the_costs(optikit_cli: Any, name: str) -> None:
    cli = optikit_cli(entry_points=True, load=["maintenance", "ortools"])
    result = cli.invoke("solve", PROBLEMS / f"{name}.yaml", "--threads", "1")
    assert result.exit_code == 0, result.output
    for label in ("downtime cost", "weighted tardiness", "late jobs"):
        assert label in result.stdout
