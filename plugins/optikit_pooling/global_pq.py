"""The global formulations: pq (default) and the plain p-formulation, both on SCIP.

``pq``: optikit's alternating-LP multi-start finds good points at once (SCIP alone may
find none on large instances within minutes); the best is handed to SCIP as a hint, SCIP
proves the bound, and the best candidate (SCIP's point turned into exact flows by the flow
LP, or the heuristic's) is reported with SCIP's bound.  ``optimal`` only when that bound
meets the checked profit within the gap.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, cast

import numpy as np

from optikit.paradigms import LinearResult, LinearSolver, QuadraticSolver
from optikit.types import Backend, Outcome, SolveContext, Status
from optikit_pooling.checker import check
from optikit_pooling.evaluate import payload
from optikit_pooling.lp import (
    POLISH_FLOOR,
    Evaluated,
    alternate,
    improved,
    linear_solver,
    multistart,
    polish_context,
    solve_flows,
    solve_shares,
)
from optikit_pooling.model import PoolingProblem
from optikit_pooling.pq import (
    Point,
    arc_flows,
    build,
    full_vector,
    normalised_shares,
    require_bounded,
    split,
)
from optikit_pooling.result import outcome

#: Share of the time limit the heuristic may use before SCIP starts.
HEURISTIC_SHARE = 0.2


def _heuristic_budget(ctx: SolveContext) -> float | None:
    remaining = ctx.remaining()
    return None if remaining is None else HEURISTIC_SHARE * remaining


def _bound_proven(result: LinearResult) -> bool:
    """Whether the solver's bound may be trusted (not after an imprecise termination)."""
    return result.bound is not None and "IMPRECISE" not in str(
        result.stats.get("termination", ""))


def _scip_status_message(result: LinearResult) -> str:
    if result.status in (Status.OPTIMAL, Status.FEASIBLE, Status.INFEASIBLE):
        return "" if result.status is not Status.FEASIBLE else result.message
    return f"global solver: {result.status.value} ({result.message})"


def exact_point(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
                point: Point, result: LinearResult) -> Evaluated | None:
    """A global solver's point as flows the checker accepts, or None.

    SCIP meets its rows to about 1e-6, and with its compositions fixed the flow LP can be
    infeasible on a knife edge (product minimums with tight specs, RT2).  So: the flow LP
    at SCIP's compositions; else the composition LP at SCIP's pool outflows, then the flow
    LP at those compositions; else SCIP's own flows, if the checker accepts them.
    """
    sub = polish_context(ctx)
    found = solve_flows(problem, solver, sub, point.q)
    if found is not None:
        return found
    shares = solve_shares(problem, solver, sub, point.y)
    if shares is not None:
        found = solve_flows(problem, solver, sub, shares.point.q)
        if found is not None:
            return found
        found = shares
        found.point.q = normalised_shares(problem, shares.point.q)
    else:
        point.q = normalised_shares(problem, point.q)
        found = Evaluated(point, 0.0, *build(problem, "fix_q", q0=point.q)[:2], result)
    flows = arc_flows(problem, found.point)
    report = check(problem, payload(problem, flows))
    if not report.feasible or report.objective is None:
        ctx.log(f"pooling: the global solver's point fails the check: {report.violations[0]}")
        return None
    found.profit = report.objective
    found.result = dataclasses.replace(found.result, row_duals=None)
    return found


def relaxation_start(problem: PoolingProblem, solver: LinearSolver,
                     ctx: SolveContext) -> Evaluated | None:
    """One more start for the multi-start: the McCormick relaxation's compositions.

    The random and vertex starts can all fall into one basin on large instances (randstd-like
    large-2: every start ended near 23839 while alternating from SCIP's own rough point
    reached 24597); the relaxation's point looks at the whole network instead.
    """
    from optikit_pooling.mccormick import relaxation

    model, layout = relaxation(problem, 1)
    sub = ctx.narrowed(POLISH_FLOOR + (_heuristic_budget(ctx) or 0.0) / 4,
                       past_deadline=True)
    result = solver.solve(model, sub)
    if not result.status.has_solution or result.x is None:
        return None
    return alternate(problem, solver, sub, split(layout, np.asarray(result.x)).q)


