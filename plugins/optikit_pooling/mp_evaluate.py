"""What multi-period flows mean: tank stocks and qualities period by period, and profit.

The *definition* of the multi-period figures, shared by the checker and the payload
writer; no model or solver is involved.  Within a period a tank's receipts mix with its
opening stock and it discharges at the mixed quality; its closing stock keeps that
quality into the next period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from optikit_pooling.evaluate import quality_table
from optikit_pooling.model import PoolingProblem

#: (document arc index, period index) -> amount.
Flows = dict[tuple[int, int], float]


@dataclass
class PeriodFigures:
    """Everything the flows imply, by node index and period."""

    supply: NDArray[np.float64]  # inputs x periods
    received: NDArray[np.float64]  # pools x periods
    discharged: NDArray[np.float64]
    content: NDArray[np.float64]  # opening stock + receipts
    stock: NDArray[np.float64]  # closing stock (negative when more left than there was)
    tank_quality: NDArray[np.float64]  # pools x periods x qualities (nan when empty)
    made: NDArray[np.float64]  # products x periods
    product_quality: NDArray[np.float64]
    revenue: float
    purchase: float
    arc_cost: float
    holding: float
    fixed: float = 0.0  # fixed costs: per arc and period with flow, per tank and period in use

    @property
    def profit(self) -> float:
        return self.revenue - self.purchase - self.arc_cost - self.holding - self.fixed


def evaluate_periods(problem: PoolingProblem, flow: Flows) -> PeriodFigures:
    """Figures of ``flow``, simulating every tank period by period."""
    per = problem.periods
    assert per is not None
    n_t, n_k = per.count, len(problem.qualities)
    n_pool, n_prod = len(problem.pool_ids), len(problem.product_ids)
    supply = np.zeros((len(problem.input_ids), n_t))
    received, discharged = np.zeros((n_pool, n_t)), np.zeros((n_pool, n_t))
    content, stock = np.zeros((n_pool, n_t)), np.zeros((n_pool, n_t))
    tank_q = np.full((n_pool, n_t, n_k), np.nan)
    made = np.zeros((n_prod, n_t))
    product_mass = np.zeros((n_prod, n_t, n_k))
    arc_cost = 0.0
    opening = per.initial.astype(np.float64).copy()
    opening_q = per.initial_quality.astype(np.float64).copy()
    for t in range(n_t):
        mass = opening[:, None] * np.nan_to_num(opening_q)
        for arc in problem.il:
            amount = flow.get((arc.index, t), 0.0)
            supply[arc.tail, t] += amount
            received[arc.head, t] += amount
            mass[arc.head] += amount * problem.lam[arc.tail]
        content[:, t] = opening + received[:, t]
        with np.errstate(invalid="ignore", divide="ignore"):
            tank_q[:, t] = np.where(content[:, t, None] > 0, mass / content[:, t, None], np.nan)
        for arc in problem.lj:
            amount = flow.get((arc.index, t), 0.0)
            discharged[arc.tail, t] += amount
            made[arc.head, t] += amount
            if amount > 0:
                product_mass[arc.head, t] += amount * np.nan_to_num(tank_q[arc.tail, t])
        for arc in problem.ij:
            amount = flow.get((arc.index, t), 0.0)
            supply[arc.tail, t] += amount
            made[arc.head, t] += amount
            product_mass[arc.head, t] += amount * problem.lam[arc.tail]
        stock[:, t] = content[:, t] - discharged[:, t]
        opening, opening_q = np.maximum(stock[:, t], 0.0), tank_q[:, t]
    by_index = {a.index: a for a in problem.arcs}
    fixed = 0.0
    for (index, _), amount in flow.items():
        arc_cost += by_index[index].cost * amount
        fixed += by_index[index].fixed_cost if amount > 0 else 0.0
    in_use = (received + discharged) > 0  # a tank pays its fixed cost when it moves oil
    fixed += float(np.sum(problem.pool_fixed[:, None] * in_use))
    with np.errstate(invalid="ignore", divide="ignore"):
        product_q = np.where(made[:, :, None] > 0, product_mass / made[:, :, None], np.nan)
    return PeriodFigures(
        supply=supply, received=received, discharged=discharged, content=content, stock=stock,
        tank_quality=tank_q, made=made, product_quality=product_q,
        revenue=float(np.sum(per.price * made)), purchase=float(np.sum(per.input_cost * supply)),
        arc_cost=arc_cost, holding=float(np.sum(per.holding[:, None] * np.maximum(stock, 0.0))),
        fixed=fixed,
    )


def periods_payload(problem: PoolingProblem, flow: Flows) -> dict[str, object]:
    """The multi-period payload: ``flows`` with their period, plus what they imply."""
    per = problem.periods
    assert per is not None
    fig = evaluate_periods(problem, flow)
    by_index = {a.index: a for a in problem.arcs}
    flows = [{"from": by_index[i].source, "to": by_index[i].target, "period": per.names[t],
              "amount": float(amount)} for (t, i), amount in
             sorted(((t, i), a) for (i, t), a in flow.items()) if amount > 0]
    tanks = {
        pid: [{"period": name, "received": float(fig.received[p, t]),
               "discharged": float(fig.discharged[p, t]), "stock": float(fig.stock[p, t]),
               "quality": quality_table(problem, fig.tank_quality[p, t])}
              for t, name in enumerate(per.names)]
        for p, pid in enumerate(problem.pool_ids)
    }
    products = {
        pid: [{"period": name, "amount": float(fig.made[j, t]),
               "quality": quality_table(problem, fig.product_quality[j, t])}
              for t, name in enumerate(per.names) if fig.made[j, t] > 0]
        for j, pid in enumerate(problem.product_ids) if np.any(fig.made[j] > 0)
    }
    return {"flows": flows, "profit": fig.profit, "tanks": tanks, "products": products}
