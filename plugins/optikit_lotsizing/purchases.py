"""The bought items' orders of a plan, re-planned by a dynamic programme.

Why: with the made items' plan fixed, each bought item is a single-item lot-sizing
problem of its own (its parents' use is known), but with two suppliers, all-units
price breaks, minimum order quantities and order multiples its MILP is slow: on the
100 x 52 x 3 instance HiGHS needs 1-5 s per bought item to improve the plan's orders
(-3 % of the whole plan in 40 s for the 20 bought items), while the period windows of
fix-and-optimise only see a few periods of an item's orders at a time and never
consolidate them.  The constructed plan buys lot for lot.

Here each bought item's orders come from a Wagner-Whitin style recursion over *cover
intervals*: an order from one offer arrives in period ``a`` and covers the item's net
requirements up to period ``k - 1``; its quantity is rounded up to the offer's minimum
and multiple, priced at its all-units break, and the rounding surplus is carried on.
The recursion's costs are estimates (the surplus is charged as held to the end of the
interval only); the chosen intervals are then replayed exactly (each order sized for
the stock actually on hand) and the item keeps whichever of its old and new orders
costs less.  The new plan is a point of the model only if the model's check passes
(:func:`startpoint.start_vector`), so a wrong re-plan is never used.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearResult
from optikit_lotsizing.construct import Order, Plan, order_size
from optikit_lotsizing.formulation import plan as plan_of
from optikit_lotsizing.linear import LotModel
from optikit_lotsizing.model import LotSizingProblem, Source
from optikit_lotsizing.startpoint import start_vector

#: Quantities below this share of the item's total requirement count as none.
EPS = 1e-9


def replannable(problem: LotSizingProblem) -> NDArray[np.int64]:
    """Bought items this applies to: bought, never made, not backlogged."""
    mask = problem.purchased & ~problem.produced & ~problem.backlog
    return np.flatnonzero(mask).astype(np.int64)


def _sources(problem: LotSizingProblem, item: int) -> list[Source]:
    return [s for s in problem.sources if s.item == item]


def _order_cost(source: Source, qty: float) -> float | None:
    price = source.price(qty)
    return None if price is None else source.order_cost + price * qty


def replay(problem: LotSizingProblem, item: int, gross: NDArray[np.float64],
           covers: list[tuple[int, int, Source]]) -> list[Order] | None:
    """The orders of the cover intervals ``(a, k, source)``, each sized for the stock on
    hand when it arrives; None when the item's stock would fall below its safety stock
    or an order cannot be placed or priced."""
    periods = problem.periods
    tol = EPS * max(1.0, float(gross.sum()))
    starts = {a: (k, s) for a, k, s in covers}
    stock = float(problem.initial[item])
    safety = float(problem.safety[item])
    orders: list[Order] = []
    for t in range(periods):
        if t in starts:
            k, source = starts[t]
            short = float(gross[t:k].sum()) + safety - stock
            if short > tol:
                if t - source.lead_time < 0:
                    return None
                qty = order_size(source, short)
                if source.price(qty) is None:
                    return None
                orders.append((item, source.supplier, t - source.lead_time, qty))
                stock += qty
        stock -= float(gross[t])
        if stock < safety - tol:
            return None
    return orders


def cost_of(problem: LotSizingProblem, item: int, gross: NDArray[np.float64],
            orders: list[Order]) -> float | None:
    """Purchase, order and holding cost of ``item`` under ``orders`` (None: short)."""
    by_name = {s.supplier: s for s in _sources(problem, item)}
    arriving = np.zeros(problem.periods)
    total = 0.0
    for _, supplier, period, qty in orders:
        source = by_name[supplier]
        cost = _order_cost(source, qty)
        at = period + source.lead_time
        if cost is None or at >= problem.periods:
            return None
        total += cost
        arriving[at] += qty
    stock = problem.initial[item] + np.cumsum(arriving - gross)
    if (stock < problem.safety[item] - EPS * max(1.0, float(gross.sum()))).any():
        return None
    return total + float(problem.holding[item] * stock.sum())


def covers(problem: LotSizingProblem, item: int, gross: NDArray[np.float64]
           ) -> list[tuple[int, int, Source]] | None:
    """The cover intervals of the recursion (see the module docstring)."""
    periods = problem.periods
    cum = np.cumsum(gross) + problem.safety[item] - problem.initial[item]
    need = np.maximum.accumulate(np.maximum(cum, 0.0))  # arrivals needed by each period
    before = np.concatenate(([0.0], need))  # before[a]: needed before period a
    tol = EPS * max(1.0, float(gross.sum()))
    holding = float(problem.holding[item])
    sources = _sources(problem, item)
    best = np.full(periods + 1, np.inf)
    best[0] = 0.0
    choice: list[tuple[int, Source | None]] = [(0, None)] * (periods + 1)
    for k in range(1, periods + 1):
        if need[k - 1] - before[k - 1] <= tol and best[k - 1] < np.inf:
            best[k], choice[k] = best[k - 1], (k - 1, None)  # nothing needed in k - 1
        for a in range(k):
            if best[a] == np.inf:
                continue
            qty = need[k - 1] - before[a]
            if qty <= tol:
                continue
            held = holding * float((need[k - 1] - need[a:k]).sum())
            for source in sources:
                if a - source.lead_time < 0:
                    continue
                size = order_size(source, qty)
                cost = _order_cost(source, size)
                if cost is None:
                    continue
                value = best[a] + cost + held + holding * (size - qty) * (k - a)
                if value < best[k] - 1e-9:
                    best[k], choice[k] = value, (a, source)
    if best[periods] == np.inf:
        return None
    out: list[tuple[int, int, Source]] = []
    k = periods
    while k > 0:
        a, offer = choice[k]
        if offer is not None:
            out.append((a, k, offer))
        k = a
    return out[::-1]


def replanned(problem: LotSizingProblem, item: int, gross: NDArray[np.float64]
              ) -> list[Order] | None:
    """``item``'s orders by the recursion, replayed exactly; None if it finds none."""
    chosen = covers(problem, item, gross)
    return None if chosen is None else replay(problem, item, gross, chosen)


def repurchase(problem: LotSizingProblem, lm: LotModel, best: LinearResult
               ) -> LinearResult:
    """``best`` with each bought item's orders re-planned where that costs less (the
    made items' plan unchanged); ``best`` itself when nothing is cheaper or the new
    point fails the model's check."""
    items = replannable(problem)
    if best.x is None or best.objective is None or items.size == 0:
        return best
    make, orders = plan_of(problem, lm, best.x)
    gross = problem.demand + problem.bom @ make
    kept = [o for o in orders if o[0] not in set(items.tolist())]
    changed = False
    for item in items:
        i = int(item)
        old = [o for o in orders if o[0] == i]
        new = replanned(problem, i, gross[i])
        old_cost = cost_of(problem, i, gross[i], old)
        new_cost = None if new is None else cost_of(problem, i, gross[i], new)
        if new is not None and new_cost is not None and (
                old_cost is None or new_cost < old_cost - 1e-6):
            kept += new
            changed = True
        else:
            kept += old
    if not changed:
        return best
    point = start_vector(problem, lm, Plan(make, kept))
    if point is None or point.objective is None or point.objective >= best.objective - 1e-6:
        return best
    return point
