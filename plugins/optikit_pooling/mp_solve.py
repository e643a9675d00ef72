"""Solving multi-period documents on SCIP: the source formulation (pq) or the quality one.

SCIP proves the global bound; its point is turned into exact flows by the flow LP with
each tank's source shares held at the ones SCIP's flows imply (replayed period by period
here, from the model's own side), and the checker has the last word.  ``optimal`` only
when SCIP's bound meets the checked profit within the gap.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearResult, QuadraticSolver, relative_gap
from optikit.types import Backend, Outcome, SolveContext, Status, UsageError
from optikit_pooling.lp import POLISH_FLOOR, budget_context, linear_solver
from optikit_pooling.model import PoolingProblem
from optikit_pooling.mp_checker import check_periods
from optikit_pooling.mp_evaluate import Flows, periods_payload
from optikit_pooling.mp_model import Columns, build, sources, unbounded_tank
from optikit_pooling.result import _round_up

Shares = dict[tuple[int, int, int], float]


def refuse_periods(problem: PoolingProblem, formulation: str) -> None:
    """Formulations built for one period say so instead of answering wrongly."""
    if problem.periods is not None:
        raise UsageError(f"formulation {formulation!r} handles one period only; this document "
                         f"has {problem.periods.count} periods (use pq or p-plain)",
                         "periods")


def _flows(problem: PoolingProblem, cols: Columns, x: NDArray[np.float64]) -> Flows:
    out: Flows = {}
    for arcs, grid in ((problem.il, cols.x), (problem.lj, cols.y), (problem.ij, cols.z)):
        for n, arc in enumerate(arcs):
            for t in range(grid.shape[1]):
                amount = float(x[grid[n, t]])
                if amount > 1e-9:
                    out[arc.index, t] = amount
    return out


def _shares(problem: PoolingProblem, flow: Flows) -> dict[tuple[int, int, int], float]:
    """Each tank's source shares per period implied by ``flow`` (tank by tank replay)."""
    per = problem.periods
    assert per is not None
    out: dict[tuple[int, int, int], float] = {}
    for pool, row in enumerate(sources(problem)):
        position = {src: pos for pos, (src, _) in enumerate(row)}
        held = np.zeros(len(row))
        for src, pos in position.items():
            mix = per.initial_mix[pool]
            held[pos] = per.initial[pool] * (mix.get(src, 0.0) if mix else float(src == -1))
        for t in range(per.count):
            for arc in problem.il:
                if arc.head == pool:
                    held[position[arc.tail]] += flow.get((arc.index, t), 0.0)
            total = float(held.sum())
            share = held / total if total > 1e-12 else np.full(len(row), 1.0 / max(len(row), 1))
            for pos in range(len(row)):
                out[pool, pos, t] = float(share[pos])
            left = total - sum(flow.get((a.index, t), 0.0) for a in problem.lj if a.tail == pool)
            held = share * max(left, 0.0)
    return out


def _flow_lp(problem: PoolingProblem, backend: Backend, ctx: SolveContext,
             shares: Shares) -> tuple[Flows, NDArray[np.float64]] | None:
    """Best flows with every tank's source shares held at ``shares``, and the LP's point
    (a full start for the source model: same columns)."""
    model, cols = build(problem, "source", shares)
    result = linear_solver(backend, ctx).solve(model, budget_context(ctx, POLISH_FLOOR))
    if not result.status.has_solution or result.x is None:
        return None
    return _flows(problem, cols, np.asarray(result.x)), np.asarray(result.x)


def _checked(problem: PoolingProblem, flow: Flows) -> float | None:
    report = check_periods(problem, periods_payload(problem, flow))
    return report.objective if report.feasible else None


def _exact(problem: PoolingProblem, backend: Backend, ctx: SolveContext,
           flow: Flows) -> tuple[Flows, float] | None:
    """Checked flows near ``flow``: the flow LP at its shares, else ``flow`` itself."""
    solved = _flow_lp(problem, backend, ctx, _shares(problem, flow))
    for candidate in ([solved[0]] if solved else []) + [flow]:
        profit = _checked(problem, candidate)
        if profit is not None:
            return candidate, profit
    ctx.log("pooling: the global solver's point fails the check")
    return None


def solve_periods(problem: PoolingProblem, backend: Backend, ctx: SolveContext,
                  mode: str) -> Outcome:
    """Formulation ``pq`` (``mode`` source) or ``p-plain`` (quality) over several periods."""
    tank = unbounded_tank(problem)
    if tank is not None:
        raise UsageError(f"tank {tank!r} has no finite capacity and no finite bound on its "
                         "inputs or outputs; give it a capacity")
    model, cols = build(problem, mode)
    stats: dict[str, Any] = {"columns": model.num_cols, "rows": model.num_rows,
                             "bilinear_terms": int(model.q_vals.size),
                             "periods": cast(Any, problem.periods).count}
    result: LinearResult = cast(QuadraticSolver, backend).solve(model, ctx)
    stats.update({f"solver_{k}": v for k, v in result.stats.items()})
    found = None
    if result.status.has_solution and result.x is not None:
        found = _exact(problem, backend, ctx, _flows(problem, cols, np.asarray(result.x)))
    bound = result.bound if result.bound is not None and "IMPRECISE" not in str(
        result.stats.get("termination", "")) else None
    if found is None:
        empty = result.status if result.status in (Status.INFEASIBLE, Status.UNBOUNDED) else (
            Status.UNKNOWN)
        return Outcome(empty, bound=bound, stats=stats, message=result.message)
    flow, profit = found
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
    ctx.report(profit, bound, backend.name)
    gap = relative_gap(profit, bound)
    status = Status.OPTIMAL if gap is not None and gap <= ctx.options.gap else Status.FEASIBLE
    return Outcome(status, payload=periods_payload(problem, flow), objective=profit,
                   bound=bound, stats=stats, message="; ".join(notes))
