"""The pieces of the product-structure Lagrangian (:mod:`lagrange`): one small MILP per
end item with its whole made bill of materials, one per bought item.

Why: on the 100 x 52 x 3 instance the bound is lost where a parent's lots meet its
components' setups (README, "the scale gap, diagnosed").  A subproblem that holds an end
item and every made item under it prices that linkage exactly; what ties subproblems
together (a component shared by several end items, a bought part consumed by several
made items) is relaxed and priced by multipliers.

A *root* is a made item without parents, or a made item with parents that has its own
external demand or safety stock (its own copy carries them).  Each made item ``j`` has a
*copy* in every root whose made bill of materials holds it; the copy of ``j`` in root
``e`` makes only what ``e``'s copies of ``j``'s parents consume (and, if ``j`` is ``e``,
``j``'s demand).  Every plan splits into such copies (a production unit goes to the
earliest open consumption of any copy), with the copies' setups at most the item's and
their initial stocks summing to the item's, so the relaxation below is valid:

- capacity dropped (costs are non-negative, so overtime is 0; setup times free);
- a copy's setup ``y[j,e,t] <= y[j,t]``, priced by ``mu >= 0`` (item with one copy:
  the copy pays the setup cost itself);
- a copy's share ``u[j,e]`` of the initial stock, ``sum_e u = I0``, priced by ``nu``
  (any sign);
- a bought item's consumption ``c[r,t] =`` the made copies' use of it, priced by ``pi``
  (any sign): the made copies pay ``pi`` per unit of ``r`` they use, the bought item's
  own MILP (orders, price breaks, its stock) earns it on ``c``.

Some optimal plan makes no more of an item than its total need (costs are
non-negative), so a copy makes at most its own total need and a bought item's use adds
up to at most what its parents can need (:func:`requirements.upper_total`): both are
bounds of the subproblems, and the relaxation keeps that plan.

Applies when no item is both made and bought and no bought item may be backlogged (the
generated and ``.clsp`` instances).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, LinearModel, LinearModelBuilder
from optikit_lotsizing.linear import LotModel, _Cols, _order_columns
from optikit_lotsizing.model import LotSizingProblem
from optikit_lotsizing.requirements import upper_total

#: Whether a copy's MILP carries the facility-location rows of its echelon needs: off,
#: since they made each subtree 3-10x slower (3,300-4,000 columns instead of 465; 2-5 s
#: against 0.06-0.8 s each on the 100 x 52 x 3 instance, load 6) for the same MILP value.
COVER_ROWS = False


def applies(problem: LotSizingProblem) -> bool:
    """Whether the decomposition is defined: no item both made and bought, no backlog on
    a bought item (its MILP here has none)."""
    bought_late = problem.backlog & problem.purchased
    return not bool((problem.produced & problem.purchased).any() or bought_late.any())


def bom_closure(problem: LotSizingProblem, root: int, made_only: bool = False) -> set[int]:
    """``root`` and every item in its bill of materials, at any depth (with ``made_only``,
    through made items alone)."""
    seen, todo = {root}, [root]
    while todo:
        p = todo.pop()
        for c in np.flatnonzero(problem.bom[:, p]):
            if (problem.produced[c] or not made_only) and int(c) not in seen:
                seen.add(int(c))
                todo.append(int(c))
    return seen


def made_below(problem: LotSizingProblem, root: int) -> list[int]:
    """``root`` and every made item under it, parents before components."""
    seen = bom_closure(problem, root, made_only=True)
    rank = {item: k for k, item in enumerate(problem.order)}
    return sorted(seen, key=rank.__getitem__)


def roots(problem: LotSizingProblem) -> list[int]:
    """Made items without parents, or with external demand or safety stock of their own."""
    has_parent = np.asarray(problem.bom.any(axis=1), dtype=bool)
    own = (problem.demand.sum(axis=1) > 0) | (problem.safety > 0)
    return [i for i in problem.order if problem.produced[i] and (not has_parent[i] or own[i])]


@dataclasses.dataclass
class Subtree:
    """One root's MILP with the columns the multipliers price.  ``items[a]`` is the
    original item of local copy ``a``; ``x``/``y`` are (copies, T) columns or -1; ``u``
    the initial-stock share column per copy (-1: the copy holds it all, one copy)."""

    root: int
    items: list[int]
    model: LinearModel
    x: NDArray[np.int64]
    y: NDArray[np.int64]
    u: NDArray[np.int64]


def _copy_totals(problem: LotSizingProblem, root: int, items: list[int]) -> dict[int, float]:
    """Most any plan's copy of each item in ``root`` can use (its demand exploded)."""
    total: dict[int, float] = {}
    for j in items:  # parents first
        own = float(problem.demand[j].sum() + problem.safety[j]) if j == root else 0.0
        total[j] = own + sum(float(problem.bom[j, p]) * total[p] for p in items
                             if problem.bom[j, p] > 0)
    return total


