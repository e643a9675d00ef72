"""Both formulations end to end: the published optimum of Instance1, plants with presets, the
summary and the chart.  Short limits; every answer is re-checked by the core."""

from __future__ import annotations

from pathlib import Path

import pytest
from optikit_rostering.generator import generate

import optikit
from tests.rostering.conftest import INSTANCES, SAMPLES


def test_cpsat_proves_the_published_optimum_of_instance1() -> None:
    solution = optikit.solve(INSTANCES / "Instance1.roster", time_limit=20, threads=2)
    assert solution.check is not None and solution.check.ok
    assert solution.objective == 607
    assert str(solution.status) == "optimal"


@pytest.mark.parametrize("formulation", ["cpsat", "cpsat-plain"])
def test_formulations_agree_on_a_tiny_plant(formulation: str) -> None:
    solution = optikit.solve(generate(1, "tiny"), formulation=formulation, time_limit=10,
                             threads=2)
    assert solution.check is not None and solution.check.ok and str(solution.status) == "optimal"
    assert solution.objective == 2


def test_milp_cross_checks_cpsat() -> None:
    for seed in (1, 2):
        document = generate(seed, "tiny")
        milp = optikit.solve(document, solver="highs", time_limit=10, threads=1)
        cpsat = optikit.solve(document, time_limit=10, threads=1)
        assert milp.check is not None and milp.check.ok and str(milp.status) == "optimal"
        assert milp.objective == cpsat.objective


def test_sample_plant_solves_checked_with_summary_and_chart(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    problem = optikit.load(SAMPLES / "press_shop_three_shift.yaml")
    solution = optikit.solve(problem, time_limit=4, threads=2,
                             options={"lns": "on", "global_share": 0.5, "lns_time": 0.5})
    assert solution.check is not None and solution.check.ok and solution.solution is not None
    ptype = optikit.problem_types()["rostering"]
    assert ptype.summarize is not None
    labels = [label for label, _text in ptype.summarize(problem.problem, solution.document)]
    assert {"cover gaps", "longest nights", "requests met", "station press"} <= set(labels)
    out = tmp_path / "roster.png"
    ptype.plots["gantt"](problem.problem, solution.document, out)
    assert out.stat().st_size > 1000
