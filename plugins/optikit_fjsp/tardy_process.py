"""The tardiness walk (:mod:`optikit_fjsp.tardy_walk`) in a child process beside the LNS.

Why a process: the walk would hold the GIL between kernel calls and, without numba, all
the time; a child gets a core of its own.  The plumbing is that of the Brandimarte
walks (:mod:`optikit_fjsp.tabu_process`: ``fork`` only, pipes both ways, a stop event,
Ctrl-C left to the parent), with two differences:

- every schedule the child sends is re-checked in the parent before it reaches the
  shared incumbent (:class:`CheckedIncumbent`: the shop's checker and the objective
  recomputed from the schedule), so a kernel error can cost time but never a wrong
  answer;
- the child looks for a better shared schedule after every kernel chunk (a few
  hundredths of a second) and continues from it, so the LNS's improvements reach the
  walk at once.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from typing import Any

from optikit.forking import child_stop_check
from optikit.scheduling import check_schedule
from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.tabu_process import TabuWalk, _PipeIncumbent, start_child
from optikit_fjsp.timetable import Solution, objective_value, to_schedule

#: The child sends its best at most this often (seconds): on large shops it finds a new
#: best every few iterations, and each one costs the parent a check and the GIL.
SEND_EVERY_S = 0.2


class CheckedIncumbent:
    """The shared incumbent as a child walk sees it: offers are checked first."""

    def __init__(self, problem: FjspProblem, shared: SharedIncumbent,
                 log: Callable[[str], None] | None = None) -> None:
        self.problem = problem
        self.shared = shared
        self.log = log
        self.rejected = 0

    @property
    def version(self) -> int:
        return self.shared.version

    def snapshot(self) -> tuple[Solution, float, int]:
        return self.shared.snapshot()

    def offer(self, solution: Solution, value: float, source: str = "") -> bool:
        """Pass ``solution`` on when it is feasible and its value is what was claimed."""
        if value >= self.shared.value - 1e-9:
            return False  # not better: spare the check
        problem = self.problem
        true_value = objective_value(problem, solution)
        if abs(true_value - value) > 1e-6 * max(1.0, abs(value)) or check_schedule(
                problem.shop, to_schedule(problem.flat, solution)):
            self.rejected += 1
            if self.log is not None:  # pragma: no cover - the kernel builds valid ones
                self.log(f"tardy walk: dropped a schedule that failed the check ({value})")
            return False
        return self.shared.offer(solution, true_value, source or "tardy walk")


class _ThrottledPipe(_PipeIncumbent):
    """The child's incumbent: new bests go up at most every ``SEND_EVERY_S`` seconds."""

    def __init__(self, up: Any, down: Any, value: float, best: Solution) -> None:
        super().__init__(up, down, value, best)
        self.pending = False
        self.sent_at = 0.0

    def _publish(self) -> None:
        self.pending = True
        self._send(force=False)

    def snapshot(self) -> tuple[Solution, float, int]:
        self._send(force=False)
        return super().snapshot()

    def _send(self, force: bool) -> None:
        now = time.monotonic()
        if self.pending and (force or now - self.sent_at >= SEND_EVERY_S):
            self.up.send((self.best.modes, self.best.starts, self.value))
            self.pending = False
            self.sent_at = now

    def flush(self) -> None:
        self._send(force=True)


def _child(problem: FjspProblem, start: Solution, value: float, seed: int, deadline: float,
           stop: Any, up: Any, down: Any) -> None:
    stopped = child_stop_check(stop)
    from optikit_fjsp.tardy_walk import TardyWalk  # imported: fork copied it

    shared = _ThrottledPipe(up, down, value, start)
    walk = TardyWalk(problem.flat, problem.objective, start, random.Random(seed))
    try:
        walk.run(deadline, stop=stopped, incumbent=shared, follow=True)
    finally:
        with contextlib.suppress(OSError, ValueError):
            shared.flush()
            up.send(("done", walk.iteration))


def start_walk(
    problem: FjspProblem,
    shared: SharedIncumbent,
    seed: int,
    deadline: float,
    log: Callable[[str], None] | None = None,
) -> TabuWalk | None:
    """Start the walk from the shared best in a child process (None if impossible)."""
    checked = CheckedIncumbent(problem, shared, log)
    best, value, _version = shared.snapshot()
    return start_child(
        lambda stop, up, down: (problem, best, value, seed, deadline, stop, up, down),
        _child, checked, log, "tardy walk")