def solve_pq(problem: PoolingProblem, backend: Backend, ctx: SolveContext) -> Outcome:
    """Formulation ``pq``: heuristic start, SCIP's proof, exact flows."""
    if problem.periods is not None:
        from optikit_pooling.mp_solve import solve_periods

        return solve_periods(problem, backend, ctx, "source")
    require_bounded(problem)
    solver = linear_solver(backend, ctx)
    model, layout, _ = build(problem, "bilinear")
    stats: dict[str, Any] = {"columns": model.num_cols, "rows": model.num_rows,
                             "bilinear_terms": int(model.q_vals.size)}
    best: Evaluated | None = None
    if ctx.option("heuristic") and not ctx.expired():
        budget = _heuristic_budget(ctx)
        best, more = multistart(problem, solver, ctx, starts=int(ctx.option("starts")),
                                seed=ctx.options.seed, budget=budget)
        stats.update(more)
        guided = relaxation_start(problem, solver, ctx)
        if guided is not None:
            stats["relaxation_start_profit"] = guided.profit
            if best is None or improved(guided.profit, best.profit):
                best = guided
        if best is not None:
            stats["heuristic_profit"] = best.profit
            ctx.report(best.profit, None, "alternating-lp")
            model.hint = full_vector(problem, layout, best.point, model.num_cols)
    started = time.monotonic()
    result = cast(QuadraticSolver, backend).solve(model, ctx)
    stats["global_time_s"] = round(time.monotonic() - started, 6)
    stats.update({f"solver_{k}": v for k, v in result.stats.items()})
    if result.objective is not None:
        stats["global_objective"] = result.objective
    if result.status.has_solution and result.x is not None:
        polished = exact_point(problem, solver, ctx, split(layout, result.x), result)
        if polished is not None and polished.result.row_duals is not None:
            # SCIP stops within its gap; a local ascent often closes the last digits.
            refined = alternate(problem, solver, polish_context(ctx),
                                polished.point.q, max_rounds=5)
            if refined is not None and improved(refined.profit, polished.profit):
                polished = refined
        if polished is not None and (best is None or improved(polished.profit, best.profit)):
            best = polished
    if best is not None:
        ctx.report(best.profit, result.bound, backend.name)
    empty = result.status if result.status in (Status.INFEASIBLE, Status.UNBOUNDED) else (
        Status.UNKNOWN)
    # SCIP's dual bound is proven whenever it is reported, also at a time limit: a checked
    # answer that meets it within the gap is optimal whatever SCIP's own verdict.
    return outcome(problem, solver, ctx, best, proven=_bound_proven(result),
                   bound=result.bound, stats=stats, message=_scip_status_message(result),
                   empty_status=empty)


def solve_p_plain(problem: PoolingProblem, backend: Backend, ctx: SolveContext) -> Outcome:
    """Formulation ``p-plain``: the p-formulation a competent user writes first, on SCIP.

    Flows and pool qualities are variables and the quality balance is bilinear; there is
    no heuristic start and no redundant rows.  SCIP's point is turned into exact flows by
    the flow LP so the checker sees it at full precision.
    """
    from optikit_pooling.pform import build_p

    if problem.periods is not None:
        from optikit_pooling.mp_solve import solve_periods

        return solve_periods(problem, backend, ctx, "quality")
    require_bounded(problem)
    solver = linear_solver(backend, ctx)
    model, point_of = build_p(problem)
    stats: dict[str, Any] = {"columns": model.num_cols, "rows": model.num_rows,
                             "bilinear_terms": int(model.q_vals.size)}
    result = cast(QuadraticSolver, backend).solve(model, ctx)
    stats.update({f"solver_{k}": v for k, v in result.stats.items()})
    best: Evaluated | None = None
    if result.status.has_solution and result.x is not None:
        best = exact_point(problem, solver, ctx, point_of(np.asarray(result.x)), result)
    if best is not None:
        ctx.report(best.profit, result.bound, backend.name)
    empty = result.status if result.status in (Status.INFEASIBLE, Status.UNBOUNDED) else (
        Status.UNKNOWN)
    # SCIP's dual bound is proven whenever it is reported, also at a time limit: a checked
    # answer that meets it within the gap is optimal whatever SCIP's own verdict.
    return outcome(problem, solver, ctx, best, proven=_bound_proven(result),
                   bound=result.bound, stats=stats, message=_scip_status_message(result),
                   empty_status=empty)
