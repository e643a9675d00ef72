"""The maintenance plugin inside optikit's repository: installed like a vendor's plugin,
its samples in problems/maintenance, and cheap to load."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.maintenance.vendor import NOT_INSTALLED, PLUGIN

pytest.importorskip("optikit_maintenance", reason=NOT_INSTALLED)

PROBLEMS = Path(__file__).resolve().parents[2] / "problems" / "maintenance"


def test_installed_as_its_own_distribution_through_the_entry_point() -> None:
    dist = importlib.metadata.distribution("optikit-maintenance")
    points = [ep for ep in dist.entry_points if ep.group == "optikit"]
    assert [(ep.name, ep.value) for ep in points] == [("maintenance", "optikit_maintenance")]
    module = points[0].load()
    assert Path(module.__file__).resolve().is_relative_to(PLUGIN / "src")


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
