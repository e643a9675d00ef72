"""The global CP-SAT solve of the fjsp model, hinted and stopped once it stalls.

Separate from :mod:`optikit_fjsp.cpsat` because three runs use it: the main solve,
the calendar solve and the re-planning model.  CP-SAT is strong at proving and weak at
improving large schedules, so each solve here gets a time share and hands over as soon
as its incumbent stops improving.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from optikit.types import ProgressEvent, SolveContext, Status
from optikit_fjsp import cpsat_model
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.timetable import (
    Solution,
    left_shift,
    machine_sequences,
    makespan,
    objective_value,
)

# A global solve hands over when its incumbent has not improved for this long
# (seconds, and at least this fraction of the phase so far).  Later solves start from
# a good hint, so their first improvement takes longer to come: they get more.
STALL_SECONDS = 2.0
LATER_STALL_SECONDS = 5.0
STALL_FRACTION = 0.3


def search_horizon(problem: FjspProblem, incumbent: Solution) -> int:
    """Latest end any improving schedule needs (tight for pure makespan)."""
    if problem.objective.is_makespan:
        return makespan(problem.flat, incumbent)
    return problem.shop.horizon()


@dataclass
class GlobalResult:
    best: Solution | None = None
    bound: float | None = None
    proven: bool = False
    stats: dict[str, Any] = field(default_factory=dict)


class StallWatch:
    """Forwards a global solve's progress to the run and stops it once it stalls.

    Incumbents are forwarded only when they beat ``best_so_far()`` (the run's trajectory
    stays monotone while other methods improve in parallel), and never with
    ``relaxed`` (setups dropped): those are not schedules of the real problem.
    """

    def __init__(
        self,
        parent: SolveContext,
        limit: float | None,
        relaxed: bool,
        stall: float | None,
        best_so_far: Callable[[], float],
    ) -> None:
        self.parent = parent
        self.relaxed = relaxed
        self.stall = stall
        self.best_so_far = best_so_far
        self.stop = threading.Event()
        self.started = time.monotonic()
        self.last_improvement = self.started
        self.best: float | None = None
        options = replace(parent.options, time_limit=limit)
        self.ctx = SolveContext(options, on_progress=self._progress, stop=self.stop, log=parent.log)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _progress(self, event: ProgressEvent) -> None:
        objective = event.objective
        if objective is not None and (self.best is None or objective < self.best):
            self.best = objective
            self.last_improvement = time.monotonic()
        if self.relaxed or (objective is not None and objective >= self.best_so_far()):
            objective = None
        if objective is not None or event.bound is not None:
            self.parent.report(objective, event.bound, "cpsat")

    def _watch(self) -> None:
        while not self._done.wait(0.05):
            if self.parent.stop.is_set():
                self.stop.set()
            if self.stall is None or self.best is None:
                # No stall before CP-SAT's first solution: on a loaded machine presolve
                # alone can take longer than the stall limit, and stopping there loses
                # the bound as well.
                continue
            now = time.monotonic()
            quiet = now - self.last_improvement
            if quiet > max(self.stall, STALL_FRACTION * (now - self.started)):
                self.stop.set()

    def __enter__(self) -> StallWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def global_phase(
    problem: FjspProblem,
    backend: Any,
    ctx: SolveContext,
    hint: Solution,
    limit: float | None,
    stall: float | None = STALL_SECONDS,
    workers: int | None = None,
    best_so_far: Callable[[], float] | None = None,
    makespan_lower: int = 0,
) -> GlobalResult:
    """One CP-SAT solve of the whole model, hinted, stopped at ``limit`` or on a stall."""
    out = GlobalResult()
    relaxed = cpsat_model.setups_too_large(problem)
    cm = cpsat_model.build(
        problem, search_horizon(problem, hint), setups=not relaxed, makespan_lower=makespan_lower
    )
    cm.add_hint(problem, hint)
    hint_value = objective_value(problem, hint)
    best_so_far = best_so_far or (lambda: hint_value)
    with StallWatch(ctx, limit, relaxed, stall, best_so_far) as watch:
        result = backend.solve(
            cm.model,
            watch.ctx,
            time_limit=limit,
            workers=workers,
            objective_scale=cm.objective_scale,
        )
    out.stats = {
        "global_status": result.status.value,
        "global_time_s": round(time.monotonic() - watch.started, 2),
        "setups_relaxed": relaxed,
    }
    if result.status.has_solution:
        sol = cm.solution(result.value, result.boolean_value)
        if relaxed and problem.shop.has_calendars:
            from optikit_fjsp.calendar_dispatch import retime

            sol = retime(problem, sol)
        elif relaxed:
            sol = left_shift(problem.flat, sol.modes, machine_sequences(problem.flat, sol))
        out.best = sol
    if cm.exact_objective and result.bound is not None and math.isfinite(result.bound):
        out.bound = result.bound
    out.proven = (
        result.status is Status.OPTIMAL
        and not relaxed
        and cm.exact_objective
        and out.best is not None
        and math.isclose(
            objective_value(problem, out.best), result.objective or math.inf, rel_tol=1e-9
        )
    )
    return out
