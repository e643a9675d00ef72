"""Requirement bounds from the bill of materials (an MRP netting without lot sizes).

``lower[i, t]``: arrivals (production and purchases) of item ``i`` needed by the end of
period ``t`` in every feasible plan: its own cumulative demand and safety stock, less its
initial stock, plus what its produced-only parents must at least have started by then
(a parent ``j`` that arrives by ``t + L_j`` must have started by ``t``; started means its
components are consumed).  Backlogged items only need their total by the last period.
Parents that can also be bought contribute nothing (a purchase may replace them), so the
bound stays valid.  The facility-location cover rows rest on it.

``upper[i]``: total arrivals of ``i`` that any plan can use (every parent made for
all its needs); production beyond it is pure cost, so the big-M rows may cap at it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from optikit_lotsizing.model import LotSizingProblem


def lower_cumulative(problem: LotSizingProblem) -> NDArray[np.float64]:
    n, periods = problem.num_items, problem.periods
    need = np.zeros((n, periods))
    only_made = problem.produced & ~problem.purchased
    cum_demand = np.cumsum(problem.demand, axis=1)
    steps = np.arange(periods)
    for i in problem.order:  # parents first
        dep = np.zeros(periods)
        for j in np.flatnonzero(problem.bom[i]):
            if only_made[j]:
                dep += problem.bom[i, j] * need[j, np.minimum(steps + problem.lead[j],
                                                              periods - 1)]
        raw = cum_demand[i] + problem.safety[i] - problem.initial[i] + dep
        if problem.backlog[i]:
            need[i, -1] = max(0.0, float(raw[-1]))
        else:
            need[i] = np.maximum.accumulate(np.maximum(raw, 0.0))
    return need


def upper_total(problem: LotSizingProblem) -> NDArray[np.float64]:
    total = np.zeros(problem.num_items)
    for i in problem.order:  # parents first
        used = float(problem.bom[i] @ total)
        total[i] = max(0.0, problem.demand[i].sum() + problem.safety[i] - problem.initial[i]
                       + used)
    return total
