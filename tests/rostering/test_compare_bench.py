"""``benchmarks/rostering/compare.py --stats``: each run's line names the search phases the
``cpsat`` formulation went through (where a run's time went), and none for the baseline."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.rostering.conftest import INSTANCES, ROOT


def _compare() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "rostering_compare", ROOT / "benchmarks" / "rostering" / "compare.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stats_line_shows_the_phases_of_a_cpsat_run() -> None:
    compare = _compare()
    problem = INSTANCES / "Instance1.roster"
    run = compare._run(problem, "cpsat", 10, 2)  # Instance1: proved in about 2 s
    line = compare.phases(run)
    assert run["checked"] and line.startswith(f"{run['objective']:.0f} at ")
    assert f"first_solve={run['stats']['first_solve']}" in line and "lns_steps=" in line
    plain = compare.phases(compare._run(problem, "cpsat-plain", 10, 2))
    assert "(" not in plain  # the baseline reports no phases
