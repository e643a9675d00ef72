"""The tabu search: checked schedules, real improvement, sharing with other methods."""

from __future__ import annotations

import random
import time

import pytest
from optikit_fjsp import cpsat_run, heuristic, tabu, tabu_kernel
from optikit_fjsp.checker import check
from optikit_fjsp.generator import generate
from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.model import parse
from optikit_fjsp.reader import read_fjs
from optikit_fjsp.timetable import left_shift, machine_sequences, makespan, to_schedule

from optikit.scheduling import schedule_to_payload
from optikit.types import SolveContext, SolveOptions
from tests.fjsp.conftest import instance


def checked_makespan(problem, sol) -> int:
    report = check(problem, schedule_to_payload(problem.shop, to_schedule(problem.flat, sol)))
    assert report.feasible, report.violations[:3]
    assert report.objective is not None
    return int(report.objective)


def test_applicable_only_to_pure_makespan_without_setups() -> None:
    assert tabu.applicable(parse(read_fjs(instance("mk01"))))
    assert not tabu.applicable(parse(generate(1, "small")))  # setups and tardiness


def test_heads_match_a_semi_active_schedule() -> None:
    problem = parse(read_fjs(instance("mk03")))
    start = heuristic.dispatch(problem.flat, heuristic.MAKESPAN_RULES["mwkr"])
    search = tabu.TabuSearch(problem.flat, start, random.Random(0))
    shifted = left_shift(problem.flat, start.modes, machine_sequences(problem.flat, start))
    assert search.solution() == shifted
    assert search.cmax == makespan(problem.flat, shifted)
    # Tails: the critical operations include one ending at the makespan and one at 0.
    crit = [g for g in range(search.n) if search.r[g] + search.p[g] + search.q[g] == search.cmax]
    assert any(search.r[g] == 0 for g in crit)
    assert any(search.r[g] + search.p[g] == search.cmax for g in crit)


#: Both walks: the Python reference and the compiled one (skipped without numba).
WALKS = [False, pytest.param(True, marks=pytest.mark.skipif(
    not tabu_kernel.COMPILED, reason="numba not installed"))]


@pytest.mark.parametrize("compiled", WALKS)
def test_walk_improves_and_every_best_is_feasible(compiled: bool) -> None:
    problem = parse(read_fjs(instance("mk04")))
    start = heuristic.dispatch(problem.flat, heuristic.MAKESPAN_RULES["spt"])
    bests: list[int] = []
    search = tabu.new_walk(problem.flat, start, random.Random(3), compiled=compiled)
    assert (type(search) is tabu.TabuSearch) is not compiled
    best = search.run(
        time.monotonic() + 60,
        max_iterations=3000,
        on_improve=lambda sol, cmax: bests.append(checked_makespan(problem, sol)),
    )
    assert search.iteration == 3000
    assert bests == sorted(bests, reverse=True) and len(set(bests)) == len(bests)
    assert checked_makespan(problem, best) == search.best_cmax == bests[-1]
    assert search.best_cmax < makespan(problem.flat, start)
    assert search.best_cmax <= 66  # optimum 60; dispatching with SPT gives 95


@pytest.mark.parametrize("compiled", WALKS)
def test_restart_picks_up_a_better_shared_schedule(compiled: bool) -> None:
    problem = parse(read_fjs(instance("mk01")))
    good = heuristic.construct(problem, budget=5.0, seed=0, max_restarts=50)
    poor = heuristic.dispatch(problem.flat, heuristic.MAKESPAN_RULES["spt"])
    shared = SharedIncumbent(good, makespan(problem.flat, good))
    search = tabu.new_walk(problem.flat, poor, random.Random(1), compiled=compiled)
    search.run(time.monotonic() + 60, max_iterations=250, restart_iterations=50,
               incumbent=shared)
    assert search.best_cmax <= makespan(problem.flat, good)
    assert shared.value <= makespan(problem.flat, good)
    assert checked_makespan(problem, shared.best) == shared.value


def _wait_for(condition, limit_s: float = 60.0) -> bool:
    """Poll ``condition`` (a generous limit: this is not a timing assertion)."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.serial
def test_stalled_background_walk_hands_over_to_lns_and_resumes_on_a_new_best(registry) -> None:
    problem = parse(read_fjs(instance("mk06")))
    options = SolveOptions(time_limit=120.0, threads=2, seed=0, extra={"tabu_stall": 150})
    run = cpsat_run.Run(problem, registry.backends["cpsat"], SolveContext(options))
    try:
        assert run.background is not None
        assert _wait_for(lambda: run.tabu_pauses >= 1)
        search = run.tabu_search
        assert search is not None
        paused_at = search.iteration
        # Another method reports a better makespan: the thread's own LNS (run while the
        # walk pauses) ends and the walk resumes from the shared best.
        best, value, _version = run.shared.snapshot()
        assert run.shared.offer(best, value - 0.5, "lns")
        assert _wait_for(lambda: run.tabu_pauses >= 2)
        assert search.iteration > paused_at
        assert run.background_hoods is not None  # the LNS ran while the walk paused
        assert checked_makespan(problem, search.best) == search.best_cmax
    finally:
        run.close()
