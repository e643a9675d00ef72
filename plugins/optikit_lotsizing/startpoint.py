"""A constructed plan as a point of the MILP, without an LP.

Every column follows from the plan: setups where it makes, end-of-period stock from the
balance, overtime from the load, each order in the price segment its quantity falls in.
The point is then checked against every row and bound of the model; ``None`` if it
misses one (the start is then simply not used), so a wrong start can never be
reported.  On the 100 x 52 x 3 instance an LP costs seconds with SCIP or CBC; this costs
milliseconds, so a plan exists even when no LP fits in a short limit.
"""

from __future__ import annotations

import numpy as np

from optikit.paradigms import LinearResult
from optikit.types import Status
from optikit_lotsizing.construct import Plan
from optikit_lotsizing.linear import LotModel
from optikit_lotsizing.model import LotSizingProblem

#: Tolerance of the row and bound check, relative to the row's size.
TOL = 1e-7


def start_vector(problem: LotSizingProblem, lm: LotModel, plan: Plan
                 ) -> LinearResult | None:
    """The model's point for ``plan`` (feasible, with its objective), or None."""
    model = lm.model
    x = np.zeros(model.num_cols)
    made = lm.x >= 0
    if (plan.make[~made] > 0).any():
        return None
    x[lm.x[made]] = plan.make[made]
    x[lm.y[made]] = (plan.make[made] > 0).astype(float)
    bought = np.zeros_like(plan.make)
    offers = {(o.source.item, o.source.supplier, o.period): o for o in lm.orders}
    for item, supplier, period, qty in plan.orders:
        order = offers.get((item, supplier, period))
        if order is None:
            return None
        source = order.source
        # the price segments the model kept (see linear._order_columns), in its order
        starts = np.maximum(source.break_from, source.min_order)
        kept = np.flatnonzero(starts <= np.append(source.break_from[1:], np.inf))
        seg = max(0, int(np.searchsorted(starts[kept], qty * (1 + 1e-12), "right")) - 1)
        x[order.q[seg]] += qty
        if order.w.size:
            x[order.w[seg]] = 1.0
        if order.count >= 0 and source.multiple > 0:
            x[order.count] = round(qty / source.multiple)
        bought[item, period + source.lead_time] += qty
    ready = np.zeros_like(plan.make)
    for i in range(problem.num_items):
        lead = int(problem.lead[i])
        ready[i, lead:] = plan.make[i, :problem.periods - lead]
    flow = ready + bought - problem.bom @ plan.make - problem.demand
    x[lm.stock] = problem.initial[:, None] + np.cumsum(flow, axis=1)
    load = problem.time_per_unit.T @ plan.make + problem.setup_time.T @ (plan.make > 0)
    has_ot = lm.overtime >= 0
    x[lm.overtime[has_ot]] = np.maximum(load - problem.capacity, 0.0)[has_ot]
    if not model.is_feasible(x, TOL):
        return None
    objective = float(model.c @ x + model.offset)
    return LinearResult(Status.FEASIBLE, x=x, objective=objective, message="constructed")
