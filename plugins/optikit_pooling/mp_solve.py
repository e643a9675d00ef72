"""Solving multi-period documents on SCIP: the source formulation (pq) or the quality one.

``pq`` first runs optikit's multi-period heuristic (:mod:`optikit_pooling.mp_heuristic`):
its checked point is the first incumbent and goes to SCIP as a hint, and the answer is
never worse than it.  ``p-plain`` (the baseline) has no heuristic.  SCIP proves the
global bound; its point is turned into exact flows by the flow LP with each tank's
source shares held at the ones SCIP's flows imply (replayed period by period), and the
checker has the last word.  ``optimal`` only when SCIP's bound meets the checked profit
within the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from optikit.paradigms import LinearResult, LinearSolver, QuadraticSolver, relative_gap
from optikit.types import Backend, Outcome, SolveContext, Status, UsageError
from optikit_pooling.lp import improved, linear_solver, polish_context
from optikit_pooling.model import PoolingProblem
from optikit_pooling.mp_evaluate import Flows, periods_payload
from optikit_pooling.mp_flows import (
    Candidate,
    checked_profit,
    flow_lp,
    flows_of,
    replayed_shares,
)
from optikit_pooling.mp_heuristic import climb, multistart
from optikit_pooling.mp_marginal import period_marginals
from optikit_pooling.mp_model import build, unbounded_tank
from optikit_pooling.result import _round_up

#: Share of the time limit the multi-period heuristic may use before SCIP starts (its
#: relaxation LP alone takes seconds on large documents).
HEURISTIC_SHARE = 0.4
#: On models with more columns than this SCIP's bound stayed near its root value and SCIP
#: never improved the start within a minute (large:3, benchmarks/pooling/README.md), so
#: the heuristic gets the larger share.
LARGE_MODEL = 4000
LARGE_SHARE = 0.75
#: SLP steps that polish SCIP's point.
POLISH_STEPS = 10


def require_sized(problem: PoolingProblem) -> None:
    """Every tank needs a finite size (the models' bounds and envelopes rest on it)."""
    tank = unbounded_tank(problem)
    if tank is not None:
        raise UsageError(f"tank {tank!r} has no finite capacity and no finite bound on its "
                         "inputs or outputs; give it a capacity")


def _exact(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
           flow: Flows) -> Final | None:
    """Checked flows near a global solver's ``flow``: the flow LP at the shares they imply
    (exact to the last digit), else ``flow`` itself if the checker takes it."""
    solved = flow_lp(problem, solver, polish_context(ctx),
                     replayed_shares(problem, flow))
    if solved is not None:
        return Final(solved.flows, solved.profit, solved)
    profit = checked_profit(problem, flow)
    if profit is not None:
        return Final(flow, profit, None)
    ctx.log("pooling: the global solver's point fails the check")
    return None


@dataclass
class Final:
    """A checked answer, with the flow LP that gave it when there is one."""

    flows: Flows
    profit: float
    lp: Candidate | None


def _heuristic(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
               stats: dict[str, Any], columns: int) -> Candidate | None:
    """Optikit's multi-period start (mp_heuristic), reported as the first incumbent."""
    remaining = ctx.remaining()
    share = LARGE_SHARE if columns > LARGE_MODEL else HEURISTIC_SHARE
    budget = None if remaining is None else share * remaining
    best, more = multistart(problem, solver, ctx, starts=int(ctx.option("starts")),
                            seed=ctx.options.seed, budget=budget)
    stats.update(more)
    if best is not None:
        stats["heuristic_profit"] = best.profit
        ctx.report(best.profit, None, "slp-multistart")
    return best


def solve_periods(problem: PoolingProblem, backend: Backend, ctx: SolveContext,
                  mode: str) -> Outcome:
    """Formulation ``pq`` (``mode`` source) or ``p-plain`` (quality) over several periods."""
    require_sized(problem)
    model, cols = build(problem, mode)
    stats: dict[str, Any] = {"columns": model.num_cols, "rows": model.num_rows,
                             "bilinear_terms": int(model.q_vals.size),
                             "periods": cast(Any, problem.periods).count}
    solver = linear_solver(backend, ctx)
    start = None
    if mode == "source" and ctx.option("heuristic") and not ctx.expired():
        start = _heuristic(problem, solver, ctx, stats, model.num_cols)
        if start is not None and start.x.size == model.num_cols:
            model.hint = start.x  # the flow LP's point: same columns as the source model
    result: LinearResult = cast(QuadraticSolver, backend).solve(model, ctx)
    stats.update({f"solver_{k}": v for k, v in result.stats.items()})
    if result.objective is not None:
        stats["global_objective"] = result.objective
    found = None
    if result.status.has_solution and result.x is not None:
        found = _exact(problem, solver, ctx, flows_of(problem, cols, np.asarray(result.x)))
        if found is not None and found.lp is not None and mode == "source" and not (
                ctx.expired()):
            # SCIP stops within its gap or at its limit; a few SLP steps often gain more.
            cleanup = polish_context(ctx)
            polished, _ = climb(problem, solver, cleanup, found.lp, POLISH_STEPS, trust=0.05)
            if improved(polished.profit, found.profit):
                found = Final(polished.flows, polished.profit, polished)
    if start is not None and (found is None or start.profit > found.profit):
        found = Final(start.flows, start.profit, start)  # never worse than the start
    bound = result.bound if result.bound is not None and "IMPRECISE" not in str(
        result.stats.get("termination", "")) else None
    empty = result.status if result.status in (Status.INFEASIBLE, Status.UNBOUNDED) else (
        Status.UNKNOWN)
    return conclude(problem, solver, ctx, found, bound, stats, backend.name, empty,
                    result.message)


def conclude(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
             found: Final | None, bound: float | None, stats: dict[str, Any], source: str,
             empty: Status, message: str) -> Outcome:
    """The outcome of a multi-period solve: the tighter of ``bound`` and the relaxation
    LP's, checked against the answer, ``optimal`` only when they meet within the gap."""
    relaxed = stats.get("relaxation_bound")
    if relaxed is not None and (bound is None or relaxed < bound):
        bound = float(relaxed)  # the LP relaxation's proven bound is the tighter one
        stats["bound_from"] = "relaxation LP"
    if found is None:
        return Outcome(empty, bound=bound, stats=stats, message=message)
    flow, profit = found.flows, found.profit
    notes = []
    if bound is not None and bound < profit:
        if profit - bound <= 1e-6 * max(1.0, abs(profit)):
            bound = profit
        else:
            notes.append(f"the bound {bound:.10g} is below a checked solution {profit:.10g} "
                         "(numerical trouble); it is not reported")
            bound = None
    if bound is not None:
        bound = max(_round_up(bound), profit)
    ctx.report(profit, bound, source)
    gap = relative_gap(profit, bound)
    status = Status.OPTIMAL if gap is not None and gap <= ctx.options.gap else Status.FEASIBLE
    cleanup = polish_context(ctx)
    analysis = period_marginals(problem, solver, cleanup, found)
    return Outcome(status, payload=periods_payload(problem, flow), objective=profit,
                   bound=bound, stats=stats, analysis=analysis, message="; ".join(notes))
