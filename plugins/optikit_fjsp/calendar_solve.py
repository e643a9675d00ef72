"""Formulation ``cpsat`` on a shop with working-time calendars.

The tabu search and the dispatching rules of :mod:`optikit_fjsp.cpsat` assume machines
that are always available (they time operations as start + duration), so with calendars
the run is: the calendar-aware dispatching start (:mod:`optikit_fjsp.calendar_dispatch`),
a global CP-SAT solve of the calendar-aware model (:mod:`optikit_fjsp.cpsat_model`)
until it stalls, then the LNS (:mod:`optikit_fjsp.lns`, whose sub-models are the same
calendar-aware model) for the rest of the time.  On very large instances with
changeovers the setups are relaxed as in the normal run and the schedule re-timed with
:func:`calendar_dispatch.decode`.  Every schedule passes the kernel's checks (calendars
included) before it is reported.
"""

from __future__ import annotations

import math
from typing import Any

from optikit.types import Outcome, SolveContext, Status
from optikit_fjsp import bounds, calendar_bounds, calendar_dispatch, cpsat_model, lns
from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.options import CPSAT_OPTIONS
from optikit_fjsp.timetable import Solution, machine_sequences, objective_value


def solve(problem: FjspProblem, backend: Any, ctx: SolveContext) -> Outcome:
    from optikit_fjsp.cpsat import STALL_SECONDS, global_phase, is_valid, payload, search_horizon

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

    # The global solve gets at least half the time: with calendars it is the strongest
    # single method (the tabu search is off).
    left = ctx.remaining()
    limit = None if left is None else max(0.5, left * max(opts["global_share"], 0.5))
    stall = None if left is None else STALL_SECONDS
    phase = global_phase(
        problem, backend, ctx, start, limit, stall, best_so_far=lambda: shared.value
    )
    stats.update(phase.stats)
    if phase.bound is not None:
        bound = max(bound or -math.inf, phase.bound)
    if phase.best is not None and is_valid(problem, phase.best):
        shared.offer(phase.best, objective_value(problem, phase.best), "cpsat")
    proven = phase.proven
    if not proven and not _meets(shared.value, bound) and not ctx.expired() and remaining:
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
        )
        stats["lns_iterations"] = state.iterations
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


def _meets(value: float, bound: float | None) -> bool:
    return bound is not None and value - bound <= 1e-9


def _unhinted(
    problem: FjspProblem, backend: Any, ctx: SolveContext, bound: float | None
) -> Outcome:
    """One CP-SAT solve without a start schedule (the dispatcher found none)."""
    from optikit_fjsp.cpsat import is_valid, payload

    arcs = cpsat_model.circuit_arcs_estimate(problem) if problem.has_setups else 0
    relaxed = arcs > cpsat_model.MAX_CIRCUIT_ARCS
    cm = cpsat_model.build(problem, problem.shop.horizon(), setups=not relaxed)
    result = backend.solve(cm.model, ctx, objective_scale=cm.objective_scale)
    stats: dict[str, Any] = {"calendars": True, "global_status": result.status.value}
    if not result.status.has_solution:
        return Outcome(status=result.status, message=result.message, stats=stats)
    sol: Solution = cm.solution(result.value, result.boolean_value)
    if relaxed:
        sol = calendar_dispatch.decode(problem, sol.modes, machine_sequences(problem.flat, sol))
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
