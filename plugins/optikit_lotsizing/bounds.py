"""The reported lower bound: the best valid one any phase produced, and where it came from.

A short limit on a large instance may leave the cut loop without an LP and the MILP
without a root LP (its dual bound then is 0, or SCIP's ``-inf``-like figure), so the
run also keeps a bound that needs no solver: the *unavoidable cost*.  Every item's net
requirement over the horizon (:func:`~optikit_lotsizing.requirements.lower_cumulative`,
valid for every plan) must arrive, by production or purchase; a plan that makes any of
it pays at least one setup of the item (more when one period, even alone on its
resources with all their overtime, cannot make it all), a plan that buys it pays at
least one order's
fixed cost and every unit at no less than the lowest price break of any supplier.  So
each item with a positive requirement costs at least the cheaper of the two ways, and
costs are non-negative (the schema), so the sum over items is a bound.  Stock adds to
it: an item no parent consumes holds at least its initial stock less its cumulative
demand, and never less than its safety stock (unless it may be backlogged).

Candidates are ``(value, source)`` pairs; an LP counts only when solved to optimality,
a MILP's figure only as its dual bound.  :func:`best_bound` keeps the largest finite one
and names it for ``stats.bound_source``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from optikit.paradigms import LinearResult
from optikit.types import Status
from optikit_lotsizing.model import LotSizingProblem
from optikit_lotsizing.requirements import lower_cumulative

UNAVOIDABLE = "unavoidable costs"
MILP = "MILP dual bound"
#: LP objectives a phase may leave in the answer's stats (each only when solved to
#: optimality) and the source each names.
LP_STATS = {
    "lp_bound_cuts": "LP with (l,S) cuts",
    "lp_bound_seed": "facility-location LP",
    "lp_bound_plain": "LP relaxation",
    "lp_bound_lagrangian": "product-structure Lagrangian",
}


def unavoidable_cost(problem: LotSizingProblem) -> float:
    """Sum over items of the cheapest way to bring in the item's net requirement."""
    need = lower_cumulative(problem)[:, -1] if problem.periods else np.zeros(0)
    buy: dict[int, float] = {}
    for source in problem.sources:
        qty = float(need[source.item])
        cost = source.order_cost + float(np.min(source.break_price)) * qty
        buy[source.item] = min(cost, buy.get(source.item, math.inf))
    total = 0.0
    for i in np.flatnonzero(need > 0):
        ways = [buy.get(int(i), math.inf)]
        if problem.produced[i]:
            ways.append(float(problem.setup_cost[i]) * setups_needed(problem, int(i),
                                                                     float(need[i])))
        cheapest = min(ways)
        if math.isfinite(cheapest):  # no way at all: the model is infeasible anyway
            total += max(0.0, cheapest)
    return total + held_at_least(problem)


def setups_needed(problem: LotSizingProblem, i: int, need: float) -> int:
    """Fewest setups that can make ``need`` of a produced-only item: even alone on its
    resources (capacity and overtime), a period makes at most so much, and production
    must be ready by the last period.  1 for items that may also be bought (a purchase
    may cover the rest) or when even every period together is not enough."""
    if problem.purchased[i] or need <= 0:
        return 1
    starts = problem.periods - int(problem.lead[i])
    if starts <= 0:
        return 1
    per_period = np.full(starts, np.inf)
    for r in np.flatnonzero(problem.uses[i]):
        room = (problem.capacity[r, :starts] + problem.overtime_max[r, :starts]
                - problem.setup_time[i, r])
        rate = float(problem.time_per_unit[i, r])
        if rate > 0:
            per_period = np.minimum(per_period, np.maximum(room, 0.0) / rate)
        else:
            per_period = np.where(room < 0, 0.0, per_period)
    reach = np.cumsum(np.sort(per_period)[::-1])
    enough = np.flatnonzero(reach >= need - 1e-6 * max(1.0, need))
    return int(enough[0]) + 1 if enough.size else 1


def held_at_least(problem: LotSizingProblem) -> float:
    """Holding cost every plan pays on stock it cannot avoid (items without parents)."""
    total = 0.0
    left = problem.initial[:, None] - np.cumsum(problem.demand, axis=1)
    for i in np.flatnonzero(~problem.bom.any(axis=1)):
        floor = np.maximum(left[i], 0.0 if problem.backlog[i] else problem.safety[i])
        total += float(problem.holding[i]) * float(np.maximum(floor, 0.0).sum())
    return total


def best_bound(candidates: Iterable[tuple[float | None, str]]) -> tuple[float | None, str | None]:
    """The largest finite bound among ``candidates`` and its source (None, None if none)."""
    best: tuple[float | None, str | None] = (None, None)
    for value, source in candidates:
        if value is None or not math.isfinite(value):
            continue
        if best[0] is None or value > best[0]:
            best = (float(value), source)
    return best


def phase_bound(problem: LotSizingProblem, full: LinearResult, stats: Mapping[str, Any]
                ) -> tuple[float | None, str | None]:
    """The best bound of a run whose last solve is ``full`` (its dual bound, never its
    objective: "optimal" allows the relative gap) and whose earlier phases left LP
    bounds in ``stats``."""
    milp = None if full.status is Status.ERROR else full.bound
    candidates: list[tuple[float | None, str]] = [(milp, MILP)]
    candidates += [(_number(stats.get(key)), name) for key, name in LP_STATS.items()]
    candidates.append((unavoidable_cost(problem), UNAVOIDABLE))
    return best_bound(candidates)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
