"""Value of one more unit over several periods, per period: local, not global.

The flow LP at the answer's tank shares (replayed from its flows) contains the answer, so
its duals price one more unit of each input and of each tank's size in each period *with
the tanks' compositions held at the answer's*: a local figure (as a refinery LP tool gives
it), not the global optimum's sensitivity.  With the shares held, a tank's content in a
period is fixed by what it holds from before, so its size rarely has a value there.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from optikit.paradigms import LinearSolver
from optikit.types import SolveContext
from optikit_pooling.model import PoolingProblem
from optikit_pooling.mp_flows import Candidate, flow_lp, replayed_shares

if TYPE_CHECKING:
    from optikit_pooling.mp_solve import Final

METHOD = ("local: LP duals per period with every tank's composition held at the answer's "
          "(not the global optimum's sensitivity)")


def _as_lp(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
           lp: Candidate) -> Candidate | None:
    """``lp`` re-solved with its on/off decisions (receive-or-discharge) held: duals."""
    if not lp.model.is_mip:
        return lp
    integer = np.asarray(lp.model.integer, dtype=bool)
    held = np.round(lp.x[integer])
    lower, upper = lp.model.col_lower.copy(), lp.model.col_upper.copy()
    lower[integer] = upper[integer] = held
    model = dataclasses.replace(lp.model, col_lower=lower, col_upper=upper,
                                integer=np.zeros_like(integer))
    result = solver.solve(model, ctx)
    if result.x is None or result.row_duals is None:
        return None
    return dataclasses.replace(lp, model=model, result=result)


def _duals(lp: Candidate, inputs: list[str],
           pools: list[str]) -> dict[str, dict[str, list[float | None]]]:
    result, model, cols = lp.result, lp.model, lp.cols
    assert result.row_duals is not None and result.x is not None
    activity = model.activity(np.asarray(result.x, dtype=np.float64))
    upper = model.row_upper

    def value(row: int) -> float | None:
        if not np.isfinite(upper[row]):
            return None
        at_upper = abs(activity[row] - upper[row]) <= 1e-7 * max(1.0, abs(upper[row]))
        dual = float(result.row_duals[row]) if at_upper else 0.0  # type: ignore[index]
        return dual if abs(dual) > 1e-9 else 0.0

    def table(rows: dict[tuple[int, int], int], ids: list[str]) -> dict[str, list[float | None]]:
        count = cols.s.shape[1]
        out: dict[str, list[float | None]] = {}
        for (node, t), row in sorted(rows.items()):
            out.setdefault(ids[node], [None] * count)[t] = value(row)
        return {k: v for k, v in out.items() if any(x is not None for x in v)}

    return {"inputs": table(cols.supply_rows, inputs),
            "pool_capacity": table(cols.capacity_rows, pools)}


def period_marginals(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
                     final: Final) -> dict[str, Any]:
    """``analysis`` with ``marginal_values`` per period, or {} when the LP gives no duals."""
    lp = final.lp
    if lp is None:
        lp = flow_lp(problem, solver, ctx, replayed_shares(problem, final.flows))
    lp = None if lp is None else _as_lp(problem, solver, ctx, lp)
    if lp is None or lp.result.row_duals is None or lp.result.x is None:
        return {}
    assert problem.periods is not None
    values = _duals(lp, problem.input_ids, problem.pool_ids)
    return {"marginal_values": {**values, "periods": list(problem.periods.names),
                                "method": METHOD}}
