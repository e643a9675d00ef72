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
    builder: LinearModelBuilder = field(init=False)  # to add cuts and rebuild


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
    """One block per supplier offer: segments x order periods, vectorised."""
    total = upper_total(problem)
    for source in problem.sources:
        limit = _order_limit(problem, source, float(total[source.item]))
        starts = np.maximum(source.break_from, source.min_order)
        ends = np.append(source.break_from[1:], limit)
        seg = np.flatnonzero(starts <= ends)
        k, p = seg.size, problem.periods - source.lead_time
        period = np.repeat(np.arange(p), k)
        tag = f"{problem.ids[source.item]}:{source.supplier}"
        q = cols.add(p * k, period, cost=np.tile(source.break_price[seg], p),
                     upper=np.tile(ends[seg], p),
                     names=[f"buy:{tag}:{t + 1}:{s}" for t in range(p) for s in seg])
        w = np.full(p * k, -1, dtype=np.int64)
        count = np.full(p, -1, dtype=np.int64)
        if source.needs_integer:
            w = cols.add(p * k, period, cost=source.order_cost, upper=1.0, integer=True,
                         names=[f"order:{tag}:{t + 1}:{s}" for t in range(p) for s in seg])
            local = np.arange(p * k)
            both = np.concatenate([local, local])
            qw = np.concatenate([q, w])
            one = np.ones(p * k)
            cols.b.add_rows_coo(p * k, both, qw, np.concatenate([one, -np.tile(ends[seg], p)]),
                                -INF, 0.0)
            cols.b.add_rows_coo(p * k, both, qw,
                                np.concatenate([one, -np.tile(starts[seg], p)]), 0.0, INF)
            cols.b.add_rows_coo(p, period, w, one, -INF, 1.0)
            if source.multiple > 0:
                count = cols.add(p, np.arange(p), upper=np.floor(limit / source.multiple),
                                 integer=True, names=[f"lots:{tag}:{t + 1}" for t in range(p)])
                cols.b.add_rows_coo(p, np.concatenate([period, np.arange(p)]),
                                    np.concatenate([q, count]),
                                    np.concatenate([one, np.full(p, -source.multiple)]),
                                    0.0, 0.0)
        for t in range(p):
            block = slice(t * k, (t + 1) * k)
            lm.orders.append(Order(source, t, q[block],
                                   w[block] if source.needs_integer else np.zeros(0, np.int64),
                                   int(count[t])))


def _balance_rows(problem: LotSizingProblem, b: LinearModelBuilder, lm: LotModel) -> None:
    n, periods = problem.num_items, problem.periods
    row_of = np.arange(n * periods, dtype=np.int64).reshape(n, periods)
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    vals: list[NDArray[np.float64]] = []

    def put(r: NDArray[np.int64], c: NDArray[np.int64], v: float | NDArray[np.float64]) -> None:
        keep = c >= 0
        rows.append(r[keep])
        cols.append(c[keep])
        vals.append(np.broadcast_to(np.asarray(v, dtype=np.float64), c.shape)[keep])

    put(row_of, lm.stock, 1.0)
    put(row_of[:, 1:], lm.stock[:, :-1], -1.0)
    put(row_of, lm.backlog, -1.0)
    put(row_of[:, 1:], lm.backlog[:, :-1], 1.0)
    for i in range(n):
        lead = int(problem.lead[i])
        put(row_of[i, lead:], lm.x[i, : periods - lead], -1.0)
        for j in np.flatnonzero(problem.bom[i]):
            put(row_of[i], lm.x[j], float(problem.bom[i, j]))
    for order in lm.orders:
        at = int(row_of[order.source.item, order.period + order.source.lead_time])
        put(np.full(order.q.size, at, dtype=np.int64), order.q, -1.0)
    rhs = -problem.demand.copy()
    rhs[:, 0] += problem.initial
    names = [f"balance:{item}:{t + 1}" for item in problem.ids for t in range(periods)]
    b.add_rows_coo(n * periods, np.concatenate(rows), np.concatenate(cols),
                   np.concatenate(vals), rhs.ravel(), rhs.ravel(), names)


def _capacity_rows(problem: LotSizingProblem, cols: _Cols, lm: LotModel) -> None:
    periods = problem.periods
    for r in range(problem.num_resources):
        users = np.flatnonzero(problem.uses[:, r])
        if users.size == 0:
            continue
        has_ot = np.flatnonzero(problem.overtime_max[r] > 0)
        if has_ot.size:
            lm.overtime[r, has_ot] = cols.add(
                has_ot.size, has_ot, cost=problem.overtime_cost[r],
                upper=problem.overtime_max[r, has_ot],
                names=[f"overtime:{problem.resource_ids[r]}:{t + 1}" for t in has_ot])
        steps = np.broadcast_to(np.arange(periods), (users.size, periods))
        xs, ys = lm.x[users], lm.y[users]
        a = np.broadcast_to(problem.time_per_unit[users, r][:, None], xs.shape)
        st = np.broadcast_to(problem.setup_time[users, r][:, None], ys.shape)
        ot = lm.overtime[r]
        keep, keep_ot = xs >= 0, ot >= 0
        cols.b.add_rows_coo(
            periods,
            np.concatenate([steps[keep], steps[keep], np.arange(periods)[keep_ot]]),
            np.concatenate([xs[keep], ys[keep], ot[keep_ot]]),
            np.concatenate([a[keep], st[keep], -np.ones(int(keep_ot.sum()))]),
            -INF, problem.capacity[r],
            [f"capacity:{problem.resource_ids[r]}:{t + 1}" for t in range(periods)])


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
    lm.builder = b
    lm.model = b.build()
    return lm
