"""Formulation ``mccormick`` over several periods: a certified bound without SCIP.

The source model (:mod:`optikit_pooling.mp_model`) with every ``v = q s`` and ``w = q y``
enclosed in piecewise McCormick envelopes (``segments`` pieces per tank share and period)
is a MILP relaxation: on HiGHS or CBC its proven bound (also when stopped at the limit:
the solver's dual bound) is a certified upper bound on the profit.  The repair: the flow
LP with every tank's shares held at the MILP's (else at the shares its flows imply), SLP
steps from there, and optikit's multi-period heuristic in the time left; the checker has
the last word, and the answer is ``optimal`` only when it meets the bound within the gap.
"""

from __future__ import annotations

import time
from typing import Any, cast

import numpy as np

from optikit.paradigms import LinearSolver
from optikit.types import Backend, Outcome, SolveContext, Status
from optikit_pooling.lp import POLISH_FLOOR, budget_context, improved
from optikit_pooling.model import PoolingProblem
from optikit_pooling.mp_heuristic import START_STEPS, climb, evaluate, multistart
from optikit_pooling.mp_model import Linearised, build
from optikit_pooling.mp_solve import Final, conclude, require_sized

#: Share of the time limit the MILP relaxation may take; the rest repairs its point.
RELAXATION_SHARE = 0.6


def solve_periods_mccormick(problem: PoolingProblem, backend: Backend,
                            ctx: SolveContext) -> Outcome:
    """Certified bound from the piecewise MILP, repaired into a checked answer."""
    require_sized(problem)
    solver = cast(LinearSolver, backend)
    segments = int(ctx.option("segments"))
    model, cols = build(problem, "source", linear=Linearised("piecewise", segments=segments))
    stats: dict[str, Any] = {"columns": model.num_cols, "rows": model.num_rows,
                             "segments": segments,
                             "binaries": int(np.count_nonzero(model.integer)),
                             "periods": cast(Any, problem.periods).count}
    remaining = ctx.remaining()
    started = time.monotonic()
    result = solver.solve(model, budget_context(
        ctx, None if remaining is None else RELAXATION_SHARE * remaining))
    stats["relaxation_time_s"] = round(time.monotonic() - started, 6)
    stats.update({f"solver_{k}": v for k, v in result.stats.items()})
    if result.status is Status.INFEASIBLE:
        return Outcome(Status.INFEASIBLE, stats=stats,
                       message="the McCormick relaxation is infeasible, so is the problem")
    bound = result.bound if result.status.has_solution else None
    if bound is not None and not np.isfinite(bound):
        bound = None
    if bound is not None:
        stats["milp_bound"] = bound
        ctx.report(None, bound, "mccormick")
    best = None
    left = ctx.remaining()
    sub = budget_context(ctx, max(left if left is not None else POLISH_FLOOR, POLISH_FLOOR))
    if result.status.has_solution and result.x is not None:
        best = evaluate(problem, solver, sub, cols, np.asarray(result.x, dtype=np.float64))
        if best is not None:
            stats["repair_profit"] = best.profit
            ctx.report(best.profit, bound, "mccormick-repair")
            best, _ = climb(problem, solver, sub, best, START_STEPS)
    if not ctx.expired():
        found, more = multistart(problem, solver, ctx, starts=int(ctx.option("starts")),
                                 seed=ctx.options.seed, budget=ctx.remaining())
        stats.update(more)
        if found is not None and (best is None or improved(found.profit, best.profit)):
            best = found
    final = None if best is None else Final(best.flows, best.profit, best)
    message = "" if result.status is Status.OPTIMAL else f"relaxation: {result.message}"
    return conclude(problem, solver, ctx, final, bound, stats, "mccormick", Status.UNKNOWN,
                    message)