def subtree(problem: LotSizingProblem, root: int, copies: NDArray[np.int64],
            upper: NDArray[np.float64]) -> Subtree:
    """The MILP of ``root``'s copies; ``copies[j]`` counts the roots that hold ``j`` and
    ``upper`` is :func:`linear.production_bounds`.  Setup and production costs are set per
    iteration by :func:`lagrange.price`; the stock and backlog costs are the item's."""
    items, periods = made_below(problem, root), problem.periods
    total = _copy_totals(problem, root, items)
    b = LinearModelBuilder("min")
    k = len(items)
    x = np.full((k, periods), -1, dtype=np.int64)
    y = np.full((k, periods), -1, dtype=np.int64)
    u = np.full(k, -1, dtype=np.int64)
    stock = np.zeros((k, periods), dtype=np.int64)
    back = np.full((k, periods), -1, dtype=np.int64)
    steps = np.arange(periods)
    for a, j in enumerate(items):
        own = j == root
        stock[a] = b.add_columns(periods, cost=problem.holding[j],
                                 lower=problem.safety[j] if own else 0.0)
        if own and problem.backlog[j] and periods > 1:
            back[a, :-1] = b.add_columns(periods - 1, cost=problem.backlog_cost[j])
        cap = np.minimum(upper[j], total[j])
        ok = np.flatnonzero(cap > 0)
        if ok.size:
            x[a, ok] = b.add_columns(ok.size, upper=cap[ok])
            y[a, ok] = b.add_columns(ok.size, upper=1.0, integer=True)
            local = np.arange(ok.size)
            b.add_rows_coo(ok.size, np.concatenate([local, local]),
                           np.concatenate([x[a, ok], y[a, ok]]),
                           np.concatenate([np.ones(ok.size), -cap[ok]]), -INF, 0.0)
        if copies[j] > 1 and problem.initial[j] > 0:
            u[a] = b.add_column(upper=float(problem.initial[j]))
    pos = {j: a for a, j in enumerate(items)}
    rows, cols, vals = [], [], []
    for a, j in enumerate(items):
        lead = int(problem.lead[j])
        for t in steps:
            r = a * periods + t
            terms = [(stock[a, t], 1.0)]
            if t > 0:
                terms.append((stock[a, t - 1], -1.0))
            if back[a, t] >= 0:
                terms.append((back[a, t], -1.0))
            if t > 0 and back[a, t - 1] >= 0:
                terms.append((back[a, t - 1], 1.0))
            if t >= lead and x[a, t - lead] >= 0:
                terms.append((x[a, t - lead], -1.0))
            if t == 0 and u[a] >= 0:
                terms.append((u[a], -1.0))
            for p in np.flatnonzero(problem.bom[j]):
                if int(p) in pos and x[pos[int(p)], t] >= 0:
                    terms.append((x[pos[int(p)], t], float(problem.bom[j, p])))
            for col, val in terms:
                rows.append(r)
                cols.append(int(col))
                vals.append(val)
    rhs = np.zeros((k, periods))
    for a, j in enumerate(items):
        if j == root:
            rhs[a] = -problem.demand[j]
        if u[a] < 0:
            rhs[a, 0] += problem.initial[j]
    b.add_rows_coo(k * periods, rows, cols, vals, rhs.ravel(), rhs.ravel())
    if COVER_ROWS:
        need = _copy_needs(problem, root, items)
        for a, j in enumerate(items):
            _cover_rows(b, x[a], y[a], need[a], int(problem.lead[j]))
    return Subtree(root, items, b.build(), x, y, u)


def _copy_needs(problem: LotSizingProblem, root: int, items: list[int]
                ) -> NDArray[np.float64]:
    """Arrivals each copy needs by the end of each period in every plan of the subtree
    (as :func:`requirements.lower_cumulative`, with each copy's whole initial stock)."""
    periods = problem.periods
    steps = np.arange(periods)
    need = np.zeros((len(items), periods))
    pos = {j: a for a, j in enumerate(items)}
    for a, j in enumerate(items):  # parents first
        dep = np.zeros(periods)
        for p in np.flatnonzero(problem.bom[j]):
            if int(p) in pos:
                later = np.minimum(steps + problem.lead[p], periods - 1)
                dep += problem.bom[j, p] * need[pos[int(p)], later]
        own = np.cumsum(problem.demand[j]) + problem.safety[j] if j == root else 0.0
        raw = own - problem.initial[j] + dep
        if j == root and problem.backlog[j]:
            need[a, -1] = max(0.0, float(raw[-1]))
        else:
            need[a] = np.maximum.accumulate(np.maximum(raw, 0.0))
    return need


