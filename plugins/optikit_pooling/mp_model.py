"""Models of the multi-period pooling problem (tanks carry stock between periods).

Per period t: receipts ``x`` (input -> tank), discharges ``y`` (tank -> product), direct
blends ``z`` and closing stocks ``s``.  Receipts mix with the opening stock, then the tank
discharges at the mixed quality.  Two ways to say that the mix is uniform:

- ``source`` (the global formulation): each tank's composition per period in terms of the
  original sources (its inputs and, when given by quality, its opening stock), ``q``,
  carried over with the stock: per-source stock ``v = q s`` and discharge ``w = q y`` are
  bilinear, the per-source balances and the product specs linear, with the redundant rows
  ``sum v = s``, ``sum w = y``.  With ``q`` fixed (``shares``) the model is an LP: the
  flow LP that turns a global solver's point into exact flows.
- ``quality`` (the baseline): the tank's quality per period ``p`` as variables, with
  bilinear quality balances ``p[t-1] s[t-1] + lam x = p[t] (s[t] + y)`` and specs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, QuadraticModel, QuadraticModelBuilder
from optikit_pooling.model import PoolingProblem
from optikit_pooling.periods import Periods
from optikit_pooling.piecewise import envelope, split_share, uniform
from optikit_pooling.pq import BIG_FLOW

Terms = dict[int, float]
Bilinear = list[tuple[int, int, float]]


@dataclass
class Columns:
    """Column indices of the flow variables, by arc position and period."""

    x: NDArray[np.int64]  # il arcs x periods
    y: NDArray[np.int64]
    z: NDArray[np.int64]
    s: NDArray[np.int64]  # pools x periods: closing stock
    extra: dict[str, NDArray[np.int64]] = field(default_factory=dict)
    supply_rows: dict[tuple[int, int], int] = field(default_factory=dict)  # (input, t) -> row
    capacity_rows: dict[tuple[int, int], int] = field(default_factory=dict)  # (pool, t) -> row


def sources(problem: PoolingProblem) -> list[list[tuple[int, NDArray[np.float64]]]]:
    """Per pool, its sources as (input index or -1 for the opening stock, quality)."""
    per = problem.periods
    assert per is not None
    out: list[list[tuple[int, NDArray[np.float64]]]] = []
    for pool in range(len(problem.pool_ids)):
        inputs = sorted({a.tail for a in problem.il if a.head == pool}
                        | set(per.initial_mix[pool]))
        row = [(i, problem.lam[i]) for i in inputs]
        if per.initial[pool] > 0 and not per.initial_mix[pool]:
            row.append((-1, per.initial_quality[pool]))
        out.append(row)
    return out


def _size(problem: PoolingProblem, per: Periods) -> NDArray[np.float64]:
    """Each tank's most content in a period (opening stock plus receipts)."""
    cap = problem.pool_cap.copy()
    for pool in range(len(problem.pool_ids)):
        receipts = sum(min(a.max, float(np.max(per.input_max[a.tail])))
                       for a in problem.il if a.head == pool)
        discharges = sum(min(a.max, float(np.max(per.demand_max[a.head])))
                         for a in problem.lj if a.tail == pool)
        room = per.initial[pool] + receipts * per.count
        cap[pool] = min(cap[pool], room, per.stock_max[pool] + discharges)
    return cap


def tank_sizes(problem: PoolingProblem) -> NDArray[np.float64]:
    """Each tank's most content in a period, from every bound the data gives."""
    assert problem.periods is not None
    return _size(problem, problem.periods)


def unbounded_tank(problem: PoolingProblem) -> str | None:
    """The id of a tank with no finite size from the data, if any."""
    assert problem.periods is not None
    size = _size(problem, problem.periods)
    bad = [pid for pid, room in zip(problem.pool_ids, size, strict=True)
           if not np.isfinite(room)]
    return bad[0] if bad else None


