"""A linear model solved on HiGHS in a thread beside a CP-SAT search, for its bound.

Why: on the mid-size samples (``machining_cell_day``: 96 quarter-hours) the time-indexed
model's LP bound is the same on CP-SAT and HiGHS, but HiGHS' branch-and-cut raises its
dual bound much further within a minute (70.1 -> 75.3 measured), while CP-SAT finds the
schedules.  HiGHS releases the GIL while it solves, so the two run side by side; the
CP-SAT search gives up one worker meanwhile (the run's thread count holds).
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from optikit.paradigms import LinearBackend, LinearModel, LinearResult
from optikit.types import SolveContext

# Subtracted from HiGHS' dual bound (relative), for its feasibility tolerances.
SAFETY = 1e-6
# HiGHS' own time limit ends this share of the budget early (at most EARLY_MAX_S): it
# checks its limit and the stop request only between root cut rounds, which took 5-12 s
# on the time-indexed model of ``machining_cell_day`` on a loaded machine; stopped from
# outside inside a round, the backend leaves it running (``optikit.native``) and the run
# gets no bound from it (3 of 6 runs) and ends up to 2 s late.  Stopping on its own
# limit, it returns its bound.
EARLY_SHARE = 0.15
EARLY_MAX_S = 10.0


class SideSolve(threading.Thread):
    """Solve ``model`` on HiGHS (one thread) until ``budget_s`` or :attr:`cancel`."""

    def __init__(self, backend: LinearBackend, ctx: SolveContext, model: LinearModel,
                 budget_s: float) -> None:
        super().__init__(name="energy-side-solve", daemon=True)
        self.backend = backend
        self.model = model
        self.cancel = threading.Event()
        own_limit = max(0.05, budget_s - min(EARLY_MAX_S, EARLY_SHARE * budget_s))
        extra = {**ctx.options.extra, "highs.time_limit": own_limit}
        options = dataclasses.replace(ctx.options, time_limit=max(0.05, budget_s),
                                      verbose=False, threads=1, extra=extra)
        self.ctx = SolveContext(options, stop=self.cancel)
        self.parent_stop = ctx.stop
        self.result: LinearResult | None = None
        self.error: str | None = None

    def run(self) -> None:
        try:
            self.result = self.backend.solve(self.model, self.ctx)
        except Exception as exc:  # a side bound is optional: never lose the run over it
            self.error = str(exc)

    def finish(self, cancel: bool, wait_s: float | None = None) -> LinearResult | None:
        """Stop it (if ``cancel`` or the run was stopped, else after ``wait_s`` seconds:
        HiGHS may overrun its limit on a loaded machine), wait, and return its result."""
        if not (cancel or self.parent_stop.is_set()):
            self.join(wait_s)
        self.cancel.set()
        self.join()
        return self.result

    def safe_bound(self) -> float | None:
        """Its dual bound, lowered by the safety margin; None if it has none."""
        r = self.result
        if r is None or r.bound is None:
            return None
        return float(r.bound) - SAFETY * max(1.0, abs(float(r.bound)))


def start(ctx: SolveContext, model: LinearModel, budget_s: float) -> SideSolve | None:
    """A running side solve, or None without HiGHS or a second thread."""
    backend = ctx.backend_of("highs", LinearBackend)
    if backend is None or ctx.options.threads < 2 or budget_s <= 0.5:
        return None
    side = SideSolve(backend, ctx, model, budget_s)
    side.start()
    return side


def describe(side: SideSolve) -> dict[str, Any]:
    r = side.result
    return {"status": None if r is None else r.status.value,
            "objective": None if r is None else r.objective,
            "bound": None if r is None else r.bound, "error": side.error}
