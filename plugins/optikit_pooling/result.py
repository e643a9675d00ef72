"""Turning a chosen candidate into an :class:`~optikit.types.Outcome`.

Every formulation ends here: the payload is written from the candidate's exact flows
(tiny flows dropped), and ``analysis.marginal_values`` prices one more unit of each input
and of each pool's capacity from the duals of the flow LP with the pool compositions (and
any on/off decisions) held at the answer's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optikit.paradigms import LinearSolver, relative_gap
from optikit.types import Outcome, SolveContext, Status
from optikit_pooling.evaluate import payload
from optikit_pooling.lp import Evaluated, polish_context, with_duals
from optikit_pooling.model import PoolingProblem
from optikit_pooling.pq import arc_flows


def _round_up(value: float, digits: int = 12) -> float:
    """``value`` rounded up to ``digits`` significant digits.

    A global solver's bound can differ in its last bit between two identical runs; rounded
    up (an upper bound stays one) it repeats exactly, so seeded runs give equal documents.
    """
    if value == 0.0 or not math.isfinite(value):
        return value
    scale = 10.0 ** (digits - 1 - math.floor(math.log10(abs(value))))
    return math.ceil(value * scale) / scale


def marginal_values(problem: PoolingProblem, final: Evaluated) -> dict[str, Any]:
    """Value of one more unit available of each input and of each pool's capacity."""
    result = final.result
    if result.row_duals is None or result.x is None:
        return {}
    activity = final.model.activity(result.x)
    upper = final.model.row_upper

    def value(row: int) -> float:
        at_upper = abs(activity[row] - upper[row]) <= 1e-7 * max(1.0, abs(upper[row]))
        dual = float(result.row_duals[row]) if at_upper else 0.0  # type: ignore[index]
        return dual if abs(dual) > 1e-9 else 0.0

    return {
        "inputs": {problem.input_ids[i]: value(r) for i, r in final.layout.supply_rows.items()
                   if np.isfinite(upper[r])},
        "pool_capacity": {problem.pool_ids[p]: value(r)
                          for p, r in final.layout.capacity_rows.items()},
        "method": "LP duals with the pool compositions and on/off decisions held fixed",
    }


def outcome(
    problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext, best: Evaluated | None,
    *, proven: bool, bound: float | None, stats: dict[str, Any], message: str = "",
    empty_status: Status = Status.UNKNOWN,
) -> Outcome:
    """The answer for ``best``; ``proven`` when ``bound`` came with a proof of optimality."""
    if best is None:
        return Outcome(empty_status, bound=bound, stats=stats, message=message)
    objective = best.profit
    notes = [message] if message else []
    if bound is not None and bound < objective:
        if objective - bound <= 1e-6 * max(1.0, abs(objective)):
            bound = objective  # the solver's own feasibility tolerance, nothing more
        else:
            notes.append(f"the bound {bound:.10g} is below a checked solution "
                         f"{objective:.10g} (numerical trouble); it is not reported")
            bound, proven = None, False
    if bound is not None:
        bound = max(_round_up(bound), objective)
    gap = relative_gap(objective, bound)
    status = Status.OPTIMAL if proven and gap is not None and gap <= ctx.options.gap else (
        Status.FEASIBLE)
    final = with_duals(problem, solver, polish_context(ctx), best)
    analysis: dict[str, Any] = {}
    marginal = marginal_values(problem, final)
    if marginal:
        analysis["marginal_values"] = marginal
    return Outcome(
        status, payload=payload(problem, arc_flows(problem, best.point)), objective=objective,
        bound=bound, analysis=analysis, stats=stats, message="; ".join(notes),
    )
