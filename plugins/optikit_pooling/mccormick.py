"""Formulation ``mccormick``: a piecewise McCormick MILP relaxation of the pq model.

Each composition ``q[a]`` in [0, fraction] is split into ``segments`` pieces chosen by
binaries; the flows ``y[b]`` are split alongside, and on the chosen piece ``v = q*y`` is
enclosed by its McCormick envelope.  The MILP's proven bound is a certified upper bound on
the global optimum (for when SCIP is not wanted).  A repair LP (the flow LP at the MILP's
compositions), improved by the alternating LP, gives a feasible answer; it is reported
``optimal`` only when it meets the certified bound within the gap.  Several periods:
:mod:`optikit_pooling.mp_mccormick`.
"""

from __future__ import annotations

import time
from typing import Any, cast

from optikit.paradigms import LinearSolver, QuadraticModel
from optikit.types import Backend, Outcome, SolveContext, Status
from optikit_pooling.lp import (
    CLIMB_STEPS,
    CLIMB_TRUST,
    Evaluated,
    alternate,
    improved,
    multistart,
    polish_context,
)
from optikit_pooling.model import PoolingProblem
from optikit_pooling.piecewise import envelope, split_share, uniform
from optikit_pooling.pq import Layout, build, require_bounded, split
from optikit_pooling.result import outcome
from optikit_pooling.slp import climb_from


def relaxation(problem: PoolingProblem, segments: int) -> tuple[QuadraticModel, Layout]:
    """The piecewise McCormick MILP (a linear model: no bilinear terms)."""
    _, layout, b = build(problem, "relaxed")
    pieces = {a: split_share(b, int(layout.q[a]), uniform(arc.fraction, segments))
              for a, arc in enumerate(problem.il)}
    for t, (a, m) in enumerate(layout.triples):
        envelope(b, pieces[a], int(layout.v[t]), int(layout.y[m]), float(layout.y_upper[m]))
    return b.build(), layout


def solve_mccormick(problem: PoolingProblem, backend: Backend, ctx: SolveContext) -> Outcome:
    """Formulation entry point: certified bound, repaired feasible answer."""
    if problem.periods is not None:
        from optikit_pooling.mp_mccormick import solve_periods_mccormick

        return solve_periods_mccormick(problem, backend, ctx)
    require_bounded(problem)
    solver = cast(LinearSolver, backend)
    model, layout = relaxation(problem, int(ctx.option("segments")))
    stats: dict[str, Any] = {"columns": model.num_cols, "rows": model.num_rows,
                             "segments": int(ctx.option("segments"))}
    started = time.monotonic()
    result = solver.solve(model, ctx)
    stats["relaxation_time_s"] = round(time.monotonic() - started, 6)
    stats.update({f"solver_{k}": v for k, v in result.stats.items()})
    bound = result.bound if result.status.has_solution else None
    if result.status is Status.INFEASIBLE:
        return Outcome(Status.INFEASIBLE, stats=stats,
                       message="the McCormick relaxation is infeasible, so is the problem")
    if bound is not None:
        stats["relaxation_bound"] = bound
        ctx.report(None, bound, "mccormick")
    best: Evaluated | None = None
    sub = polish_context(ctx)
    if result.x is not None and result.status.has_solution:
        best = alternate(problem, solver, sub, split(layout, result.x).q)
        if best is not None:
            best, _ = climb_from(problem, solver, sub, best, CLIMB_STEPS, trust=CLIMB_TRUST)
            stats["repair_profit"] = best.profit
    found, more = multistart(problem, solver, ctx, starts=int(ctx.option("starts")),
                             seed=ctx.options.seed, budget=ctx.remaining())
    stats.update(more)
    if found is not None and (best is None or improved(found.profit, best.profit)):
        best = found
    if best is not None:
        ctx.report(best.profit, bound, "mccormick")
    message = "" if result.status is Status.OPTIMAL else f"relaxation: {result.message}"
    return outcome(problem, solver, ctx, best, proven=bound is not None, bound=bound,
                   stats=stats, message=message)
