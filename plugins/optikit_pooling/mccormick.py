"""Formulation ``mccormick``: a piecewise McCormick MILP relaxation of the pq model.

Each composition ``q[a]`` in [0, fraction] is split into ``segments`` pieces chosen by
binaries; the flows ``y[b]`` are split alongside, and on the chosen piece ``v = q*y`` is
enclosed by its McCormick envelope.  The MILP's proven bound is a certified upper bound on
the global optimum (for when SCIP is not wanted).  A repair LP (the flow LP at the MILP's
compositions), improved by the alternating LP, gives a feasible answer; it is reported
``optimal`` only when it meets the certified bound within the gap.
"""

from __future__ import annotations

import time
from typing import Any, cast

import numpy as np

from optikit.paradigms import LinearSolver, QuadraticModel
from optikit.types import Backend, Outcome, SolveContext, Status
from optikit_pooling.lp import (
    CLIMB_STEPS,
    CLIMB_TRUST,
    POLISH_FLOOR,
    Evaluated,
    alternate,
    budget_context,
    improved,
    multistart,
)
from optikit_pooling.model import PoolingProblem
from optikit_pooling.mp_solve import refuse_periods
from optikit_pooling.pq import Layout, build, require_bounded, split
from optikit_pooling.result import outcome
from optikit_pooling.slp import climb_from


def relaxation(problem: PoolingProblem, segments: int) -> tuple[QuadraticModel, Layout]:
    """The piecewise McCormick MILP (a linear model: no bilinear terms)."""
    _, layout, b = build(problem, "relaxed")
    n = max(1, int(segments))
    il = problem.il
    qhat: dict[int, Any] = {}
    pick: dict[int, Any] = {}
    lows: dict[int, Any] = {}
    highs: dict[int, Any] = {}
    for a, arc in enumerate(il):
        edges = np.linspace(0.0, arc.fraction, n + 1)
        lows[a], highs[a] = edges[:-1], edges[1:]
        pick[a] = b.add_columns(n, 0.0, 0.0, 1.0, integer=True)
        qhat[a] = b.add_columns(n, 0.0, 0.0, arc.fraction)
        b.add_row({int(c): 1.0 for c in pick[a]}, 1.0, 1.0)
        b.add_row({int(layout.q[a]): 1.0, **{int(c): -1.0 for c in qhat[a]}}, 0.0, 0.0)
        for k in range(n):
            h, lam = int(qhat[a][k]), int(pick[a][k])
            b.add_row({h: 1.0, lam: -float(lows[a][k])}, lower=0.0)
            b.add_row({h: 1.0, lam: -float(highs[a][k])}, upper=0.0)
    for t, (a, m) in enumerate(layout.triples):
        top = float(layout.y_upper[m])
        v, y = int(layout.v[t]), int(layout.y[m])
        if top <= 0:
            continue
        ybar = b.add_columns(n, 0.0, 0.0, top)
        b.add_row({y: 1.0, **{int(c): -1.0 for c in ybar}}, 0.0, 0.0)
        for k in range(n):
            b.add_row({int(ybar[k]): 1.0, int(pick[a][k]): -top}, upper=0.0)
        lo, hi = lows[a], highs[a]
        # v >= qL*y  and  v <= qU*y  (with y >= 0), piece by piece
        b.add_row({v: 1.0, **{int(ybar[k]): -float(lo[k]) for k in range(n)}}, lower=0.0)
        b.add_row({v: 1.0, **{int(ybar[k]): -float(hi[k]) for k in range(n)}}, upper=0.0)
        # v >= qU*y + Y*q - qU*Y  and  v <= qL*y + Y*q - qL*Y, on the chosen piece
        over: dict[int, float] = {v: 1.0}
        under: dict[int, float] = {v: 1.0}
        for k in range(n):
            over[int(ybar[k])] = -float(hi[k])
            over[int(qhat[a][k])] = -top
            over[int(pick[a][k])] = float(hi[k]) * top
            under[int(ybar[k])] = -float(lo[k])
            under[int(qhat[a][k])] = -top
            under[int(pick[a][k])] = float(lo[k]) * top
        b.add_row(over, lower=0.0)
        b.add_row(under, upper=0.0)
    return b.build(), layout


def solve_mccormick(problem: PoolingProblem, backend: Backend, ctx: SolveContext) -> Outcome:
    """Formulation entry point: certified bound, repaired feasible answer."""
    refuse_periods(problem, "mccormick")
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
    sub = budget_context(ctx, max(ctx.remaining() or POLISH_FLOOR, POLISH_FLOOR))
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
