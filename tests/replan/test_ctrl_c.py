"""Ctrl-C during ``optikit replan``, through the installed command.

The promise is ``solve``'s: the first Ctrl-C stops within 3 s and writes the best checked
plan so far, marked ``interrupted`` (a re-plan always has one: the old plan repaired,
worked out before any model is built).  The run is started with a long limit, SIGINT goes
to its process group once the first incumbent is on stderr (``-v``), and the new plan must
pass ``optikit check`` against the problem after the events (``--problem-out``).
The helpers are the ``solve`` Ctrl-C tests' own (tests/robustness/test_signals.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from optikit import api
from tests.robustness.test_signals import MK10, assert_kept_promise, interrupt_once

pytestmark = [pytest.mark.serial,
              pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")]

ROOT = Path(__file__).resolve().parents[2]
ENERGY = ROOT / "problems" / "energy-scheduling"


def _interrupted_replan(problem: Path, plan: Path, events: Path, tmp_path: Path) -> None:
    out, amended = tmp_path / "new.json", tmp_path / "after.json"
    result = interrupt_once(problem, out, str(plan), str(events), "--problem-out",
                            str(amended), "--time-limit", "60", command="replan",
                            settle_s=0.0)
    assert_kept_promise(amended, result, out)
    assert result.document is not None and result.document["status"] == "feasible"
    check = result.document["check"]
    assert isinstance(check, dict) and check["feasible"] and "replan" in result.document


def test_ctrl_c_keeps_the_repaired_plan_of_an_energy_replan(tmp_path: Path) -> None:
    """The sample's first incumbent is the repaired old plan; CP-SAT would improve it
    within a second, so the Ctrl-C right after it usually answers with that plan."""
    _interrupted_replan(ENERGY / "toy_full.yaml", ENERGY / "replan" / "toy_full_plan.json",
                        ENERGY / "replan" / "toy_full_events.yaml", tmp_path)


def test_ctrl_c_keeps_the_best_plan_of_a_replan_still_searching(tmp_path: Path) -> None:
    """mk10 (Brandimarte): the re-plan searches to any limit, so the Ctrl-C surely lands
    mid-search.  The old plan is a one-second solve."""
    old = api.solve(MK10, time_limit=1.0, threads=1)
    assert old.document["status"] == "feasible", old.document.get("message")
    plan, events = tmp_path / "old.json", tmp_path / "events.json"
    plan.write_text(json.dumps(old.document))
    events.write_text(json.dumps({"type": "fjsp", "now": 10, "events": [
        {"type": "machine_down", "machine": "M1", "start": 10, "end": 60}]}))
    _interrupted_replan(MK10, plan, events, tmp_path)
