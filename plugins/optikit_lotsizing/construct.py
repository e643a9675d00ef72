"""A constructive plan that pays every setup time in full, built without any LP.

On tight instances (the generated ``medium`` class, Trigeiro-Thomas-McClain style) both
roundings of the LP open too few setups or too many: once each setup takes its full time
the capacity rows fail, and the MILP gets no start.  On the 100 x 52 x 3 instance with a
slow LP (SCIP, CBC) no LP may fit in a short limit at all.  This plan is built on the
integer side instead, level by level of the bill of materials (parents first, so each
level knows what its parents consume and when):

1. made items, a backward pass (what the generator's feasibility test does): from the
   last period to the first, each item starts as much of what it still needs as the
   period holds after its setup on every resource of its routing, largest need first;
   what does not fit moves one period earlier;
2. lot merging: a lot moves whole into the item's previous production period when that
   period has the room (no new setup) and the holding cost of the move is below the
   setup cost it saves (moving production earlier never breaks a stock rule, but it
   moves the components' needs earlier too, hence level by level);
3. bought items, lot for lot: each period's shortfall is ordered from the supplier
   with the lowest cost per unit for that order (MOQ and multiple rounded up, price
   break, order cost), early enough for its lead time; the surplus stays in stock.

Regular capacity first, then with the overtime allowed; no backlog is used.  ``None``
when it does not fit (a need before lead times allow, no capacity).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from optikit_lotsizing.model import LotSizingProblem, Source

#: Quantities below this share of the item's total need count as none.
EPS = 1e-9

Order = tuple[int, str, int, float]  # (item, supplier, order period, quantity)


@dataclass
class Early:
    """Each item's first arrival period and the stock parents may still consume before
    it (see :func:`early_stock`)."""

    arrival: NDArray[np.int64]
    stock: NDArray[np.float64]


@dataclass
class Plan:
    """Production starts per item and period, and orders ``(item, supplier, period, qty)``."""

    make: NDArray[np.float64]
    orders: list[Order] = field(default_factory=list)


def depths(problem: LotSizingProblem) -> NDArray[np.int64]:
    """Level of each item in the bill of materials (end items 0, parents first)."""
    depth = np.zeros(problem.num_items, dtype=np.int64)
    for p in problem.order:
        for c in np.flatnonzero(problem.bom[:, p]):
            depth[c] = max(depth[c], depth[p] + 1)
    return depth


def arrivals_needed(problem: LotSizingProblem, gross: NDArray[np.float64]
                    ) -> NDArray[np.float64]:
    """Units that must arrive in each period (on time, safety stock kept) for the gross
    requirements ``gross`` (items x periods), after the initial stock."""
    cum = np.cumsum(gross, axis=1) + problem.safety[:, None] - problem.initial[:, None]
    need = np.maximum.accumulate(np.maximum(cum, 0.0), axis=1)
    return np.diff(need, axis=1, prepend=0.0)


def backward_fill(problem: LotSizingProblem, need: NDArray[np.float64],
                  room: NDArray[np.float64], early: Early | None = None
                  ) -> NDArray[np.float64] | None:
    """Production per item and *start* period for the start requirements ``need``, each
    as late as the capacity ``room`` (resources x periods, consumed in place) allows
    and, before a component's first arrival, its ``early`` stock (consumed in place);
    None when it does not fit."""
    make = np.zeros_like(need)
    carry = np.zeros(problem.num_items)
    a, st, uses = problem.time_per_unit, problem.setup_time, problem.uses
    scale = np.maximum(need.sum(axis=1), 1.0)
    for t in range(problem.periods - 1, -1, -1):
        carry = carry + need[:, t]
        for i in np.argsort(-carry, kind="stable"):
            if carry[i] <= EPS * scale[i]:
                continue
            res = np.flatnonzero(uses[i])
            left = room[res, t] - st[i, res]
            if (left <= 0).any():
                continue
            per = a[i, res]
            fits = np.where(per > 0, left / np.where(per > 0, per, 1.0), np.inf)
            made = min(float(carry[i]), float(fits.min()))
            comps = np.flatnonzero(problem.bom[:, i])
            if early is not None and comps.size:
                comps = comps[early.arrival[comps] > t]  # consumed from the initial stock
                made = min(made, float((np.maximum(early.stock[comps], 0.0)
                                        / problem.bom[comps, i]).min(initial=np.inf)))
            if made <= EPS * scale[i]:
                continue
            if early is not None and comps.size:
                early.stock[comps] -= made * problem.bom[comps, i]
            room[res, t] -= st[i, res] + made * per
            make[i, t] = made
            carry[i] -= made
    if (carry > EPS * scale).any():
        return None
    return make


def earliest_starts(problem: LotSizingProblem
                    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """First arrival of each item that does not come from the initial stock (a made one
    started in period 1 arrives after its lead time, a bought one after its shortest
    supplier lead time), and the first period in which each item's components can all
    so arrive.  Earlier, parents consume the components' initial stock (see
    :func:`early_stock`); a component started early consumes its own components' the
    same way, one level down."""
    arrival = np.where(problem.produced, problem.lead, problem.periods).astype(np.int64)
    for source in problem.sources:
        arrival[source.item] = min(arrival[source.item], source.lead_time)
    first = np.array([arrival[np.flatnonzero(problem.bom[:, i])].max(initial=0)
                      for i in range(problem.num_items)], dtype=np.int64)
    return first, arrival


def early_stock(problem: LotSizingProblem, arrival: NDArray[np.int64]) -> NDArray[np.float64]:
    """Units of each item that parents may consume before its first arrival: the
    initial stock less the safety stock and its own demand in those periods."""
    cum = np.cumsum(problem.demand, axis=1)
    before = np.where(arrival > 0, cum[np.arange(problem.num_items),
                                       np.clip(arrival - 1, 0, problem.periods - 1)], 0.0)
    return np.asarray(problem.initial - problem.safety - before, dtype=np.float64)


def merge_lots(problem: LotSizingProblem, make: NDArray[np.float64],
               room: NDArray[np.float64], items: NDArray[np.int64]) -> None:
    """Move whole lots of ``items`` into the item's previous production period while that
    saves more setup cost than it adds holding cost and the period has the room (in
    place, ``room`` too).  Never into a period before the item's components can arrive
    (:func:`earliest_starts`): what it consumes there comes from the initial stock."""
    a, st = problem.time_per_unit, problem.setup_time
    first, _ = earliest_starts(problem)
    changed = True
    while changed:
        changed = False
        for i in items:
            res = np.flatnonzero(problem.uses[i])
            periods = np.flatnonzero(make[i] > 0)
            for k in range(len(periods) - 1, 0, -1):
                t, earlier = periods[k], periods[k - 1]
                if earlier < first[i]:
                    break
                qty = make[i, t]
                if problem.holding[i] * qty * (t - earlier) >= problem.setup_cost[i]:
                    continue
                if (qty * a[i, res] > room[res, earlier] + 1e-9).any():
                    continue
                room[res, earlier] -= qty * a[i, res]
                room[res, t] += qty * a[i, res] + st[i, res]
                make[i, earlier] += qty
                make[i, t] = 0.0
                changed = True


def order_size(source: Source, short: float) -> float:
    """The smallest order of ``source`` that covers ``short``: its minimum, the first
    price break and its multiple (also the recursion's, :mod:`purchases`)."""
    qty = max(short, source.min_order, float(source.break_from[0]))
    if source.multiple > 0:
        qty = source.multiple * np.ceil(qty / source.multiple - 1e-9)
    return float(qty)


def buy(problem: LotSizingProblem, i: int, gross: NDArray[np.float64],
        orders: list[Order]) -> bool:
    """Lot-for-lot orders of item ``i`` for its gross requirements (see the module
    docstring); False when some shortfall cannot arrive in time."""
    sources = [s for s in problem.sources if s.item == i]
    arriving = np.zeros(problem.periods)
    stock = float(problem.initial[i])
    tol = EPS * max(1.0, float(gross.sum()))
    for t in range(problem.periods):
        stock += arriving[t] - gross[t]
        short = float(problem.safety[i]) - stock
        if short <= tol:
            continue
        best: tuple[float, Source, float] | None = None
        for source in sources:
            if t - source.lead_time < 0:
                continue
            qty = order_size(source, short)
            price = source.price(qty)
            if price is None:
                continue
            per_unit = (source.order_cost + price * qty) / qty
            if best is None or per_unit < best[0]:
                best = (per_unit, source, qty)
        if best is None:
            return False
        _, source, qty = best
        orders.append((i, source.supplier, t - source.lead_time, qty))
        stock += qty
    return True


def _attempt(problem: LotSizingProblem, room: NDArray[np.float64]) -> Plan | None:
    plan = Plan(np.zeros((problem.num_items, problem.periods)))
    depth = depths(problem)
    _, arrival = earliest_starts(problem)
    early = Early(arrival, early_stock(problem, arrival))
    for level in range(int(depth.max(initial=0)) + 1):
        items = np.flatnonzero(depth == level)
        gross = problem.demand + problem.bom @ plan.make  # parents are all planned
        arrive = arrivals_needed(problem, gross)
        need = np.zeros_like(arrive)
        for i in items:
            lead = int(problem.lead[i])
            if arrive[i].sum() <= EPS:
                continue
            if problem.produced[i]:
                if arrive[i, :lead].sum() > EPS:
                    return None
                need[i, :problem.periods - lead] = arrive[i, lead:]
            elif not problem.purchased[i] or not buy(problem, int(i), gross[i], plan.orders):
                return None
        made = backward_fill(problem, need, room, early)
        if made is None:
            return None
        merge_lots(problem, made, room, items[problem.produced[items]])
        plan.make += made
    return plan


def backward_plan(problem: LotSizingProblem) -> Plan | None:
    """The constructive plan, with regular capacity if it fits, else with overtime."""
    for extra in (np.zeros_like(problem.capacity), problem.overtime_max):
        plan = _attempt(problem, problem.capacity + extra)
        if plan is not None:
            return plan
    return None
