"""A re-plan whose time is gone before its model runs still answers with the checked
repaired old plan (``feasible``), for every type that re-plans.

The CLI runs are given a start-up that already ate the whole ``--time-limit 0.05`` (as on
a loaded machine, where loading optikit takes longer than that): whether the solve
thread answers or is abandoned at the deadline, the answer is the repaired plan.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from optikit import api
from optikit.cli import cli
from optikit.plugins import get_registry

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {
    "fjsp": ("fjsp", "machining_cell"),
    "energy-scheduling": ("energy-scheduling", "toy_full"),
    "maintenance": ("maintenance", "press-line"),
}


def _files(kind: str) -> list[Path]:
    folder, name = SAMPLES[kind]
    base = ROOT / "problems" / folder
    return [base / f"{name}.yaml", base / "replan" / f"{name}_plan.json",
            base / "replan" / f"{name}_events.yaml"]


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_a_tiny_time_limit_answers_with_the_checked_repair(
    kind: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    start_up = time.monotonic() - 3.0  # the limit was used up before the command ran
    monkeypatch.setattr("optikit.cli.replan_cmd.command_started", lambda: start_up)
    out = tmp_path / "new.json"
    result = CliRunner().invoke(cli, ["replan", *map(str, _files(kind)), "--time-limit",
                                      "0.05", "--threads", "1", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["status"] == "feasible" and doc["check"]["feasible"], doc.get("message")
    assert doc["objective"] == doc["stats"]["repair_objective"]
    assert doc["replan"]["operations_compared"] > 0


def test_an_abandoned_replan_answers_with_the_repair_and_a_solve_with_nothing() -> None:
    registry = get_registry()
    plan = api.replan_plan(*_files("energy-scheduling"), registry=registry, time_limit=0.05)
    found = api.abandoned(plan, 1.5, registry=registry)
    assert found.exit_code == 0 and found.status.value == "feasible"
    assert found.check is not None and found.check.feasible
    assert "the old plan repaired" in found.document["message"]
    solve = api.plan(_files("energy-scheduling")[0], registry=registry, time_limit=0.05)
    assert api.abandoned(solve, 1.5, registry=registry).solution is None
