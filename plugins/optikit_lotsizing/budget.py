"""One deadline for every phase of a lot-sizing solve.

The time limit covers the whole command: after the last solve the plan is read back from
the solver's values, checked by the independent checker, summarised and written.  So the
solves must end ``tail`` seconds before the command's deadline, and every phase (cut
loop, start plan, fix-and-optimise, the MILP) takes its budget from what is left before
that instant, never from the limit itself: a phase that overran leaves less to the next
phase instead of pushing the command past its limit.

The tail depends on the backend (:data:`LAGS`): HiGHS returns close to its limit (but
counts it from after loading the model and the MIP start); SCIP notices it only between
LP iterations of its root; CBC not at all inside a root cut pass (a pass on the
100 x 52 x 3 instance takes 10 s).  So the last solve runs under a :class:`Watchdog`
that asks the backend to stop when it runs on past its usual lag, as a Ctrl-C would
(CBC is then interrupted, and ended a second later if it goes on; the tail keeps that
second).

Times here are *instants* in seconds since the command started (``ctx.elapsed()``
units), ``None`` when there is no limit.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from types import TracebackType

from optikit.paradigms import LinearModel, LinearResult, LinearSolver
from optikit.types import SolveContext
from optikit_lotsizing.model import LotSizingProblem

#: Seconds kept after the last solve whatever the size: building the answer, the
#: checker, the summary and the files, interpreter exit, and HiGHS's lag in noticing
#: its limit (together 0.4-0.6 s on the 100 x 52 instance at load 4 on 2 cores).
TAIL_BASE_S = 0.3
#: And per item and period (the payload, the checker and the summary walk the plan, and
#: HiGHS notices a limit later on a larger MILP): 100 items x 52 periods took 0.2 s after
#: the MILP returned on a quiet machine, but the MILP itself ended 0.1-0.6 s past its
#: limit at load 4-5.
TAIL_PER_CELL_S = 1e-4
#: The tail never takes more than this share of the limit (unless a backend's says more).
TAIL_MAX_SHARE = 0.1


@dataclasses.dataclass(frozen=True)
class Lag:
    """How far past the limit it was handed a backend returns from the last MILP.

    ``late_s + late_per_cell_s * cells`` is how late it usually is: the tail keeps it,
    and the watchdog asks the backend to stop then.  ``stop_s`` is the most
    it may take to return after that request (CBC: the second between the interrupt and
    the kill, see ``optikit_pulp.child_stop``).  ``share`` caps the whole tail as a
    share of the limit.
    """

    late_s: float = 0.0
    late_per_cell_s: float = 0.0
    stop_s: float = 0.0
    share: float = TAIL_MAX_SHARE

    def late(self, cells: int) -> float:
        return self.late_s + self.late_per_cell_s * cells


#: Measured on the generated 100 x 52 x 3 instance (``generate lot-sizing --size large
#: --seed 2``), ``--time-limit 30``, load 6-9 on 2 cores, see benchmarks/lot-sizing/README:
#: HiGHS's last MILP returned 0.05-0.6 s past its limit, 1.6-2.0 s in some runs at load
#: 3-9 (its limit is set before the model and the start are loaded, and it does not look
#: at its interrupt callback inside every phase); SCIP's
#: last MILP returned 0.45 s past its limit (its root LP hit the limit inside
#: SoPlex), fix-and-optimise windows 0.15-0.25 s; CBC's last MILP 2.6 s (the root cut
#: pass: 12,745 cuts), windows 0.8-1.1 s.  Backends not named get ``DEFAULT_LAG``.
LAGS: dict[str, Lag] = {
    "highs": Lag(late_s=0.2, late_per_cell_s=3e-4, share=0.15),
    "scip": Lag(late_s=0.2, late_per_cell_s=1.5e-4, share=0.15),
    "cbc": Lag(late_s=0.1, late_per_cell_s=1e-4, stop_s=1.3, share=0.3),
}
DEFAULT_LAG = Lag(late_s=0.3, late_per_cell_s=1.5e-4, share=0.15)


def lag_of(backend: str | None) -> Lag:
    return LAGS["highs"] if backend is None else LAGS.get(backend, DEFAULT_LAG)


def tail_seconds(problem: LotSizingProblem, time_limit: float | None,
                 backend: str | None = None) -> float:
    """Seconds between the end of the last solve and the command's deadline."""
    if time_limit is None:
        return 0.0
    cells = problem.num_items * problem.periods
    lag = lag_of(backend)
    tail = TAIL_BASE_S + TAIL_PER_CELL_S * cells + lag.late(cells) + lag.stop_s
    return min(lag.share * time_limit, tail)


