"""Formulation ``slp`` over several periods: successive LP on the source model.

As over one period: from one start (the tanks' shares from ``start``; random shares when
those admit no flows), SLP steps (:func:`optikit_pooling.mp_heuristic.climb`) until the
trust region collapses.  A local optimum: ``feasible``, never ``optimal``, no bound.
"""

from __future__ import annotations

from typing import Any

from optikit.paradigms import LinearSolver
from optikit.types import Outcome, SolveContext, Status
from optikit_pooling.lp import polish_context
from optikit_pooling.model import PoolingProblem
from optikit_pooling.mp_evaluate import periods_payload
from optikit_pooling.mp_heuristic import climb, first_feasible
from optikit_pooling.mp_marginal import period_marginals
from optikit_pooling.mp_solve import Final
from optikit_pooling.trust import slp_from_start

#: Random shares tried when the start admits no feasible flows.
START_TRIES = 50


def solve_slp_periods(problem: PoolingProblem, solver: LinearSolver,
                      ctx: SolveContext) -> Outcome:
    """A local optimum over several periods by SLP on a linear backend."""
    how = str(ctx.option("start"))
    current, tries = first_feasible(problem, solver, ctx, how, ctx.options.seed, START_TRIES)
    stats: dict[str, Any] = {"slp_start": how, "slp_start_tries": tries, "slp_iterations": 0,
                             "periods": len(problem.periods.names) if problem.periods else 1}
    if current is None:
        return Outcome(Status.UNKNOWN, stats=stats,
                       message="SLP: no feasible flows for the starting tank compositions")
    current, message = slp_from_start(ctx, current, lambda start: climb(
        problem, solver, ctx, start, int(ctx.option("iterations")), report=True), stats)
    final = Final(current.flows, current.profit, current)
    cleanup = polish_context(ctx)
    analysis = period_marginals(problem, solver, cleanup, final)
    return Outcome(Status.FEASIBLE, payload=periods_payload(problem, current.flows),
                   objective=float(current.profit), stats=stats,
                   analysis=analysis, message=message)
