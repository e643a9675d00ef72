"""Elite pool and path relinking: paths reach the guide, every schedule checks, pool rules."""

from __future__ import annotations

import itertools
import random
import threading
import time

import pytest
from optikit_fjsp import cpsat, heuristic, relinking
from optikit_fjsp.checker import check
from optikit_fjsp.model import FjspProblem, parse
from optikit_fjsp.reader import read_fjs
from optikit_fjsp.timetable import Solution, makespan, to_schedule

from optikit.registry import Registry
from optikit.scheduling import schedule_to_payload
from optikit.types import SolveContext, SolveOptions, Status
from tests.fjsp.conftest import instance, run


def checked_makespan(problem: FjspProblem, sol: Solution) -> int:
    report = check(problem, schedule_to_payload(problem.shop, to_schedule(problem.flat, sol)))
    assert report.feasible, report.violations[:3]
    assert report.objective is not None
    return int(report.objective)


def noisy_schedules(problem: FjspProblem, count: int, seed: int = 0) -> list[Solution]:
    """Different feasible schedules: dispatching with random noise on the priorities."""
    rng = random.Random(seed)
    rules = list(heuristic.MAKESPAN_RULES.values())
    return [
        heuristic.dispatch(problem.flat, rules[i % len(rules)], rng, noise=0.5)
        for i in range(count)
    ]


@pytest.mark.parametrize("name", ["mk04", "mk06"])
def test_path_ends_at_the_guide_and_every_schedule_on_it_checks(name: str) -> None:
    problem = parse(read_fjs(instance(name)))
    flat = problem.flat
    start, guide = noisy_schedules(problem, 2, seed=5)
    first = relinking.distance(flat, start, guide)
    assert first > 0
    distances = []
    for modes, order in relinking.relink_path(flat, start, guide, random.Random(1)):
        sol = relinking.decode(flat, modes, order)
        assert checked_makespan(problem, sol) == makespan(flat, sol)
        distances.append(relinking.distance(flat, sol, guide))
    # No step moves away from the guide, and the last one is the guide's schedule.
    assert all(a >= b for a, b in itertools.pairwise([first, *distances]))
    assert distances[-1] == 0
    decreasing = sum(a > b for a, b in itertools.pairwise([first, *distances]))
    assert len(distances) > 10 and decreasing > len(distances) // 2


def test_relinked_schedule_lies_between_and_checks() -> None:
    problem = parse(read_fjs(instance("mk06")))
    flat = problem.flat
    start, guide = noisy_schedules(problem, 2, seed=7)
    middle = relinking.relink(flat, start, guide, random.Random(3))
    assert middle is not None
    checked_makespan(problem, middle)
    whole = relinking.distance(flat, start, guide)
    assert 0 < relinking.distance(flat, middle, guide) < whole
    assert 0 < relinking.distance(flat, start, middle) < whole
    assert relinking.relink(flat, start, start, random.Random(3)) is None


def test_distance_counts_machines_and_inverted_pairs() -> None:
    problem = parse(read_fjs(instance("mk01")))
    flat = problem.flat
    a = noisy_schedules(problem, 1)[0]
    assert relinking.distance(flat, a, a) == 0
    # Swap two adjacent operations of different jobs on one machine: one inverted pair.
    order = relinking.operation_order(flat, a)
    seqs: dict[int, list[int]] = {}
    for g in order:
        seqs.setdefault(a.machine(flat, g), []).append(g)
    for seq in seqs.values():
        for x, y in itertools.pairwise(seq):
            if flat.op_job[x] != flat.op_job[y] and flat.next_op(x) != y:
                swapped = [y if g == x else x if g == y else g for g in order]
                if _job_consistent(problem, swapped):
                    b = relinking.decode(flat, a.modes, swapped)
                    assert relinking.distance(flat, a, b) == 1
                    assert relinking.distance(flat, b, a) == 1
                    return
    pytest.fail("no swappable pair found")


def _job_consistent(problem: FjspProblem, order: list[int]) -> bool:
    rank = {g: i for i, g in enumerate(order)}
    return all(rank[g - 1] < rank[g] for g in order if problem.flat.prev_op(g) >= 0)


