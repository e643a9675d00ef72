"""Formulation ``cpsat`` on a shop with working-time calendars.

The tabu search and the dispatching rules of :mod:`optikit_fjsp.cpsat` assume machines
that are always available (they time operations as start + duration), so with calendars
the run is: the calendar-aware dispatching start (:mod:`optikit_fjsp.calendar_dispatch`),
a global CP-SAT solve of the calendar-aware model (:mod:`optikit_fjsp.cpsat_model`)
until it stalls, then the LNS (:mod:`optikit_fjsp.lns`, whose sub-models are the same
calendar-aware model) until it stalls, and a last global solve for the rest of the time.
On very large instances with changeovers the setups are relaxed as in the normal run and
the schedule re-timed with :func:`calendar_dispatch.retime`.  Every schedule passes the
kernel's checks (calendars included) before it is reported.
"""

from __future__ import annotations

import math
import time
from typing import Any

from optikit.types import Outcome, SolveContext, Status
from optikit_fjsp import bounds, calendar_bounds, calendar_dispatch, cpsat_model, lns
from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.options import CPSAT_OPTIONS
from optikit_fjsp.timetable import Solution, objective_value

# The LNS hands back to the last global solve after this long without improving
# (seconds, and at least this fraction of its time so far).
LNS_STALL_SECONDS = 3.0
LNS_STALL_FRACTION = 0.3


def solve(problem: FjspProblem, backend: Any, ctx: SolveContext) -> Outcome:
    from optikit_fjsp.cpsat import is_valid, payload
    from optikit_fjsp.global_solve import STALL_SECONDS, global_phase

    opts = ctx.options_for(CPSAT_OPTIONS)
    budget = opts["heuristic_time"]
    remaining = ctx.remaining()
    if remaining is not None:
        budget = min(budget, 0.25 * remaining)
    start = calendar_dispatch.construct(problem, budget=budget, seed=ctx.options.seed)
    bound: float | None = max(bounds.lower_bound(problem), calendar_bounds.lower_bound(problem))
    ctx.report(None, bound, "relaxation")
    if start is None:  # a calendar without `repeat` ran out: let CP-SAT decide
        return _unhinted(problem, backend, ctx, bound)
    value = objective_value(problem, start)
    ctx.report(value, None, "dispatch")
    shared = SharedIncumbent(start, value, lambda _s, v, source: ctx.report(v, None, source))
    stats: dict[str, Any] = {"calendars": True, "heuristic_objective": value}

    # First a global solve until it stalls (at most half the time: with calendars it is
    # the strongest method, the tabu search being off), then the LNS until it stalls,
    # then a last global solve, hinted with the best, for the rest of the time.
    left = ctx.remaining()
    limit = None if left is None else max(0.5, left * max(opts["global_share"], 0.5))
    # Presolve of a calendar model takes a while: stalls count only after a fair share.
    stall = None if limit is None else max(STALL_SECONDS, 0.5 * limit)
    proven = False
    for round_ in range(2):
        best, _v, _n = shared.snapshot()
        phase = global_phase(
            problem, backend, ctx, best, limit, stall, best_so_far=lambda: shared.value
        )
        stats.setdefault("phases", []).append(phase.stats)
        if phase.bound is not None:
            bound = max(bound or -math.inf, phase.bound)
        if phase.best is not None and is_valid(problem, phase.best):
            shared.offer(phase.best, objective_value(problem, phase.best), "cpsat")
        proven = phase.proven
        if round_ == 1 or proven or _meets(shared.value, bound) or ctx.expired() or not left:
            break
        stats["lns_iterations"] = _lns(problem, backend, ctx, shared, opts, bound)
        limit, stall = ctx.remaining(), None
        if ctx.expired():
            break
    best, best_value, _version = shared.snapshot()
    if not is_valid(problem, best):
        ctx.log("internal: a calendar schedule failed the self-check; using the dispatch one")
        best, best_value = start, value
    optimal = proven or _meets(best_value, bound)
    return Outcome(
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        payload=payload(problem, best),
        objective=best_value,
        bound=bound,
        stats=stats,
    )


def _lns(
    problem: FjspProblem,
    backend: Any,
    ctx: SolveContext,
    shared: SharedIncumbent,
    opts: dict[str, Any],
    bound: float | None,
) -> int:
    """LNS from the shared best until it has not improved for a while; its iterations."""
    from optikit_fjsp.global_solve import search_horizon

    started = time.monotonic()
    shared.last_improvement = started

    def stalled() -> bool:
        quiet = shared.quiet_for()
        return quiet > max(LNS_STALL_SECONDS, LNS_STALL_FRACTION * (time.monotonic() - started))

    best, _v, _n = shared.snapshot()
    state = lns.improve(
        problem,
        backend,
        ctx,
        best,
        horizon=search_horizon(problem, best),
        settings=lns.LnsSettings(
            sub_dtime=opts["lns_sub_dtime"] or None,
            parallel=int(opts["lns_parallel"]) or max(1, ctx.options.threads),
            tie_break=int(opts["tie_break"]),
        ),
        lower_bound=bound,
        incumbent=shared,
        should_stop=stalled,
    )
    return state.iterations


def _meets(value: float, bound: float | None) -> bool:
    return bound is not None and value - bound <= 1e-9


def _unhinted(
    problem: FjspProblem, backend: Any, ctx: SolveContext, bound: float | None
) -> Outcome:
    """One CP-SAT solve without a start schedule (the dispatcher found none)."""
    from optikit_fjsp.cpsat import is_valid, payload

    relaxed = cpsat_model.setups_too_large(problem)
    cm = cpsat_model.build(problem, problem.shop.horizon(), setups=not relaxed)
    result = backend.solve(cm.model, ctx, objective_scale=cm.objective_scale)
    stats: dict[str, Any] = {"calendars": True, "global_status": result.status.value}
    if not result.status.has_solution:
        return Outcome(status=result.status, message=result.message, stats=stats)
    sol: Solution = cm.solution(result.value, result.boolean_value)
    if relaxed:
        sol = calendar_dispatch.retime(problem, sol)
    if not is_valid(problem, sol):  # pragma: no cover - the model is calendar-exact
        return Outcome(status=Status.UNKNOWN, message="no valid schedule found", stats=stats)
    value = objective_value(problem, sol)
    if cm.exact_objective and result.bound is not None and math.isfinite(result.bound):
        bound = max(bound or -math.inf, result.bound)
    proven = (
        result.status is Status.OPTIMAL and not relaxed and cm.exact_objective
        and math.isclose(value, result.objective or math.inf, rel_tol=1e-9)
    )
    return Outcome(
        status=Status.OPTIMAL if proven or _meets(value, bound) else Status.FEASIBLE,
        payload=payload(problem, sol),
        objective=value,
        bound=bound,
        stats=stats,
    )
