"""Stronger bounds never pass a known optimum; elite and child-process tabu walks stay feasible."""

from __future__ import annotations

import copy
import json
import random
import time

import pytest
from optikit_fjsp import bounds, heuristic, tabu, tabu_process
from optikit_fjsp.checker import check
from optikit_fjsp.generator import generate
from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.machine_sets import jackson, machine_set_bound
from optikit_fjsp.model import parse
from optikit_fjsp.reader import read_fjs
from optikit_fjsp.tardiness_bound import srpt_completions
from optikit_fjsp.timetable import makespan, to_schedule

from optikit.scheduling import schedule_to_payload
from tests.fjsp.conftest import INSTANCES, instance, load, run


def _known_optima() -> dict[str, int]:
    """Best known (proven, except mk10's upper bound) makespans of the copied sets."""
    out = {}
    for folder in ("brandimarte", "fattahi", "kacem"):
        table = json.loads((INSTANCES / folder / "bounds.json").read_text())["instances"]
        out.update({name: int(entry["ub"]) for name, entry in table.items()})
    return out


def checked_makespan(problem, sol) -> int:
    report = check(problem, schedule_to_payload(problem.shop, to_schedule(problem.flat, sol)))
    assert report.feasible, report.violations[:3]
    assert report.objective is not None
    return int(report.objective)


def test_jackson_by_hand() -> None:
    # (head, work, tail): A (0, 4, 0) and B (1, 2, 5).  B preempts A at 1: B ends 3 (+5 = 8),
    # A ends 6.  Two machines' worth of speed: A 0-1 (2 units), B 1-2, A 2-3: max(2+5, 3) = 7.
    assert jackson([(0, 4, 0), (1, 2, 5)]) == 8
    assert jackson([(0, 4, 0), (1, 2, 5)], speed=2) == 7
    assert jackson([]) == 0
    # SRPT: A runs 0-1, B (shorter) 1-3, A 3-6.
    assert srpt_completions([(0, 4), (1, 2)]) == [3.0, 6.0]


def test_makespan_bound_never_passes_a_known_optimum() -> None:
    for name, best in _known_optima().items():
        problem = parse(read_fjs(instance(name)))
        value, source = bounds.makespan_bound_with_source(problem)
        assert 0 < value <= best, (name, value, source)
    # Where the relaxation is the answer: mk09's M8 alone needs 307 (the optimum).
    sets = machine_set_bound(parse(read_fjs(instance("mk09"))).flat)
    assert sets.value == 307


@pytest.mark.parametrize(
    "objective", ["makespan", {"total_weighted_tardiness": 1}, {"makespan": 1,
                                                                 "total_weighted_tardiness": 2}]
)
def test_bound_below_optima_proven_by_cpsat(registry, objective) -> None:
    for seed in (1, 2):
        doc = generate(seed, "tiny")
        doc["objective"] = objective
        loaded = load(registry, copy.deepcopy(doc))
        value, _source = bounds.lower_bound_with_source(loaded.problem)
        result = run(registry, loaded, time_limit=5.0, threads=1).document
        assert result["status"] == "optimal"
        assert value <= result["objective"] + 1e-9
        assert result["bound"] <= result["objective"] + 1e-9


def test_mixed_model_sample_reports_the_bound_source(registry) -> None:
    from tests.fjsp.conftest import SAMPLES

    loaded = load(registry, SAMPLES / "mixed_model_line.yaml")
    value, source = bounds.lower_bound_with_source(loaded.problem)
    # Optimum 124 (makespan 54 + 2 x tardiness 35); the job chains alone gave 47.
    assert 47 < value <= 124
    assert "PAINT" in source and "machine queues" in source
    doc = run(registry, loaded, time_limit=1.0, threads=1).document
    assert doc["stats"]["bound_source"]


def test_elite_restarts_keep_every_schedule_feasible_and_are_deterministic() -> None:
    problem = parse(read_fjs(instance("mk01")))
    start = heuristic.dispatch(problem.flat, heuristic.MAKESPAN_RULES["spt"])

    def walk() -> tabu.TabuSearch:
        search = tabu.TabuSearch(problem.flat, start, random.Random(5))
        search.elite_size, search.perturbation, search.single_path = 4, 2, True
        search.run(time.monotonic() + 60, max_iterations=400, restart_iterations=40)
        return search

    first, second = walk(), walk()
    assert first.best == second.best and first.elite == second.elite
    assert checked_makespan(problem, first.best) == first.best_cmax
    assert first.elite
    for cmax, _arrival, sol in first.elite:
        assert checked_makespan(problem, sol) == cmax


def test_child_process_walk_shares_a_checked_improvement() -> None:
    problem = parse(read_fjs(instance("mk01")))
    start = heuristic.dispatch(problem.flat, heuristic.MAKESPAN_RULES["spt"])
    shared = SharedIncumbent(start, makespan(problem.flat, start))
    walk = tabu_process.start_walk(problem.flat, shared, seed=1, deadline=time.monotonic() + 1.5,
                                   settings={"elite_size": 4, "perturbation": 1,
                                             "single_path": 1})
    if walk is None:
        pytest.skip("no fork on this platform")
    time.sleep(1.6)
    walk.close()
    assert walk.iterations > 0
    assert shared.value < makespan(problem.flat, start)
    assert checked_makespan(problem, shared.best) == shared.value


def test_formulation_with_tabu_processes_gives_a_checked_schedule(registry) -> None:
    doc = run(registry, instance("mk04"), time_limit=6.0, threads=2, tabu_processes=1).document
    assert doc["check"]["feasible"]
    assert doc["stats"]["tabu_processes"] == 1  # started at once, kept to the end
    assert doc["stats"]["bound_source"]