def _cover_rows(b: LinearModelBuilder, x: NDArray[np.int64], y: NDArray[np.int64],
                need: NDArray[np.float64], lead: int) -> None:
    """Facility-location rows of one copy (as :func:`linear._facility_location`): each
    increment of its needs is covered by earlier starts, each under its setup."""
    delta = np.diff(need, prepend=0.0)
    ks = np.flatnonzero(delta > 1e-9)
    pairs = [(t, int(k)) for k in ks for t in range(0, int(k) - lead + 1) if x[t] >= 0]
    if not pairs:
        return
    tt = np.array([t for t, _ in pairs], dtype=np.int64)
    kk = np.array([k for _, k in pairs], dtype=np.int64)
    z = b.add_columns(tt.size, upper=delta[kk])
    pos = np.full(need.size, -1)
    pos[ks] = np.arange(ks.size)
    b.add_rows_coo(ks.size, pos[kk], z, np.ones(z.size), delta[ks], delta[ks])
    starts = np.unique(tt)
    spos = np.full(need.size, -1)
    spos[starts] = np.arange(starts.size)
    b.add_rows_coo(starts.size, np.concatenate([spos[tt], np.arange(starts.size)]),
                   np.concatenate([z, x[starts]]),
                   np.concatenate([np.ones(z.size), -np.ones(starts.size)]), -INF, 0.0)
    local = np.arange(z.size)
    b.add_rows_coo(z.size, np.concatenate([local, local]), np.concatenate([z, y[tt]]),
                   np.concatenate([np.ones(z.size), -delta[kk]]), -INF, 0.0)


@dataclasses.dataclass
class Bought:
    """A bought item's MILP: its orders and stock, with consumption columns ``c`` (one per
    period) that earn the multipliers."""

    item: int
    model: LinearModel
    c: NDArray[np.int64]


def bought(problem: LotSizingProblem, item: int, consumption_cap: NDArray[np.float64]
           ) -> Bought:
    """The MILP of bought ``item``: the offers' order columns as in :mod:`linear`, its
    stock, and ``c[t] <= consumption_cap[t]`` consumed by its made parents."""
    periods = problem.periods
    one = _single(problem, item)
    b = LinearModelBuilder("min")
    cols = _Cols(b)
    stock = cols.add(periods, np.arange(periods), cost=problem.holding[item],
                     lower=problem.safety[item])
    c = cols.add(periods, np.arange(periods), upper=consumption_cap)
    none = np.full((1, periods), -1, dtype=np.int64)
    inner = LotModel(none, none, none, none, np.zeros((0, periods), dtype=np.int64))
    _order_columns(one, cols, inner)
    rows, colz, vals = [], [], []
    for t in range(periods):
        rows += [t, t]
        colz += [int(stock[t]), int(c[t])]
        vals += [1.0, 1.0]
        if t > 0:
            rows.append(t)
            colz.append(int(stock[t - 1]))
            vals.append(-1.0)
    for order in inner.orders:
        at = order.period + order.source.lead_time
        for q in order.q:
            rows.append(at)
            colz.append(int(q))
            vals.append(-1.0)
    rhs = -problem.demand[item].copy()
    rhs[0] += problem.initial[item]
    b.add_rows_coo(periods, rows, colz, vals, rhs, rhs)
    # and in all at most what any parent can use: some optimal plan makes no more of a
    # made item than its total need (costs are non-negative), so it consumes no more
    # than ``upper_total``; without this row a high price made the bought item "sell"
    # every period's most (the Lagrangian value fell to -3e7)
    most = float(problem.bom[item] @ upper_total(problem))
    b.add_rows_coo(1, np.zeros(periods, np.int64), c, np.ones(periods), -INF, most)
    return Bought(item, b.build(), c)


def _single(problem: LotSizingProblem, item: int) -> LotSizingProblem:
    """``item`` alone, its demand raised at the end so that its total requirement (the
    order columns' limit) is at least the whole problem's (a larger limit only relaxes)."""
    total = float(upper_total(problem)[item])
    demand = problem.demand[item:item + 1].copy()
    demand[0, -1] += total + problem.initial[item]
    sources = tuple(dataclasses.replace(s, item=0) for s in problem.sources if s.item == item)
    m = problem.num_resources
    return dataclasses.replace(
        problem, ids=(problem.ids[item],), holding=problem.holding[[item]],
        initial=problem.initial[[item]], safety=problem.safety[[item]], demand=demand,
        backlog_cost=np.full(1, np.nan), lead=np.zeros(1, np.int64),
        produced=np.zeros(1, bool), bom=np.zeros((1, 1)),
        time_per_unit=np.zeros((1, m)), setup_time=np.zeros((1, m)),
        setup_cost_rm=np.zeros((1, m)), uses=np.zeros((1, m), bool), sources=sources,
        order=(0,))

