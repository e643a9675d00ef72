"""The ``linear`` formulation: build, solve on any linear backend, and report.

After a MILP the material selection is fixed and the remaining LP solved once more: its
solution has exact zeros for unused materials (no integrality-tolerance residue for the
checker to trip over) and its duals price the rules given that selection.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearResult, LinearSolver
from optikit.types import Outcome, SolveContext, Status
from optikit_blend.analysis import analyse
from optikit_blend.diagnosis import diagnose
from optikit_blend.linear import BlendModel, build
from optikit_blend.model import BlendProblem, charge_figures

#: Charges below this (per tonne of product) are solver noise and left out of ``amounts``.
DROP_BELOW = 1e-10
#: The clean-up LP after a MILP may run this long even when the deadline has passed
#: (it is tiny next to the MILP; without it a time-limited MILP would lose its duals) ...
POLISH_MIN_SECONDS = 0.5
#: ... but past the deadline it may use at most this share of the overshoot the project
#: allows (10 % of the limit or 1 s, whichever is larger), less what the MILP overran.
POLISH_SHARE_OF_GRACE = 0.5


def payload(problem: BlendProblem, xm: NDArray[np.float64]) -> dict[str, Any]:
    """The contract's solution payload from charges per tonne of product."""
    keep = np.flatnonzero(xm > DROP_BELOW)
    amounts = {problem.ids[i]: float(xm[i] * problem.total) for i in keep}
    pct = xm[keep] @ problem.composition[keep]
    ratios: dict[str, float | None] = {}
    for ratio in problem.ratios:
        den = float(pct @ ratio.denominator)
        ratios[ratio.name] = float(pct @ ratio.numerator) / den if den > 0 else None
    return {
        "amounts": amounts,
        "composition": {c: float(v) for c, v in zip(problem.components, pct, strict=True)},
        "ratios": ratios,
    }


def polish_budget(ctx: SolveContext) -> float | None:
    """Seconds the clean-up LP may take (None: no limit; 0: skip it)."""
    remaining, limit = ctx.remaining(), ctx.options.time_limit
    if remaining is None or limit is None:
        return None
    late = max(0.0, ctx.elapsed() - limit)
    grace = POLISH_SHARE_OF_GRACE * max(0.1 * limit, 1.0) - late
    return max(remaining, min(POLISH_MIN_SECONDS, max(0.0, grace)))


def _polish(
    problem: BlendProblem, bm: BlendModel, result: LinearResult, backend: LinearSolver,
    ctx: SolveContext,
) -> tuple[BlendModel, LinearResult, str]:
    """Fix the MILP's selection and re-solve the LP; fall back to the MILP's own values."""
    assert result.x is not None
    selection = np.zeros(problem.num_materials, dtype=bool)
    selection[bm.u_materials] = result.x[bm.u_cols] > 0.5
    budget = polish_budget(ctx)
    if budget is None or budget > 0:
        fixed = build(problem, selection)
        again = backend.solve(fixed.model, ctx.narrowed(budget, past_deadline=True))
        if again.status is Status.OPTIMAL and again.x is not None:
            return fixed, again, "LP with the material selection fixed"
        ctx.log(f"blend: clean-up LP after the MILP ended {again.status.value}: "
                f"{again.message}")
    else:
        ctx.log("blend: no time left for the clean-up LP after the MILP")
    x = result.x.copy()
    unused = bm.u_materials[~selection[bm.u_materials]]
    x[bm.x_cols[unused]] = 0.0
    cleaned = dataclasses.replace(result, x=x, row_duals=None, col_duals=None)
    return bm, cleaned, "MILP (no duals)"


def _infeasible(
    problem: BlendProblem, backend: LinearSolver, ctx: SolveContext, result: LinearResult,
    stats: dict[str, Any], lp_time: float,
) -> Outcome:
    """An infeasible blend, with the conflicting limits found by :mod:`diagnosis`."""
    try:
        report, more = diagnose(problem, backend, ctx, expected=lp_time)
    except Exception as exc:  # the verdict stands even when the explanation fails
        report = {"summary": f"the diagnosis failed: {type(exc).__name__}: {exc}",
                  "conflicts": [], "method": "", "complete": False}
        more = {}
    stats.update(more)
    # "Infeasible" alone restates the status; anything more from the solver is kept.
    message = "" if result.message.strip().lower() == "infeasible" else result.message
    return Outcome(Status.INFEASIBLE, message=message, analysis={"diagnosis": report},
                   stats=stats)


def solve_linear(problem: BlendProblem, backend: LinearSolver, ctx: SolveContext) -> Outcome:
    """Formulation entry point: problem + linear backend -> Outcome."""
    bm = build(problem)
    ctx.log(
        f"blend: {bm.model.num_cols} columns ({bm.u_cols.size} binary), "
        f"{bm.model.num_rows} rows, {bm.model.data.size} nonzeros"
    )
    started = time.monotonic()
    result = backend.solve(bm.model, ctx)
    stats: dict[str, Any] = {
        "columns": bm.model.num_cols,
        "rows": bm.model.num_rows,
        "nonzeros": int(bm.model.data.size),
        "binaries": int(bm.u_cols.size),
        **{f"solver_{k}": v for k, v in result.stats.items()},
    }
    if result.status is Status.INFEASIBLE:
        # One LP of this size on this backend takes about as long as the solve just done.
        lp_time = 0.0 if bm.model.is_mip else time.monotonic() - started
        return _infeasible(problem, backend, ctx, result, stats, lp_time)
    if not result.status.has_solution or result.x is None:
        status = result.status if result.status is not Status.FEASIBLE else Status.UNKNOWN
        return Outcome(status, message=result.message, stats=stats)

    final_bm, final, source = bm, result, "LP"
    if bm.u_cols.size:
        final_bm, final, source = _polish(problem, bm, result, backend, ctx)
        stats["polish_objective"] = final.objective
    assert final.x is not None
    xm = np.maximum(final.x[final_bm.x_cols], 0.0)
    objective = charge_figures(problem, xm)[2] * problem.total
    bound = result.bound  # the MILP's proven bound still holds for the polished blend
    ctx.report(objective=objective, bound=bound, source="blend")
    analysis = analyse(problem, final_bm, final.x, final.row_duals, final.col_duals, source)
    return Outcome(
        result.status,
        payload=payload(problem, xm),
        objective=objective,
        bound=bound,
        analysis=analysis,
        stats=stats,
        message=result.message if result.status is not Status.OPTIMAL else "",
    )
