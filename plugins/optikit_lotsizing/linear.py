"""The lot-sizing MILP, in two strengths, on any linear backend.

Common part (variables per item/resource and period, 0-based ``t``):

- ``x[i,t]`` units started, ``y[i,t]`` setup (binary), ``x <= U*y`` with ``U`` the
  smaller of the capacity left after the setup and the requirement still open;
- ``s[i,t] >= safety`` stock, ``b[i,t]`` backlog (backlogged items, zero at the end);
- balance ``s[t] - b[t] = s[t-1] - b[t-1] + x[t-L] + orders arriving - components used
  - demand``;
- capacity ``sum a x + st y <= C + o`` with overtime ``o <= O``;
- orders per supplier offer and period: one segment per all-units price break with a
  binary ``w`` (``max(break, MOQ) w <= q <= next break * w``, one segment at most), an
  integer count for order multiples, the fixed order cost on ``w``.

``bigm`` stops there.  ``fl`` adds the facility-location reformulation for every item
that is made and never bought: ``z[i,t,k]`` = units started in ``t`` that cover the
requirement increment of period ``k >= t + L`` (see :mod:`requirements`), with
``sum_t z[i,t,k] = delta[i,k]``, ``sum_k z[i,t,k] <= x[i,t]`` and
``z[i,t,k] <= delta[i,k] * y[i,t]``.  These rows are the (l,S) inequalities in extended
form: the LP bound of the uncapacitated single-item problem becomes exact, and for a
bill of materials they apply to the echelon requirements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, LinearModel, LinearModelBuilder
from optikit_lotsizing.model import LotSizingProblem, Source
from optikit_lotsizing.requirements import lower_cumulative, upper_total


@dataclass
class Order:
    """The columns of one supplier offer in one order period."""

    source: Source
    period: int
    q: NDArray[np.int64]  # one per price segment
    w: NDArray[np.int64]  # binaries (empty: a plain continuous purchase)
    count: int = -1  # integer multiple count, -1 without


@dataclass
class LotModel:
    x: NDArray[np.int64]  # (n, T) column or -1
    y: NDArray[np.int64]  # (n, T) column or -1
    stock: NDArray[np.int64]  # (n, T)
    backlog: NDArray[np.int64]  # (n, T) column or -1
    overtime: NDArray[np.int64]  # (m, T) column or -1
    orders: list[Order] = field(default_factory=list)
    col_period: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    model: LinearModel = field(init=False)


def production_bounds(problem: LotSizingProblem) -> NDArray[np.float64]:
    """Largest useful start quantity per item and period (0: cannot start)."""
    n, periods = problem.num_items, problem.periods
    upper = np.zeros((n, periods))
    low, total = lower_cumulative(problem), upper_total(problem)
    room = problem.capacity + problem.overtime_max  # (m, T)
    for i in np.flatnonzero(problem.produced):
        cap = np.full(periods, INF)
        for r in np.flatnonzero(problem.uses[i]):
            left = room[r] - problem.setup_time[i, r]
            per = problem.time_per_unit[i, r]
            cap = np.minimum(cap, np.where(left < 0, 0.0, left / per if per > 0 else INF))
        if problem.purchased[i]:
            open_need = np.full(periods, total[i])
        else:
            before = np.concatenate(([0.0], low[i]))  # before[t + L] = need by t + L - 1
            idx = np.minimum(np.arange(periods) + problem.lead[i], periods)
            open_need = total[i] - before[idx]
        upper[i] = np.maximum(np.minimum(cap, open_need), 0.0)
        upper[i, periods - problem.lead[i]:] = 0.0  # would be ready after the horizon
    return upper


def _order_limit(problem: LotSizingProblem, source: Source, total: float) -> float:
    """Largest order worth placing: all needs, or the last break, plus rounding."""
    top = max(total, float(source.break_from[-1]), source.min_order)
    return top + source.multiple + 1.0


class _Cols:
    """Column blocks that remember the period each column belongs to."""

    def __init__(self, b: LinearModelBuilder) -> None:
        self.b = b
        self.period: list[NDArray[np.int64]] = []

    def add(self, n: int, period: int | NDArray[np.int64], **kw: object) -> NDArray[np.int64]:
        idx = self.b.add_columns(n, **kw)  # type: ignore[arg-type]
        self.period.append(np.broadcast_to(np.asarray(period, dtype=np.int64), (n,)).copy())
        return idx


def _production_columns(problem: LotSizingProblem, cols: _Cols, lm: LotModel,
                        upper: NDArray[np.float64]) -> None:
    for i in np.flatnonzero(problem.produced):
        ok = np.flatnonzero(upper[i] > 0)
        if ok.size == 0:
            continue
        item = problem.ids[i]
        lm.x[i, ok] = cols.add(ok.size, ok, upper=upper[i, ok],
                               names=[f"make:{item}:{t + 1}" for t in ok])
        lm.y[i, ok] = cols.add(ok.size, ok, cost=problem.setup_cost[i], upper=1.0,
                               integer=True, names=[f"setup:{item}:{t + 1}" for t in ok])
        k = ok.size
        local = np.arange(k)
        cols.b.add_rows_coo(k, np.concatenate([local, local]),
                            np.concatenate([lm.x[i, ok], lm.y[i, ok]]),
                            np.concatenate([np.ones(k), -upper[i, ok]]), -INF, 0.0)


def _order_columns(problem: LotSizingProblem, cols: _Cols, lm: LotModel) -> None:
    total = upper_total(problem)
    for source in problem.sources:
        limit = _order_limit(problem, source, float(total[source.item]))
        starts = np.maximum(source.break_from, source.min_order)
        ends = np.append(source.break_from[1:], limit)
        segments = np.flatnonzero(starts <= ends)
        for t in range(problem.periods - source.lead_time):
            tag = f"{problem.ids[source.item]}:{source.supplier}:{t + 1}"
            q = cols.add(segments.size, t, cost=source.break_price[segments],
                         upper=ends[segments], names=[f"buy:{tag}:{s}" for s in segments])
            order = Order(source, t, q, np.zeros(0, np.int64))
            if source.needs_integer:
                order.w = cols.add(segments.size, t, cost=source.order_cost, upper=1.0,
                                   integer=True, names=[f"order:{tag}:{s}" for s in segments])
                k = segments.size
                local = np.arange(k)
                both = np.concatenate([local, local])
                qw = np.concatenate([q, order.w])
                cols.b.add_rows_coo(k, both, qw, np.concatenate([np.ones(k), -ends[segments]]),
                                    -INF, 0.0)
                cols.b.add_rows_coo(k, both, qw,
                                    np.concatenate([np.ones(k), -starts[segments]]), 0.0, INF)
                cols.b.add_rows_coo(1, np.zeros(k), order.w, np.ones(k), -INF, 1.0)
                if source.multiple > 0:
                    order.count = int(cols.add(1, t, upper=np.floor(limit / source.multiple),
                                               integer=True, names=[f"lots:{tag}"])[0])
                    cols.b.add_row({**{int(c): 1.0 for c in q},
                                    order.count: -source.multiple}, 0.0, 0.0)
            lm.orders.append(order)


def _balance_rows(problem: LotSizingProblem, b: LinearModelBuilder, lm: LotModel) -> None:
    n, periods = problem.num_items, problem.periods
    arrivals: dict[tuple[int, int], list[int]] = {}
    for order in lm.orders:
        key = (order.source.item, order.period + order.source.lead_time)
        arrivals.setdefault(key, []).extend(int(c) for c in order.q)
    for i in range(n):
        for t in range(periods):
            terms: list[tuple[int, float]] = [(int(lm.stock[i, t]), 1.0)]
            if t > 0:
                terms.append((int(lm.stock[i, t - 1]), -1.0))
            if lm.backlog[i, t] >= 0:
                terms.append((int(lm.backlog[i, t]), -1.0))
            if t > 0 and lm.backlog[i, t - 1] >= 0:
                terms.append((int(lm.backlog[i, t - 1]), 1.0))
            start = t - int(problem.lead[i])
            if start >= 0 and lm.x[i, start] >= 0:
                terms.append((int(lm.x[i, start]), -1.0))
            terms.extend((c, -1.0) for c in arrivals.get((i, t), []))
            for j in np.flatnonzero(problem.bom[i]):
                if lm.x[j, t] >= 0:
                    terms.append((int(lm.x[j, t]), float(problem.bom[i, j])))
            rhs = -float(problem.demand[i, t]) + (float(problem.initial[i]) if t == 0 else 0.0)
            b.add_row(terms, rhs, rhs, name=f"balance:{problem.ids[i]}:{t + 1}")


def _capacity_rows(problem: LotSizingProblem, cols: _Cols, lm: LotModel) -> None:
    b = cols.b
    for r in range(problem.num_resources):
        users = np.flatnonzero(problem.uses[:, r])
        if users.size == 0:
            continue
        has_ot = problem.overtime_max[r] > 0
        for t in range(problem.periods):
            terms: list[tuple[int, float]] = []
            for i in users:
                if lm.x[i, t] >= 0:
                    terms.append((int(lm.x[i, t]), float(problem.time_per_unit[i, r])))
                    terms.append((int(lm.y[i, t]), float(problem.setup_time[i, r])))
            if has_ot[t]:
                lm.overtime[r, t] = cols.add(1, t, cost=problem.overtime_cost[r],
                                             upper=problem.overtime_max[r, t],
                                             names=[f"overtime:{problem.resource_ids[r]}:"
                                                    f"{t + 1}"])[0]
                terms.append((int(lm.overtime[r, t]), -1.0))
            if terms:
                b.add_row(terms, -INF, float(problem.capacity[r, t]),
                          name=f"capacity:{problem.resource_ids[r]}:{t + 1}")


def _facility_location(problem: LotSizingProblem, cols: _Cols, lm: LotModel) -> None:
    b = cols.b
    need = lower_cumulative(problem)
    delta = np.diff(need, axis=1, prepend=0.0)
    for i in np.flatnonzero(problem.produced & ~problem.purchased):
        lead = int(problem.lead[i])
        ts, ks = [], []
        for k in np.flatnonzero(delta[i] > 1e-9):
            for t in range(0, k - lead + 1):
                if lm.x[i, t] >= 0:
                    ts.append(t)
                    ks.append(int(k))
        tt, kk = np.asarray(ts, dtype=np.int64), np.asarray(ks, dtype=np.int64)
        z = cols.add(tt.size, tt, upper=delta[i, kk])
        cover = np.flatnonzero(delta[i] > 1e-9)
        pos = np.full(problem.periods, -1)
        pos[cover] = np.arange(cover.size)
        # every requirement increment is covered by earlier starts
        b.add_rows_coo(cover.size, pos[kk], z, np.ones(z.size), delta[i, cover],
                       delta[i, cover])
        starts = np.unique(tt)
        spos = np.full(problem.periods, -1)
        spos[starts] = np.arange(starts.size)
        rows = np.concatenate([spos[tt], np.arange(starts.size)])
        b.add_rows_coo(starts.size, rows, np.concatenate([z, lm.x[i, starts]]),
                       np.concatenate([np.ones(z.size), -np.ones(starts.size)]), -INF, 0.0)
        local = np.arange(z.size)
        b.add_rows_coo(z.size, np.concatenate([local, local]),
                       np.concatenate([z, lm.y[i, tt]]),
                       np.concatenate([np.ones(z.size), -delta[i, kk]]), -INF, 0.0)


def build(problem: LotSizingProblem, strong: bool) -> LotModel:
    """The MILP: ``strong`` adds the facility-location rows (formulation ``fl``)."""
    n, m, periods = problem.num_items, problem.num_resources, problem.periods
    b = LinearModelBuilder("min")
    cols = _Cols(b)
    minus = np.full((n, periods), -1, dtype=np.int64)
    lm = LotModel(minus.copy(), minus.copy(), minus.copy(), minus.copy(),
                  np.full((m, periods), -1, dtype=np.int64))
    steps = np.arange(periods)
    for i in range(n):
        lm.stock[i] = cols.add(periods, steps, cost=problem.holding[i],
                               lower=problem.safety[i],
                               names=[f"stock:{problem.ids[i]}:{t + 1}" for t in steps])
        if problem.backlog[i] and periods > 1:
            lm.backlog[i, :-1] = cols.add(periods - 1, steps[:-1],
                                          cost=problem.backlog_cost[i])
    _production_columns(problem, cols, lm, production_bounds(problem))
    _order_columns(problem, cols, lm)
    _balance_rows(problem, b, lm)
    _capacity_rows(problem, cols, lm)
    if strong:
        _facility_location(problem, cols, lm)
    lm.col_period = np.concatenate(cols.period) if cols.period else np.zeros(0, np.int64)
    lm.model = b.build()
    return lm
