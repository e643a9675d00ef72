"""What a set of arc flows means: pool and product amounts, qualities, and profit.

This is the *definition* of the type's figures, shared by the checker and the code that
writes payloads; no model or solver is involved.  Qualities are flow-weighted means in
index space (see :mod:`optikit_pooling.model`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from optikit_pooling.model import PoolingProblem


@dataclass
class Figures:
    """Everything the flows imply, by node index."""

    supply: NDArray[np.float64]  # per input: units used
    pool_in: NDArray[np.float64]
    pool_out: NDArray[np.float64]
    pool_quality: NDArray[np.float64]  # pools x qualities (index space; nan when empty)
    made: NDArray[np.float64]  # per product
    product_quality: NDArray[np.float64]  # products x qualities (nan when none made)
    revenue: float
    purchase: float
    arc_cost: float
    fixed_cost: float

    @property
    def profit(self) -> float:
        return self.revenue - self.purchase - self.arc_cost - self.fixed_cost


def evaluate(problem: PoolingProblem, flow: dict[int, float]) -> Figures:
    """Figures of ``flow`` (document arc index -> amount; arcs absent carry nothing)."""
    n_in, n_pool, n_prod = len(problem.input_ids), len(problem.pool_ids), len(problem.product_ids)
    k = len(problem.qualities)
    supply = np.zeros(n_in)
    pool_in = np.zeros(n_pool)
    pool_out = np.zeros(n_pool)
    pool_mass = np.zeros((n_pool, k))
    made = np.zeros(n_prod)
    arc_cost = 0.0
    fixed = 0.0
    for arc in problem.arcs:
        amount = float(flow.get(arc.index, 0.0))
        arc_cost += arc.cost * amount
        if amount > 0:
            fixed += arc.fixed_cost
        if arc.kind == "il":
            supply[arc.tail] += amount
            pool_in[arc.head] += amount
            pool_mass[arc.head] += amount * problem.lam[arc.tail]
        elif arc.kind == "lj":
            pool_out[arc.tail] += amount
            made[arc.head] += amount
        else:
            supply[arc.tail] += amount
            made[arc.head] += amount
    with np.errstate(invalid="ignore", divide="ignore"):
        pool_quality = np.where(pool_in[:, None] > 0, pool_mass / pool_in[:, None], np.nan)
    product_mass = np.zeros((n_prod, k))
    for arc in problem.lj:
        amount = float(flow.get(arc.index, 0.0))
        if amount > 0:
            product_mass[arc.head] += amount * np.nan_to_num(pool_quality[arc.tail])
    for arc in problem.ij:
        amount = float(flow.get(arc.index, 0.0))
        product_mass[arc.head] += amount * problem.lam[arc.tail]
    with np.errstate(invalid="ignore", divide="ignore"):
        product_quality = np.where(made[:, None] > 0, product_mass / made[:, None], np.nan)
    fixed += float(problem.pool_fixed[pool_in > 0].sum())
    return Figures(
        supply=supply, pool_in=pool_in, pool_out=pool_out, pool_quality=pool_quality,
        made=made, product_quality=product_quality,
        revenue=float(problem.price @ made), purchase=float(problem.input_cost @ supply),
        arc_cost=arc_cost, fixed_cost=fixed,
    )


def quality_table(problem: PoolingProblem, values: NDArray[np.float64]) -> dict[str, float]:
    """One node's qualities in their own units, by name (empty for an unused node)."""
    if np.isnan(values).any():
        return {}
    return {name: problem.to_units(k, float(values[k])) for k, name in
            enumerate(problem.qualities)}


def payload(problem: PoolingProblem, flow: dict[int, float]) -> dict[str, object]:
    """The solution payload: ``flows`` plus the figures they imply (checked on read)."""
    figures = evaluate(problem, flow)
    by_index = {a.index: a for a in problem.arcs}
    flows = [
        {"from": by_index[i].source, "to": by_index[i].target, "amount": float(amount)}
        for i, amount in sorted(flow.items()) if amount > 0
    ]
    pools = {
        pid: {"throughput": float(figures.pool_in[p]),
              "quality": quality_table(problem, figures.pool_quality[p])}
        for p, pid in enumerate(problem.pool_ids) if figures.pool_in[p] > 0
    }
    products = {
        pid: {"amount": float(figures.made[j]),
              "quality": quality_table(problem, figures.product_quality[j])}
        for j, pid in enumerate(problem.product_ids) if figures.made[j] > 0
    }
    return {"flows": flows, "profit": figures.profit, "pools": pools, "products": products}
