"""The judgement of benchmarks/limits/overshoot.py: what counts as over the time limit."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "limits" / "overshoot.py"


@pytest.fixture(scope="module")
def overshoot() -> ModuleType:
    spec = importlib.util.spec_from_file_location("overshoot_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


def test_target_is_ten_percent_or_one_second(overshoot: ModuleType) -> None:
    assert overshoot.allowed(1.0) == 1.0
    assert overshoot.allowed(5.0) == 1.0
    assert overshoot.allowed(30.0) == pytest.approx(3.0)


def test_runs_are_judged_only_when_they_reached_their_limit(overshoot: ModuleType) -> None:
    run = overshoot.Run
    late = run("blend", "highs", "large-milp", 2.0, "unknown", 4, 3.5, 4.2)
    on_time = run("blend", "scip", "large-milp", 2.0, "feasible", 0, 2.9, 3.6)
    early = run("maintenance", "highs", "small", 5.0, "optimal", 0, 0.4, 1.0)
    cut = run("blend-infeasible", "highs", "100000", 1.0, "infeasible", 3, 1.05, 2.7,
              "diagnosis cut by the limit")
    refused = run("energy-scheduling", "cbc", "large", 1.0, "exit 2", 2, None, 0.8)
    assert (late.within, on_time.within, early.within, cut.within, refused.within) == (
        False, True, None, True, None)
    assert late.solve_over == pytest.approx(1.5) and late.process_over == pytest.approx(2.2)
    table = overshoot.markdown([late, on_time, early, cut, refused])
    assert "| highs | +1.50 | blend large-milp L=2 | +2.20 | **no** |" in table
    assert "| scip | +0.90 |" in table and "finished early" in table
