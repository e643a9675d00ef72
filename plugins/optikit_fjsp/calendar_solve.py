"""Formulation ``cpsat`` on a shop with working-time calendars.

The tabu search and the LNS of :mod:`optikit_fjsp.cpsat` assume machines that are
always available (their moves re-time operations as start + duration), so with
calendars the run is: the calendar-aware dispatching start
(:mod:`optikit_fjsp.calendar_dispatch`), then one global CP-SAT solve of the
calendar-aware model (:mod:`optikit_fjsp.cpsat_model`) for the rest of the time,
hinted with it.  On very large instances with changeovers the setups are relaxed as in
the normal run and the schedule re-timed with :func:`calendar_dispatch.decode`.
"""

from __future__ import annotations

import math
from typing import Any

from optikit.types import Outcome, SolveContext, Status
from optikit_fjsp import bounds, calendar_dispatch, cpsat_model
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.options import CPSAT_OPTIONS
from optikit_fjsp.timetable import Solution, machine_sequences, makespan, objective_value


def solve(problem: FjspProblem, backend: Any, ctx: SolveContext) -> Outcome:
    from optikit_fjsp.cpsat import is_valid, payload

    opts = ctx.options_for(CPSAT_OPTIONS)
    budget = opts["heuristic_time"]
    remaining = ctx.remaining()
    if remaining is not None:
        budget = min(budget, 0.25 * remaining)
    start = calendar_dispatch.construct(problem, budget=budget, seed=ctx.options.seed)
    bound: float | None = bounds.lower_bound(problem)
    best: Solution | None = start
    best_value = math.inf if start is None else objective_value(problem, start)
    if start is not None:
        ctx.report(best_value, None, "dispatch")
    ctx.report(None, bound, "relaxation")

    arcs = cpsat_model.circuit_arcs_estimate(problem) if problem.has_setups else 0
    relaxed = arcs > cpsat_model.MAX_CIRCUIT_ARCS
    horizon = problem.shop.horizon()
    if start is not None and problem.objective.is_makespan:
        horizon = makespan(problem.flat, start)
    cm = cpsat_model.build(problem, horizon, setups=not relaxed)
    if start is not None:
        cm.add_hint(problem, start)
    result = backend.solve(cm.model, ctx, objective_scale=cm.objective_scale)
    proven = False
    if result.status.has_solution:
        sol = cm.solution(result.value, result.boolean_value)
        if relaxed:
            sol = calendar_dispatch.decode(
                problem, sol.modes, machine_sequences(problem.flat, sol)
            )
        value = objective_value(problem, sol)
        if value < best_value and is_valid(problem, sol):
            best, best_value = sol, value
        proven = (
            result.status is Status.OPTIMAL
            and not relaxed
            and cm.exact_objective
            and math.isclose(value, result.objective or math.inf, rel_tol=1e-9)
        )
    if cm.exact_objective and result.bound is not None and math.isfinite(result.bound):
        bound = max(bound or -math.inf, result.bound)
    stats: dict[str, Any] = {
        "calendars": True,
        "global_status": result.status.value,
        "setups_relaxed": relaxed,
        "heuristic_objective": None if start is None else objective_value(problem, start),
    }
    if best is None:
        status = Status.INFEASIBLE if result.status is Status.INFEASIBLE else result.status
        return Outcome(status=status, message=result.message, stats=stats)
    if not is_valid(problem, best):  # pragma: no cover - the dispatcher is feasible by design
        raise RuntimeError("internal: calendar schedule failed the self-check")
    optimal = proven or (bound is not None and best_value - bound <= 1e-9)
    if result.status is Status.INFEASIBLE and start is None:
        return Outcome(status=Status.INFEASIBLE, stats=stats)
    return Outcome(
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        payload=payload(problem, best),
        objective=best_value,
        bound=bound,
        stats=stats,
    )
