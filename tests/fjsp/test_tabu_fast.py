"""The compiled tabu walk (optikit_fjsp.tabu_fast): the reference walk's rules, on arrays."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest
from optikit_fjsp import heuristic, tabu, tabu_kernel
from optikit_fjsp.model import parse
from optikit_fjsp.reader import read_fjs
from optikit_fjsp.timetable import Solution, makespan

from tests.fjsp.conftest import instance
from tests.fjsp.test_tabu import checked_makespan

pytestmark = pytest.mark.skipif(not tabu_kernel.COMPILED, reason="numba not installed")


def _fast(flat, start, seed: int = 0):
    from optikit_fjsp.tabu_fast import CompiledTabuSearch

    return CompiledTabuSearch(flat, start, random.Random(seed))


def _snapshots(name: str, count: int) -> tuple[object, list[Solution]]:
    """Schedules met along a reference walk: varied states to compare the two on."""
    problem = parse(read_fjs(instance(name)))
    start = heuristic.dispatch(problem.flat, heuristic.MAKESPAN_RULES["mwkr"])
    walk = tabu.TabuSearch(problem.flat, start, random.Random(5))
    states = [walk.solution()]
    for _ in range(count - 1):
        walk.run(time.monotonic() + 60, max_iterations=walk.iteration + 40)
        states.append(walk.solution())
    return problem, states


def test_heads_tails_and_the_best_move_value_match_the_reference() -> None:
    problem, states = _snapshots("mk03", 6)
    flat = problem.flat  # type: ignore[attr-defined]
    for sol in states:
        ref = tabu.TabuSearch(flat, sol, random.Random(0))
        fast = _fast(flat, sol)
        assert fast.cmax == ref.cmax == makespan(flat, sol)
        assert list(fast.r) == ref.r and list(fast.q) == ref.q
        assert fast.solution() == ref.solution()
        move = ref._best_move()
        out = np.zeros(4, dtype=np.int64)
        found = tabu_kernel.best_move(
            fast.jp, fast.js, fast.release, fast.mode_start, fast.mode_machine,
            fast.mode_duration, fast.machine, fast.p, fast.seq, fast.seq_len, fast.pos,
            fast.r, fast.q, fast.cmax, fast.best_cmax, 0, fast.tabu_until,
            fast.tabu_machine, fast.tabu_first, fast.random_state, out)
        assert found == (move is not None)
        assert move is not None and int(out[0]) == move[0]  # the same rating of the best


def test_stall_limit_ends_the_walk() -> None:
    problem = parse(read_fjs(instance("mk01")))
    start = heuristic.construct(problem, budget=5.0, seed=0, max_restarts=20)
    search = _fast(problem.flat, start, 2)
    search.run(time.monotonic() + 60, stall_iterations=300)
    assert 300 <= search.iteration < 100_000  # ended by the stall, not the deadline
    assert checked_makespan(problem, search.best) == search.best_cmax


def test_perturbation_keeps_the_schedule_feasible() -> None:
    problem = parse(read_fjs(instance("mk06")))
    start = heuristic.dispatch(problem.flat, heuristic.MAKESPAN_RULES["mwkr"])
    search = _fast(problem.flat, start, 4)
    search.perturb(25)
    assert checked_makespan(problem, search.solution()) == search.cmax