def solve_end(ctx: SolveContext, problem: LotSizingProblem, backend: str | None = None
              ) -> float | None:
    """The instant by which the last solve must have returned."""
    if ctx.deadline is None:
        return None
    limit = ctx.deadline - ctx.started
    return max(0.0, limit - tail_seconds(problem, ctx.options.time_limit, backend))


def phase_end(ctx: SolveContext, end: float | None, share: float) -> float | None:
    """The end of a phase that may use ``share`` of the time left before ``end``."""
    if end is None:
        return None
    now = ctx.elapsed()
    return now + share * max(0.0, end - now)


def slice_of(ctx: SolveContext, until: float | None, parts: int) -> float | None:
    """Seconds for the next of ``parts`` equal solves that must all end by ``until``."""
    if until is None:
        return None
    return max(0.0, until - ctx.elapsed()) / max(1, parts)


def over(ctx: SolveContext, until: float | None) -> bool:
    """Whether a phase ending at ``until`` must stop (time up, or the user's stop)."""
    return ctx.expired() or (until is not None and ctx.elapsed() >= until)


class Watchdog:
    """The last solve's context, with a stop flag of its own that is set when the run's
    is (the user's Ctrl-C) or when the solve runs on past ``end`` plus its backend's
    usual lag; ``fired`` says whether the second happened.

    Use as ``with Watchdog(ctx, end, backend, problem) as sub: backend.solve(m, sub)``.
    """

    POLL_S = 0.05

    def __init__(self, ctx: SolveContext, end: float | None, backend: str,
                 problem: LotSizingProblem) -> None:
        lag = lag_of(backend)
        cells = problem.num_items * problem.periods
        self.at = None if end is None else end + lag.late(cells)
        self.parent = ctx
        self.stop = threading.Event()
        self.ctx = ctx.narrowed(end=end, progress=True, stop=self.stop)
        self.fired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="optikit-lot-watchdog",
                                        daemon=True)

    def __enter__(self) -> SolveContext:
        self._thread.start()
        return self.ctx

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._done.wait(self.POLL_S):
            if self.parent.stop.is_set():
                self.stop.set()
                return
            if self.at is not None and self.parent.elapsed() >= self.at:
                self.fired = True
                self.stop.set()
                return


#: The most :func:`last_solve` ends earlier than planned for a backend late in this run.
MAX_SHIFT_S = 1.0


class Timed:
    """A backend that remembers how far past their limits its MIP solves (the windows of
    fix-and-optimise) returned in this run: the load of the machine shows there first,
    and :func:`last_solve` ends the last solve that much earlier than its usual lag."""

    def __init__(self, backend: LinearSolver) -> None:
        self.inner = backend
        self.name = backend.name
        self.supports_integer = backend.supports_integer
        self.late = 0.0

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        result = self.inner.solve(model, ctx)
        if model.is_mip and ctx.deadline is not None:
            self.late = max(self.late, time.monotonic() - ctx.deadline)
        return result


def last_solve(problem: LotSizingProblem, backend: LinearSolver, model: LinearModel,
               ctx: SolveContext, end: float | None) -> LinearResult:
    """The run's last solve, ending at ``end`` under a :class:`Watchdog`; when the
    watchdog had to stop it, the message says so (not the backend's "stopped by the
    user")."""
    if isinstance(backend, Timed) and end is not None:
        usual = lag_of(backend.name).late(problem.num_items * problem.periods)
        # at most a second: CBC's windows also count writing the model, its last
        # solve does not (its limit is read after the model is written)
        end = max(ctx.elapsed(), end - min(MAX_SHIFT_S, max(0.0, backend.late - usual)))
    watchdog = Watchdog(ctx, end, backend.name, problem)
    with watchdog as sub:
        result = backend.solve(model, sub)
    if watchdog.fired and not ctx.stop.is_set():
        # the backend reports a user's stop ("stopped by the user", "Interrupted by user")
        late = ctx.elapsed() - (end or 0.0)
        message = (f"time limit reached; {backend.name} ran on past the end of its time "
                   f"and was stopped ({late:.1f} s late)")
        result = dataclasses.replace(result, message=message,
                                     stats={**result.stats, "stopped_past_end": True})
    return result