@dataclass(frozen=True)
class Linearised:
    """How the source model's ``v = q s`` and ``w = q y`` enter when not bilinear:
    ``taylor`` (SLP) linearises them at ``around`` (a point of the same model) with
    ``|q - q0| <= trust``; ``mccormick`` relaxes them to ``v <= s``, ``w <= y`` beside the
    pq cut (part of their McCormick envelopes): an LP relaxation; ``piecewise`` encloses
    them in piecewise McCormick envelopes with ``segments`` equal pieces per share, or
    pieces at ``edges`` (pool, source position, period -> breakpoints from 0 to 1) where
    given (:mod:`optikit_pooling.piecewise`): a MILP relaxation."""

    how: str
    around: NDArray[np.float64] | None = None
    trust: float = 1.0
    segments: int = 1
    edges: Mapping[tuple[int, int, int], NDArray[np.float64]] | None = None


def build(problem: PoolingProblem, mode: str,
          shares: Mapping[tuple[int, int, int], float] | None = None,
          linear: Linearised | None = None,
          ) -> tuple[QuadraticModel, Columns]:
    """The model in ``mode`` ``source`` or ``quality``; ``source`` with ``shares`` (pool,
    source position, period -> share) fixed is the flow LP, with ``linear`` an LP model
    (SLP step or relaxation).  Every ``source`` variant has the same columns, so the point
    of one is a start (hint) for another."""
    per = problem.periods
    assert per is not None
    b = QuadraticModelBuilder("max")
    n_t, n_pools = per.count, len(problem.pool_ids)
    size = _size(problem, per)
    il, lj, ij = problem.il, problem.lj, problem.ij

    def grid(n: int, cost: list[list[float]], upper: list[float]) -> NDArray[np.int64]:
        cols = [b.add_columns(n_t, cost[a], 0.0, upper[a]) for a in range(n)]
        return np.array(cols, dtype=np.int64).reshape(n, n_t)

    cols = Columns(
        x=grid(len(il), [[-(per.input_cost[a.tail, t] + a.cost) for t in range(n_t)] for a in il],
               [min(a.max, size[a.head]) for a in il]),
        y=grid(len(lj), [[per.price[a.head, t] - a.cost for t in range(n_t)] for a in lj],
               [min(a.max, size[a.tail]) for a in lj]),
        z=grid(len(ij), [[per.price[a.head, t] - per.input_cost[a.tail, t] - a.cost
                          for t in range(n_t)] for a in ij],
               [min(a.max, float(np.max(per.demand_max[a.head]))) for a in ij]),
        s=np.array([b.add_columns(n_t, -float(per.holding[p]), float(per.stock_min[p]),
                                  min(float(per.stock_max[p]), size[p]))
                    for p in range(n_pools)], dtype=np.int64).reshape(n_pools, n_t),
    )
    _network(problem, per, b, cols, size)
    if mode == "source":
        _source_rows(problem, per, b, cols, shares, linear)
    else:
        _quality_rows(problem, per, b, cols)
    return b.build(), cols


def _row(b: QuadraticModelBuilder, terms: Terms, bilinear: Bilinear, lower: float,
         upper: float) -> None:
    row = b.add_row(terms, lower, upper)
    for i, j, coef in bilinear:
        b.add_bilinear(row, i, j, coef)


