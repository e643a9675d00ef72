"""Formulation entry points ``fl-extended`` and ``bigm`` and the payload of every MILP answer
(``fl`` and ``rf`` live in :mod:`heuristic`).

The payload is read from the solver's values with integrality residue removed
(quantities under ``1e-9 * scale`` are zero, near-integers are snapped), and the stock is
recomputed from the cleaned plan, so what the checker sees is exactly the plan reported.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearResult, LinearSolver
from optikit.types import Outcome, SolveContext, Status
from optikit_lotsizing.bounds import phase_bound
from optikit_lotsizing.budget import last_solve, solve_end
from optikit_lotsizing.checker import USED, net_stock, scale
from optikit_lotsizing.linear import LotModel, build
from optikit_lotsizing.model import LotSizingProblem

SNAP = 1e-6


def _clean(values: NDArray[np.float64], size: float) -> NDArray[np.float64]:
    out = np.where(values > USED * size, values, 0.0)
    near = np.abs(out - np.round(out)) <= SNAP
    return np.where(near, np.round(out), out)


def plan(problem: LotSizingProblem, lm: LotModel, values: NDArray[np.float64]
         ) -> tuple[NDArray[np.float64], list[tuple[int, str, int, float]]]:
    """Production per item and period and orders ``(item, supplier, period, qty)``."""
    size = scale(problem)
    x = np.zeros((problem.num_items, problem.periods))
    made = lm.x >= 0
    on = values[lm.y[made]] > 0.5
    x[made] = np.where(on, values[lm.x[made]], 0.0)
    x = _clean(x, size)
    orders: list[tuple[int, str, int, float]] = []
    for order in lm.orders:
        source = order.source
        if order.count >= 0:
            qty = source.multiple * round(float(values[order.count]))
        else:
            qty = float(values[order.q].sum())
            if order.w.size and values[order.w].sum() < 0.5:
                qty = 0.0
        qty = float(_clean(np.array([qty]), size)[0])
        if qty > 0:
            orders.append((source.item, source.supplier, order.period, qty))
    return x, orders


def payload(problem: LotSizingProblem, x: NDArray[np.float64],
            orders: list[tuple[int, str, int, float]]) -> dict[str, Any]:
    """The contract's payload: production, purchases, stock (and backlog)."""
    bought = np.zeros_like(x)
    purchases = []
    lead = {(s.item, s.supplier): s.lead_time for s in problem.sources}
    for i, supplier, t, qty in orders:
        bought[i, t + lead[(i, supplier)]] += qty
        purchases.append({"item": problem.ids[i], "supplier": supplier, "period": t + 1,
                          "quantity": _plain(qty)})
    net = net_stock(problem, x, bought)
    out: dict[str, Any] = {
        "production": [
            {"item": problem.ids[i], "period": int(t) + 1, "quantity": _plain(x[i, t])}
            for i, t in zip(*np.nonzero(x), strict=True)
        ],
        "purchases": purchases,
        "stock": {problem.ids[i]: [_plain(max(v, 0.0)) for v in net[i]]
                  for i in range(problem.num_items)},
    }
    if problem.backlog.any():
        out["backlog"] = {problem.ids[i]: [_plain(max(-v, 0.0)) for v in net[i]]
                          for i in np.flatnonzero(problem.backlog)}
    return out


def _plain(value: float) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def outcome_from(problem: LotSizingProblem, lm: LotModel, result: LinearResult,
                 stats: dict[str, Any]) -> Outcome:
    """The Outcome of one MILP solve (no solution: the solver's status and message)."""
    if not result.status.has_solution or result.x is None:
        status = result.status if result.status is not Status.FEASIBLE else Status.UNKNOWN
        return Outcome(status, message=result.message, stats=stats)
    x, orders = plan(problem, lm, result.x)
    return Outcome(result.status, payload=payload(problem, x, orders),
                   objective=result.objective, bound=result.bound, stats=stats,
                   message=result.message if result.status is not Status.OPTIMAL else "")


def model_stats(lm: LotModel) -> dict[str, Any]:
    model = lm.model
    return {"columns": model.num_cols, "rows": model.num_rows,
            "nonzeros": int(model.data.size), "integers": int(model.integer.sum())}


def _solve(problem: LotSizingProblem, backend: LinearSolver, ctx: SolveContext,
           strong: bool) -> Outcome:
    lm = build(problem, strong)
    stats = model_stats(lm)
    ctx.log(f"lot-sizing: {stats}")
    # the answer is read back, checked and written within the limit too
    result = last_solve(problem, backend, lm.model, ctx, solve_end(ctx, problem, backend.name))
    stats.update({f"solver_{k}": v for k, v in result.stats.items()})
    bound, stats["bound_source"] = phase_bound(problem, result, stats)
    return outcome_from(problem, lm, dataclasses.replace(result, bound=bound), stats)


def solve_fl_extended(problem: LotSizingProblem, backend: LinearSolver, ctx: SolveContext
                      ) -> Outcome:
    """The facility-location reformulation with its z variables written out."""
    return _solve(problem, backend, ctx, strong=True)


def solve_bigm(problem: LotSizingProblem, backend: LinearSolver, ctx: SolveContext) -> Outcome:
    """Plain aggregate big-M formulation (the baseline)."""
    return _solve(problem, backend, ctx, strong=False)
