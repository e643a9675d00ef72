"""A tabu walk for shops with changeovers, releases and weighted tardiness.

Why: on the fresh shops of issue #20 (makespan + total weighted tardiness, changeovers)
the only improvement method was the CP-SAT LNS, a few sub-solves a second; the
Brandimarte walk (:mod:`optikit_fjsp.tabu`) rates moves for the makespan without
changeovers only.  This walk rates every move exactly (:mod:`optikit_fjsp.tardy_kernel`)
and makes hundreds of them a second when numba is installed.  It runs in a child
process beside the LNS (:mod:`optikit_fjsp.tardy_process`) and shares the incumbent.

The driver here keeps the walk's state arrays, calls the kernel in chunks of about
``CHUNK_S`` seconds (so the deadline and stop requests are seen), keeps the best
schedule, and restarts from the best known schedule (its own or the shared one) with
a few random moves after ``restart_iterations`` iterations without a new best.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from optikit_fjsp import tardy_kernel as kernel
from optikit_fjsp.model import FjspProblem, FlatShop, Objective
from optikit_fjsp.tabu_kernel import mode_arrays
from optikit_fjsp.timetable import Solution, machine_sequences

#: Wall time per kernel call (seconds): the deadline and the stop request are checked
#: between calls.
CHUNK_S = 0.05
#: Positions tried on each side of the time-compatible insertion point, and trial moves
#: (each one forward pass) per iteration at most (more are sampled).  10 s walks on
#: the three fresh shops, seeds 1-2, means of (304, 607, 1,198 operations): window 3 /
#: 400 evaluations 7,640 / 5,615 / 23,731; 6 / 400: 7,182 / 5,497 / 23,253; 3 / 150:
#: 7,480 / 4,943 / 22,938; 4 / 250: 7,506 / 5,037 / 23,130; 1 / 400 and 3 / 60 worse
#: everywhere (benchmarks/fjsp/README.md, session 18).
WINDOW = 4
MAX_EVALS = 250
#: Iterations without a new best before the walk restarts from the best known schedule.
RESTART_ITERATIONS = 1500
#: Random moves applied after a restart (diversification).
PERTURBATION = 3

Array = NDArray[np.int64]


class Incumbent(Protocol):
    """What the walk needs of a shared incumbent (in-process or over a pipe)."""

    value: float

    def offer(self, solution: Solution, value: float, source: str = "") -> bool: ...

    def snapshot(self) -> tuple[Solution, float, int]: ...


def applicable(problem: FjspProblem) -> bool:
    """Any shop the unit-capacity search handles (no batches, no calendars)."""
    return problem.batching is None and not problem.shop.has_calendars


class TardyWalk:
    """State of one walk over flat arrays; :meth:`run` advances it."""

    def __init__(self, flat: FlatShop, objective: Objective, start: Solution,
                 rng: random.Random) -> None:
        self.flat = flat
        self.rng = rng
        n, k = flat.num_ops, flat.num_machines
        self.n = n
        self.jp = np.array([flat.prev_op(g) for g in range(n)], dtype=np.int64)
        self.js = np.array([flat.next_op(g) for g in range(n)], dtype=np.int64)
        self.release = np.array(
            [flat.release[flat.op_job[g]] if flat.op_index[g] == 0 else 0 for g in range(n)],
            dtype=np.int64)
        self.op_job = np.array(flat.op_job, dtype=np.int64)
        self.job_last = np.array([ops[-1] for ops in flat.job_ops], dtype=np.int64)
        self.due = np.array([math.inf if d is None else float(d) for d in flat.due])
        self.weight = np.array([float(w) for w in flat.weight])
        products = 1 + max(flat.product, default=-1)
        self.prod = np.array([products if flat.product[j] < 0 else flat.product[j]
                              for j in flat.op_job], dtype=np.int64)
        self.setup = np.zeros((k, products + 1, products + 1), dtype=np.int64)
        for m, table in enumerate(flat.setup):
            if table is not None:
                self.setup[m, :products, :products] = np.array(table, dtype=np.int64)
        self.mode_start, self.mode_machine, self.mode_duration = mode_arrays(flat)
        self.mode = np.zeros(n, dtype=np.int64)
        self.machine = np.zeros(n, dtype=np.int64)
        self.p = np.zeros(n, dtype=np.int64)
        self.seq = np.full((k, n), -1, dtype=np.int64)
        self.seq_len = np.zeros(k, dtype=np.int64)
        self.pos = np.zeros(n, dtype=np.int64)
        self.mp = np.zeros(n, dtype=np.int64)
        self.ms = np.zeros(n, dtype=np.int64)
        self.r = np.zeros(n, dtype=np.int64)
        self.order = np.zeros(n, dtype=np.int64)
        self.indeg = np.zeros(n, dtype=np.int64)
        self.tabu_until = np.zeros(n, dtype=np.int64)
        self.random_state = np.array([rng.getrandbits(63) | 1], dtype=np.uint64)
        self.weights = (float(objective.makespan_weight), float(objective.tardiness_weight))
        self.iteration = 0
        self.restarts = 0
        self.follows = 0
        self.value = 0.0
        self.window = WINDOW
        self.max_evals = MAX_EVALS
        self.tenure_base = 3 + n // 100
        self.restart_iterations = RESTART_ITERATIONS
        self.perturbation = PERTURBATION
        self._seconds_per_step = 1e-3
        self._load(start)
        self.best = self.solution()
        self.best_value = self.value

    # -- state -------------------------------------------------------------------------
    def _load(self, sol: Solution) -> None:
        flat = self.flat
        self.mode[:] = sol.modes
        for g in range(self.n):
            m, d = flat.modes[g][sol.modes[g]]
            self.machine[g], self.p[g] = m, d
        self.seq[:, :] = -1
        self.seq_len[:] = 0
        for m, seq in enumerate(machine_sequences(flat, sol)):
            self.seq[m, : len(seq)] = seq
            self.seq_len[m] = len(seq)
            self.pos[seq] = np.arange(len(seq))
        self.tabu_until[:] = 0
        value = self._evaluate()
        if value == kernel.CYCLE:  # pragma: no cover - sequences read off a schedule
            raise ValueError("machine sequences contradict job order")
        self.value = value

    def _evaluate(self) -> float:
        return float(kernel.evaluate(
            self.jp, self.js, self.release, self.p, self.machine, self.prod, self.setup,
            self.seq, self.seq_len, self.mp, self.ms, self.r, self.order, self.indeg,
            self.job_last, self.due, self.weight, self.weights[0], self.weights[1]))

    def solution(self) -> Solution:
        """The current schedule: its modes and earliest starts with changeovers."""
        return Solution(tuple(int(x) for x in self.mode), tuple(int(x) for x in self.r))

    def restart_from(self, sol: Solution) -> None:
        """Continue from ``sol`` (kept as best if it is better)."""
        self._load(sol)
        if self.value < self.best_value - 1e-9:
            self.best, self.best_value = self.solution(), self.value

    # -- driver ------------------------------------------------------------------------
    def steps(self, steps: int) -> int:
        """At most ``steps`` iterations in the kernel; back early after a new best."""
        state = np.array([self.iteration], dtype=np.int64)
        values = np.array([self.value, self.best_value, *self.weights], dtype=np.float64)
        made = kernel.walk(
            self.jp, self.js, self.release, self.op_job, self.job_last, self.due,
            self.weight, self.prod, self.setup, self.mode_start, self.mode_machine,
            self.mode_duration, self.mode, self.machine, self.p, self.seq, self.seq_len,
            self.pos, self.mp, self.ms, self.r, self.order, self.indeg, self.tabu_until,
            self.random_state, values, state, steps, self.window, self.tenure_base,
            self.max_evals)
        self.iteration = int(state[0])
        self.value = float(values[0])
        if self.value == kernel.CYCLE:  # pragma: no cover - cyclic moves are dropped
            raise RuntimeError("tardiness walk produced a cyclic schedule")
        return int(made)

    def run(
        self,
        deadline: float,
        *,
        stop: Callable[[], bool] | None = None,
        incumbent: Incumbent | None = None,
        max_iterations: int | None = None,
        on_improve: Callable[[Solution, float], None] | None = None,
        follow: bool = False,
    ) -> Solution:
        """Walk until the deadline, ``stop()`` or ``max_iterations``; the best schedule.

        With ``follow`` the walk continues from the incumbent's schedule whenever that
        is better than its own best (checked between kernel chunks).
        """
        since_best = 0
        while time.monotonic() < deadline:
            if stop is not None and stop():
                break
            if follow and incumbent is not None:
                shared, value, _version = incumbent.snapshot()
                if value < self.best_value - 1e-9:
                    self.restart_from(shared)
                    self.follows += 1
                    since_best = 0
            if max_iterations is not None and self.iteration >= max_iterations:
                break
            left = deadline - time.monotonic()
            want = max(1, int(min(CHUNK_S, left) / self._seconds_per_step))
            want = min(want, self.restart_iterations - since_best)
            if max_iterations is not None:
                want = min(want, max_iterations - self.iteration)
            want = max(1, want)
            started = time.perf_counter()
            made = self.steps(want)
            spent = time.perf_counter() - started
            self._seconds_per_step = 0.7 * self._seconds_per_step + 0.3 * spent / made
            since_best += made
            if self.value < self.best_value - 1e-9:
                self.best, self.best_value = self.solution(), self.value
                since_best = 0
                if on_improve is not None:
                    on_improve(self.best, self.best_value)
                if incumbent is not None:
                    incumbent.offer(self.best, self.best_value, "tardy walk")
            elif since_best >= self.restart_iterations:
                self._restart(incumbent)
                since_best = 0
        return self.best

    def _restart(self, incumbent: Incumbent | None) -> None:
        """Back to the best known schedule (the shared one when better), perturbed."""
        self.restarts += 1
        start = self.best
        if incumbent is not None:
            shared, value, _version = incumbent.snapshot()
            if value < self.best_value - 1e-9:
                start = shared
        self.restart_from(start)
        self.perturb(self.perturbation)

    def perturb(self, moves: int) -> None:
        """A few random cycle-free re-insertions, whatever they cost."""
        flat = self.flat
        done = tries = 0
        while done < moves and tries < 20 * moves:
            tries += 1
            v = self.rng.randrange(self.n)
            k = self.rng.randrange(len(flat.modes[v]))
            m = flat.modes[v][k][0]
            length = int(self.seq_len[m]) - (1 if m == self.machine[v] else 0)
            i = self.rng.randrange(length + 1)
            old_k, old_i = int(self.mode[v]), int(self.pos[v])
            self._move(v, k, i)
            value = self._evaluate()
            if value == kernel.CYCLE:
                self._move(v, old_k, old_i)
                continue
            self.value = value
            done += 1
        self.value = self._evaluate()

    def _move(self, v: int, k: int, i: int) -> None:
        kernel.move_op(v, k, i, self.mode_start, self.mode_machine, self.mode_duration,
                       self.mode, self.machine, self.p, self.seq, self.seq_len, self.pos)