def _network(problem: PoolingProblem, per: Periods, b: QuadraticModelBuilder, cols: Columns,
             size: NDArray[np.float64]) -> None:
    """Balances, tank sizes, fractions, supply, demand, and the receive-or-discharge rule."""
    il, lj, ij = problem.il, problem.lj, problem.ij
    for pool in range(len(problem.pool_ids)):
        ins = [n for n, a in enumerate(il) if a.head == pool]
        outs = [m for m, a in enumerate(lj) if a.tail == pool]
        for t in range(per.count):
            opening = {int(cols.s[pool, t - 1]): 1.0} if t else {}
            stock0 = 0.0 if t else float(per.initial[pool])
            receipts = {int(cols.x[n, t]): 1.0 for n in ins}
            discharges = {int(cols.y[m, t]): 1.0 for m in outs}
            b.add_row({**opening, **receipts, **{k: -1.0 for k in discharges},
                       int(cols.s[pool, t]): -1.0}, -stock0, -stock0)
            if np.isfinite(problem.pool_cap[pool]):
                cols.capacity_rows[pool, t] = b.add_row(
                    {**opening, **receipts}, upper=float(problem.pool_cap[pool]) - stock0)
            for n in ins:
                if il[n].fraction < 1.0:
                    b.add_row({**{k: -il[n].fraction for k in receipts},
                               int(cols.x[n, t]): 1.0 - il[n].fraction}, upper=0.0)
            if per.exclusive[pool] and ins and outs:
                r = b.add_column(0.0, 0.0, 1.0, integer=True)
                b.add_row({**receipts, r: -float(size[pool])}, upper=0.0)
                b.add_row({**discharges, r: float(size[pool])}, upper=float(size[pool]))
    _on_off(problem, per, b, cols, size)
    for t in range(per.count):
        for i in range(len(problem.input_ids)):
            terms = {**{int(cols.x[n, t]): 1.0 for n, a in enumerate(il) if a.tail == i},
                     **{int(cols.z[c, t]): 1.0 for c, a in enumerate(ij) if a.tail == i}}
            low, high = float(per.input_min[i, t]), float(per.input_max[i, t])
            if terms or low > 0:
                cols.supply_rows[i, t] = b.add_row(terms, low if low > 0 else -INF, high)
        for j in range(len(problem.product_ids)):
            terms = {**{int(cols.y[m, t]): 1.0 for m, a in enumerate(lj) if a.head == j},
                     **{int(cols.z[c, t]): 1.0 for c, a in enumerate(ij) if a.head == j}}
            low, high = float(per.demand_min[j, t]), float(per.demand_max[j, t])
            if terms or low > 0:
                b.add_row(terms, low if low > 0 else -INF, high)


def _on_off(problem: PoolingProblem, per: Periods, b: QuadraticModelBuilder, cols: Columns,
            size: NDArray[np.float64]) -> None:
    """Fixed costs over periods: a binary per arc (or tank) and period, paid in each period
    the arc carries flow (the tank receives or discharges)."""
    grids = ((problem.il, cols.x), (problem.lj, cols.y), (problem.ij, cols.z))
    for arcs, grid in grids:
        for n, arc in enumerate(arcs):
            if arc.fixed_cost <= 0:
                continue
            top = min(arc.max, size[arc.head] if arc.kind == "il" else INF,
                      size[arc.tail] if arc.kind == "lj" else INF,
                      float(np.max(per.demand_max[arc.head])) if arc.kind != "il" else INF,
                      float(np.max(per.input_max[arc.tail])) if arc.kind != "lj" else INF)
            top = top if np.isfinite(top) else BIG_FLOW
            for t in range(per.count):
                used = b.add_column(-arc.fixed_cost, 0.0, 1.0, integer=True)
                b.add_row({int(grid[n, t]): 1.0, used: -top}, upper=0.0)
    _least_batches(problem, per, b, cols, size)
    for pool in range(len(problem.pool_ids)):
        if problem.pool_fixed[pool] <= 0:
            continue
        for t in range(per.count):
            moves = [int(cols.x[n, t]) for n, a in enumerate(problem.il) if a.head == pool]
            moves += [int(cols.y[m, t]) for m, a in enumerate(problem.lj) if a.tail == pool]
            if moves:
                used = b.add_column(-float(problem.pool_fixed[pool]), 0.0, 1.0, integer=True)
                b.add_row({**{c: 1.0 for c in moves}, used: -2.0 * float(size[pool])},
                          upper=0.0)


def _least_batches(problem: PoolingProblem, per: Periods, b: QuadraticModelBuilder,
                   cols: Columns, size: NDArray[np.float64]) -> None:
    """A pool ``min`` over periods: in each period a tank's receipts are 0 or at least
    ``min``, and so are its discharges (a binary per tank, period and direction)."""
    for pool in range(len(problem.pool_ids)):
        least = float(problem.pool_min[pool])
        if least <= 0:
            continue
        top = max(float(size[pool]), least)
        for grid, arcs, end in ((cols.x, problem.il, "head"), (cols.y, problem.lj, "tail")):
            moves = [n for n, a in enumerate(arcs) if getattr(a, end) == pool]
            for t in range(per.count if moves else 0):
                terms = {int(grid[n, t]): 1.0 for n in moves}
                moved = b.add_column(0.0, 0.0, 1.0, integer=True)
                b.add_row({**terms, moved: -top}, upper=0.0)
                b.add_row({**terms, moved: -least}, lower=0.0)


