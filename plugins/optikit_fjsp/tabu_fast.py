"""The tabu walk of :mod:`optikit_fjsp.tabu` driven over the compiled kernel.

Same interface and the same walk as :class:`optikit_fjsp.tabu.TabuSearch` (restarts
from the best, the shared incumbent, stall limits, callbacks), with the moves made in
:mod:`optikit_fjsp.tabu_kernel`: the kernel runs a chunk of iterations without the GIL
and comes back after a new best or at the end of the chunk, so the deadline and the
stop request are still checked every few milliseconds.  :func:`optikit_fjsp.tabu.new_walk`
picks this class when numba is installed and the default walk settings are used.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from optikit_fjsp import tabu_kernel as kernel
from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.model import FlatShop
from optikit_fjsp.tabu import admissible_moves, note_new_best, take_shared_best
from optikit_fjsp.timetable import Solution, machine_sequences

#: Iterations per kernel call: the deadline and the stop request are checked between
#: calls (a few milliseconds at 10-50 microseconds an iteration).
CHUNK = 256
#: Iterations without a new best before the walk goes back to the best schedule: ten
#: times the reference walk's 2,000, at 40x its speed (10 CPU s walks, seeds 1-6, see
#: benchmarks/fjsp/README.md: mk10 mean 199.3 against 200.5 with 2,000, mk06 58.2
#: against 58.7; 5,000 and 50,000 were no better).
RESTART_ITERATIONS = 20_000
#: Above this many operations the ``n x n`` tabu arrays would take over 100 MB.
MAX_OPERATIONS = 3000

Array = NDArray[np.int64]


class CompiledTabuSearch:
    """State of one tabu walk over flat arrays; :meth:`run` advances it."""

    def __init__(self, flat: FlatShop, start: Solution, rng: random.Random) -> None:
        self.flat = flat
        self.rng = rng
        n, k = flat.num_ops, flat.num_machines
        self.n = n
        self.jp = np.array([flat.prev_op(g) for g in range(n)], dtype=np.int64)
        self.js = np.array([flat.next_op(g) for g in range(n)], dtype=np.int64)
        self.release = np.array(
            [flat.release[flat.op_job[g]] if flat.op_index[g] == 0 else 0 for g in range(n)],
            dtype=np.int64)
        self.mode_start, self.mode_machine, self.mode_duration = kernel.mode_arrays(flat)
        self.mode = np.zeros(n, dtype=np.int64)
        self.machine = np.zeros(n, dtype=np.int64)
        self.p = np.zeros(n, dtype=np.int64)
        self.seq = np.full((k, n), -1, dtype=np.int64)
        self.seq_len = np.zeros(k, dtype=np.int64)
        self.pos = np.zeros(n, dtype=np.int64)
        self.mp = np.zeros(n, dtype=np.int64)
        self.ms = np.zeros(n, dtype=np.int64)
        self.r = np.zeros(n, dtype=np.int64)
        self.q = np.zeros(n, dtype=np.int64)
        self.order = np.zeros(n, dtype=np.int64)
        self.indeg = np.zeros(n, dtype=np.int64)
        self.tabu_until = np.zeros((n, n), dtype=np.int64)
        self.tabu_machine = np.zeros((n, n), dtype=np.int64)
        self.tabu_first = np.zeros((n, k), dtype=np.int64)
        self.random_state = np.array([rng.getrandbits(63) | 1], dtype=np.uint64)
        self.iteration = 0
        self.cmax = 0
        # The settings of the reference walk this class supports (see tabu.new_walk).
        self.tenure_base = 20 + n // 20
        self.restart_iterations = RESTART_ITERATIONS
        self.perturbation = 0
        self._load(start)
        self.best = self.solution()
        self.best_cmax = self.cmax

    # -- state -------------------------------------------------------------------------
    def _load(self, sol: Solution) -> None:
        flat = self.flat
        self.mode[:] = sol.modes
        for g in range(self.n):
            m, d = flat.modes[g][sol.modes[g]]
            self.machine[g], self.p[g] = m, d
        self.seq_len[:] = 0
        for m, seq in enumerate(machine_sequences(flat, sol)):
            self.seq[m, : len(seq)] = seq
            self.seq_len[m] = len(seq)
            self.pos[seq] = np.arange(len(seq))
        self._evaluate()

    def _evaluate(self) -> None:
        cmax = kernel.evaluate(self.jp, self.js, self.release, self.p, self.seq,
                               self.seq_len, self.mp, self.ms, self.r, self.q, self.order,
                               self.indeg)
        if cmax < 0:  # pragma: no cover - the move rules exclude cycles
            raise RuntimeError("tabu search produced a cyclic schedule")
        self.cmax = int(cmax)

    def _clear_tabu(self) -> None:
        self.tabu_until[:, :] = 0
        self.tabu_first[:, :] = 0

    def restart_from(self, sol: Solution) -> None:
        """Continue the walk from ``sol`` (kept as best if it is better)."""
        self._load(sol)
        self._clear_tabu()
        if self.cmax < self.best_cmax:
            self.best, self.best_cmax = self.solution(), self.cmax

    def solution(self) -> Solution:
        return Solution(tuple(int(x) for x in self.mode), tuple(int(x) for x in self.r))

    # -- driver ------------------------------------------------------------------------
    def _steps(self, steps: int) -> int:
        """At most ``steps`` iterations in the kernel; back early after a new best."""
        state = np.array([self.iteration, self.cmax, self.best_cmax], dtype=np.int64)
        made = kernel.walk(self.jp, self.js, self.release, self.mode_start,
                           self.mode_machine, self.mode_duration, self.mode, self.machine,
                           self.p, self.seq, self.seq_len, self.pos, self.mp, self.ms,
                           self.r, self.q, self.order, self.indeg, self.tabu_until,
                           self.tabu_machine, self.tabu_first, self.random_state, state,
                           steps, self.tenure_base)
        self.iteration, self.cmax = int(state[0]), int(state[1])
        if self.cmax < 0:  # pragma: no cover - the move rules exclude cycles
            raise RuntimeError("tabu search produced a cyclic schedule")
        return int(made)

    def run(
        self,
        deadline: float,
        *,
        stall_iterations: int | None = None,
        restart_iterations: int | None = None,
        stop: Callable[[], bool] | None = None,
        on_improve: Callable[[Solution, int], None] | None = None,
        max_iterations: int | None = None,
        incumbent: SharedIncumbent | None = None,
    ) -> Solution:
        """Walk until the deadline, ``stop()``, or ``stall_iterations`` without a new best
        (the contract of :meth:`optikit_fjsp.tabu.TabuSearch.run`)."""
        restart_iterations = restart_iterations or self.restart_iterations
        since_best = 0
        since_restart = 0
        while time.monotonic() < deadline:
            if stop is not None and stop():
                break
            steps = min(CHUNK, restart_iterations - since_restart)
            if stall_iterations is not None:
                steps = min(steps, stall_iterations - since_best)
            if max_iterations is not None:
                steps = min(steps, max_iterations - self.iteration)
            if steps <= 0:
                if max_iterations is not None and self.iteration >= max_iterations:
                    break
                steps = 1
            made = self._steps(steps)
            since_best += made
            since_restart += made
            if self.cmax < self.best_cmax:
                note_new_best(self, on_improve, incumbent)
                since_best = since_restart = 0
            elif stall_iterations is not None and since_best >= stall_iterations:
                break
            elif since_restart >= restart_iterations:
                if take_shared_best(self, incumbent):
                    since_best = 0
                self._load(self.best)
                self._clear_tabu()
                self.perturb(self.perturbation)
                since_restart = 0
        return self.best

    def perturb(self, moves: int) -> None:
        """A few random cycle-free critical moves, whatever they cost (diversification)."""
        for _ in range(moves):
            options = self._admissible_moves()
            if not options:
                return
            v, k, position = self.rng.choice(options)
            kernel.apply_move(v, k, position, 0, self.mode_start, self.mode_machine,
                              self.mode_duration, self.mode, self.machine, self.p, self.seq,
                              self.seq_len, self.pos, self.tabu_until, self.tabu_machine,
                              self.tabu_first)
            self._evaluate()

    def _admissible_moves(self) -> list[tuple[int, int, int]]:
        seqs = [self.seq[m, : self.seq_len[m]].tolist() for m in range(self.seq.shape[0])]
        return admissible_moves(self.flat, self.jp.tolist(), self.js.tolist(),
                                self.r.tolist(), self.q.tolist(), self.p.tolist(), self.cmax,
                                self.machine.tolist(), seqs)
