"""The tardiness walk (optikit_fjsp.tardy_walk / tardy_kernel / tardy_process)."""

from __future__ import annotations

import importlib.util
import random
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from optikit_fjsp import heuristic, tardy_kernel, tardy_walk
from optikit_fjsp.generator import generate
from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.model import FjspProblem, parse
from optikit_fjsp.tardy_process import CheckedIncumbent
from optikit_fjsp.timetable import Solution, left_shift, machine_sequences, objective_value

from optikit.registry import Registry
from tests.fjsp.conftest import run
from tests.fjsp.test_lns_window import checked


def _problem(seed: int = 3, size: str = "small") -> FjspProblem:
    return parse(generate(seed, size))


def _start(problem: FjspProblem) -> Solution:
    return heuristic.dispatch(problem.flat, heuristic.TARDINESS_RULES["edd"])


def _plain_kernel(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A second copy of the kernel module with ``jit`` switched off: plain Python."""
    import optikit.compiled

    monkeypatch.setattr(optikit.compiled, "jit", lambda fn: fn)
    path = Path(tardy_kernel.__file__)
    spec = importlib.util.spec_from_file_location("tardy_kernel_plain", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "tardy_kernel_plain", module)
    spec.loader.exec_module(module)
    return module


def test_the_forward_pass_gives_the_objective_and_the_semi_active_starts() -> None:
    problem = _problem()
    assert problem.has_setups and problem.objective.uses_tardiness
    start = _start(problem)
    walk = tardy_walk.TardyWalk(problem.flat, problem.objective, start, random.Random(0))
    semi_active = left_shift(problem.flat, start.modes, machine_sequences(problem.flat, start))
    assert walk.solution() == semi_active
    assert walk.value == objective_value(problem, semi_active) <= objective_value(problem, start)


def test_compiled_and_plain_kernels_walk_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = _problem()
    start = _start(problem)
    compiled = tardy_walk.TardyWalk(problem.flat, problem.objective, start, random.Random(4))
    while compiled.iteration < 25:  # a call returns early after each new best
        compiled.steps(25 - compiled.iteration)
    monkeypatch.setattr(tardy_walk, "kernel", _plain_kernel(monkeypatch))
    plain = tardy_walk.TardyWalk(problem.flat, problem.objective, start, random.Random(4))
    while plain.iteration < 25:
        plain.steps(25 - plain.iteration)
    assert compiled.iteration == plain.iteration == 25
    assert compiled.value == plain.value
    assert compiled.solution() == plain.solution()
    assert np.array_equal(compiled.tabu_until, plain.tabu_until)
    assert np.array_equal(compiled.random_state, plain.random_state)


def test_the_walk_improves_and_every_best_passes_the_checker() -> None:
    problem = _problem(5)
    start = _start(problem)
    walk = tardy_walk.TardyWalk(problem.flat, problem.objective, start, random.Random(1))
    walk.restart_iterations = 50  # restarts and perturbations happen too
    seen: list[float] = []
    walk.run(time.monotonic() + 20, max_iterations=300,
             on_improve=lambda sol, value: seen.append(checked(problem, sol) - value))
    assert walk.iteration == 300 and walk.restarts > 0
    assert seen and all(abs(d) < 1e-9 for d in seen)
    assert checked(problem, walk.best) == walk.best_value < objective_value(problem, start)


def test_the_walk_follows_a_better_shared_schedule() -> None:
    problem = _problem(6)
    start = _start(problem)
    walk = tardy_walk.TardyWalk(problem.flat, problem.objective, start, random.Random(2))
    other = tardy_walk.TardyWalk(problem.flat, problem.objective, start, random.Random(3))
    better = other.run(time.monotonic() + 20, max_iterations=200)
    shared = SharedIncumbent(better, other.best_value)
    walk.run(time.monotonic() + 20, max_iterations=1, incumbent=shared, follow=True)
    assert walk.follows == 1 and walk.best_value <= other.best_value


def test_checked_incumbent_drops_a_schedule_with_a_false_value() -> None:
    problem = _problem()
    start = _start(problem)
    value = objective_value(problem, start)
    shared = SharedIncumbent(start, value + 100)
    checked_in = CheckedIncumbent(problem, shared)
    assert not checked_in.offer(start, value - 1)  # claims less than it is
    assert checked_in.rejected == 1 and shared.value == value + 100
    bad = Solution(start.modes, tuple(0 for _ in start.starts))  # overlaps
    assert not checked_in.offer(bad, objective_value(problem, bad))
    assert checked_in.offer(start, value) and shared.value == value


def test_cpsat_runs_the_walk_beside_the_lns_on_tardiness_shops(registry: Registry) -> None:
    doc = run(registry, generate(2, "medium"), time_limit=5.0).document
    assert doc["check"]["feasible"]
    assert "tardy_walk_iterations" in doc["stats"]  # the walk ran (how far depends on load)
    assert "tabu_iterations" not in doc["stats"]
    assert doc["objective"] <= doc["stats"]["heuristic_objective"]
    off = run(registry, generate(2, "medium"), time_limit=2.0, tardy_walk="0").document
    assert off["check"]["feasible"] and "tardy_walk_iterations" not in off["stats"]


def test_the_child_sends_new_bests_at_most_every_so_often() -> None:
    import multiprocessing

    from optikit_fjsp.tardy_process import _ThrottledPipe

    problem = _problem()
    start = _start(problem)
    up_recv, up_send = multiprocessing.Pipe(duplex=False)
    down_recv, _down_send = multiprocessing.Pipe(duplex=False)
    pipe = _ThrottledPipe(up_send, down_recv, 100.0, start)
    assert pipe.offer(start, 90.0) and pipe.offer(start, 80.0)  # the second is held back
    assert not pipe.offer(start, 85.0)
    assert up_recv.recv()[2] == 90.0 and not up_recv.poll()
    pipe.flush()
    assert up_recv.recv()[2] == 80.0 and not up_recv.poll()