def _spec_rows(problem: PoolingProblem, b: QuadraticModelBuilder, cols: Columns, t: int,
               pool_part: dict[tuple[int, int], tuple[Terms, Bilinear]]) -> None:
    """Product specs in period ``t``; ``pool_part[m, k]`` is quality k's mass on arc m."""
    for j in range(len(problem.product_ids)):
        ys = [m for m, a in enumerate(problem.lj) if a.head == j]
        zs = [c for c, a in enumerate(problem.ij) if a.head == j]
        if not ys and not zs:
            continue
        for k in range(len(problem.qualities)):
            for sign, limit in ((1.0, problem.spec_max[j, k]), (-1.0, problem.spec_min[j, k])):
                if not np.isfinite(limit):
                    continue
                terms: Terms = {int(cols.z[c, t]): sign * float(
                    problem.lam[problem.ij[c].tail, k] - limit) for c in zs}
                bilinear: Bilinear = []
                for m in ys:
                    mass, mass_q = pool_part[m, k]
                    terms[int(cols.y[m, t])] = -sign * float(limit)
                    for col, coef in mass.items():
                        terms[col] = terms.get(col, 0.0) + sign * coef
                    bilinear += [(i, j2, sign * coef) for i, j2, coef in mass_q]
                _row(b, terms, bilinear, -INF, 0.0)


def _source_rows(problem: PoolingProblem, per: Periods, b: QuadraticModelBuilder,
                 cols: Columns, shares: Mapping[tuple[int, int, int], float] | None,
                 linear: Linearised | None) -> None:
    size = _size(problem, per)
    srcs = sources(problem)
    n_t = per.count
    upper = list(b.build().col_upper)  # the flows' and stocks' bounds, for v and w
    for t in range(n_t):
        pool_part: dict[tuple[int, int], tuple[Terms, Bilinear]] = {}
        for pool, row in enumerate(srcs):
            outs = [m for m, a in enumerate(problem.lj) if a.tail == pool]
            fixed = None if shares is None else [float(shares.get((pool, pos, t), 0.0))
                                                 for pos in range(len(row))]
            # Fixed shares keep their columns (bounds pinned) so the flow LP's point is a
            # full start for the bilinear model.
            q_lo, q_hi = _share_bounds(b.num_cols, len(row), fixed, linear)
            q = b.add_columns(len(row), 0.0, q_lo, q_hi)
            v = b.add_columns(len(row), 0.0, 0.0, upper[int(cols.s[pool, t])])
            w = {m: b.add_columns(len(row), 0.0, 0.0, upper[int(cols.y[m, t])]) for m in outs}
            cols.extra[f"v{pool}.{t}"] = v
            cols.extra[f"q{pool}.{t}"] = q
            cols.extra[f"w{pool}.{t}"] = np.array([w[m] for m in outs], dtype=np.int64).reshape(
                len(outs), len(row))
            if fixed is None and row:  # a tank nothing can ever enter stays empty
                b.add_row({int(c): 1.0 for c in q}, 1.0, 1.0)
            for pos, (src, _) in enumerate(row):
                opening: Terms = {int(cols.extra[f"v{pool}.{t - 1}"][pos]): 1.0} if t else {}
                stock0 = 0.0
                if not t:
                    mix = per.initial_mix[pool]
                    stock0 = float(per.initial[pool]) * (mix.get(src, 0.0) if mix else
                                                         float(src == -1))
                receipts = {int(cols.x[n, t]): 1.0 for n, a in enumerate(problem.il)
                            if a.head == pool and a.tail == src}
                b.add_row({**opening, **receipts, int(v[pos]): -1.0,
                           **{int(w[m][pos]): -1.0 for m in outs}}, -stock0, -stock0)
                pairs = [(int(v[pos]), int(cols.s[pool, t]))] + [
                    (int(w[m][pos]), int(cols.y[m, t])) for m in outs]
                if linear is not None and linear.how == "piecewise":
                    edges = (linear.edges or {}).get((pool, pos, t))
                    pieces = split_share(b, int(q[pos]), uniform(1.0, linear.segments)
                                         if edges is None else np.asarray(edges))
                    for col, amount in pairs:
                        envelope(b, pieces, col, amount, float(upper[amount]))
                    continue
                for col, amount in pairs:
                    if fixed is not None:
                        b.add_row({col: 1.0, amount: -fixed[pos]}, 0.0, 0.0)
                    elif linear is not None:
                        _linear_coupling(b, linear, col, int(q[pos]), amount)
                    else:
                        _row(b, {col: 1.0}, [(int(q[pos]), amount, -1.0)], 0.0, 0.0)
            b.add_row({**{int(c): 1.0 for c in v}, int(cols.s[pool, t]): -1.0}, 0.0, 0.0)
            if fixed is None:  # pq's cut: what leaves with source s fits s's share of the tank
                room = float(size[pool])
                for pos in range(len(row)):
                    b.add_row({int(v[pos]): 1.0, **{int(w[m][pos]): 1.0 for m in outs},
                               int(q[pos]): -room}, upper=0.0)
            for m in outs:
                b.add_row({**{int(c): 1.0 for c in w[m]}, int(cols.y[m, t]): -1.0}, 0.0, 0.0)
                for k in range(len(problem.qualities)):
                    pool_part[m, k] = ({int(w[m][pos]): float(lam[k])
                                        for pos, (_, lam) in enumerate(row)}, [])
        _spec_rows(problem, b, cols, t, pool_part)