def test_pool_keeps_its_size_and_diversity() -> None:
    problem = parse(read_fjs(instance("mk04")))
    flat = problem.flat
    pool = relinking.ElitePool(flat, capacity=5, min_distance=20)
    for sol in noisy_schedules(problem, 40, seed=2):
        pool.add(sol, makespan(flat, sol))
        assert len(pool) <= 5
        for x, y in itertools.combinations(pool.members, 2):
            assert relinking.distance(flat, x.solution, y.solution) >= 20
    assert len(pool) == 5
    # A copy of a member never enters; the worst is replaced by a better, distant one.
    member = pool.members[0]
    assert not pool.add(member.solution, member.cmax)
    worst = pool.worst
    candidates = noisy_schedules(problem, 200, seed=9)
    entered = [
        s
        for s in candidates
        if makespan(flat, s) < worst.cmax
        and all(relinking.distance(flat, s, e.solution) >= 20 for e in pool.members)
    ]
    assert entered
    assert pool.add(entered[0], makespan(flat, entered[0]))
    assert worst not in pool.members and len(pool) == 5


def test_a_better_schedule_close_to_members_replaces_them() -> None:
    problem = parse(read_fjs(instance("mk04")))
    flat = problem.flat
    pool = relinking.ElitePool(flat, capacity=4, min_distance=10**6)  # everything is close
    a, b = noisy_schedules(problem, 2, seed=4)
    high, low = sorted((a, b), key=lambda s: -makespan(flat, s))
    assert pool.add(high, makespan(flat, high))
    if makespan(flat, low) < makespan(flat, high):
        assert pool.add(low, makespan(flat, low))
        assert [e.solution for e in pool.members] == [low]
    assert not pool.add(high, makespan(flat, high))
    assert len(pool) == 1


def test_relink_search_improves_and_keeps_checked_elites() -> None:
    problem = parse(read_fjs(instance("mk06")))
    flat = problem.flat
    start = heuristic.dispatch(flat, heuristic.MAKESPAN_RULES["mwkr"])
    settings = relinking.RelinkSettings(pool_size=4, walk_stall=150, init_stall=300)
    search = relinking.RelinkSearch(flat, start, random.Random(0), settings)
    best = search.run(time.monotonic() + 120, max_iterations=4000)
    assert search.iteration >= 4000 and search.relinks > 0
    assert checked_makespan(problem, best) == search.best_cmax < makespan(flat, start)
    assert search.best_cmax == min(e.cmax for e in search.pool.members)
    for elite in search.pool.members:
        assert checked_makespan(problem, elite.solution) == elite.cmax


@pytest.mark.parametrize("processes", ["0", "1"])
def test_formulation_with_relinking_gives_a_checked_schedule(
    processes: str, registry: Registry
) -> None:
    doc = run(
        registry, instance("mk06"), time_limit=4.0, tabu_relink="1", tabu_processes=processes
    ).document
    assert doc["status"] == "feasible" and doc["check"]["feasible"]
    assert doc["stats"]["tabu_iterations"] > 0
    assert doc["objective"] < doc["stats"]["heuristic_objective"]
    assert doc["stats"]["relinks"] >= 0
    assert doc["stats"]["tabu_processes"] == int(processes)


@pytest.mark.serial
@pytest.mark.parametrize("processes", ["0", "1"])
def test_stop_ends_a_relinking_run_with_a_checked_schedule(
    processes: str, registry: Registry
) -> None:
    """Ctrl-C sets the stop event: the run ends and keeps its best (no time assertion)."""
    problem = parse(read_fjs(instance("mk10")))
    options = SolveOptions(
        time_limit=600.0,
        threads=2,
        seed=0,
        extra={"tabu_relink": "1", "tabu_processes": processes},
    )
    ctx = SolveContext(options)
    timer = threading.Timer(3.0, ctx.stop.set)
    timer.start()
    try:
        outcome = cpsat.solve(problem, registry.backends["cpsat"], ctx)
    finally:
        timer.cancel()
    assert outcome.status is Status.FEASIBLE
    assert outcome.objective is not None
    assert outcome.objective < outcome.stats["heuristic_objective"]
    assert outcome.payload is not None
    report = check(problem, outcome.payload)
    assert report.feasible and report.objective == outcome.objective