def _share_bounds(first: int, n: int, fixed: list[float] | None,
                  linear: Linearised | None) -> tuple[list[float], list[float]]:
    """Bounds of a tank's share columns ``first``..``first + n - 1``."""
    if fixed is not None:
        return fixed, fixed
    if linear is None or linear.how != "taylor" or linear.around is None:
        return [0.0] * n, [1.0] * n
    q0 = np.asarray(linear.around[first:first + n], dtype=np.float64)
    return (np.maximum(q0 - linear.trust, 0.0).tolist(),
            np.minimum(q0 + linear.trust, 1.0).tolist())


def _linear_coupling(b: QuadraticModelBuilder, linear: Linearised, col: int, q: int,
                     amount: int) -> None:
    """``col = q * amount`` linearised (SLP) or relaxed (``col <= amount``)."""
    if linear.how == "taylor":
        assert linear.around is not None
        q0, a0 = float(linear.around[q]), float(linear.around[amount])
        b.add_row({col: 1.0, amount: -q0, q: -a0}, -q0 * a0, -q0 * a0)
        return
    # The rest of the McCormick envelope (v <= top q, v >= amount + top q - top) made
    # the LP ten times slower on large documents for little: the pq cut is kept instead.
    b.add_row({col: 1.0, amount: -1.0}, upper=0.0)


def _quality_rows(problem: PoolingProblem, per: Periods, b: QuadraticModelBuilder,
                  cols: Columns) -> None:
    srcs = sources(problem)
    n_k = len(problem.qualities)
    for t in range(per.count):
        pool_part: dict[tuple[int, int], tuple[Terms, Bilinear]] = {}
        for pool, row in enumerate(srcs):
            feeds = np.array([lam for _, lam in row]).reshape(-1, n_k)
            low = feeds.min(axis=0) if len(row) else np.zeros(n_k)
            high = feeds.max(axis=0) if len(row) else np.zeros(n_k)
            p = b.add_columns(n_k, 0.0, low, high)
            cols.extra[f"p{pool}.{t}"] = p
            outs = [m for m, a in enumerate(problem.lj) if a.tail == pool]
            for k in range(n_k):
                terms: Terms = {int(cols.x[n, t]): float(problem.lam[a.tail, k])
                                for n, a in enumerate(problem.il) if a.head == pool}
                bilinear: Bilinear = [(int(p[k]), int(cols.s[pool, t]), -1.0)]
                bilinear += [(int(p[k]), int(cols.y[m, t]), -1.0) for m in outs]
                const = 0.0
                if t:
                    bilinear.append((int(cols.extra[f"p{pool}.{t - 1}"][k]),
                                     int(cols.s[pool, t - 1]), 1.0))
                else:
                    const = float(per.initial[pool] * per.initial_quality[pool, k])
                _row(b, terms, bilinear, -const, -const)
                for m in outs:
                    pool_part[m, k] = ({}, [(int(p[k]), int(cols.y[m, t]), 1.0)])
        _spec_rows(problem, b, cols, t, pool_part)
