"""The p-formulation (Haverly's): flows and pool qualities as variables.

The baseline a competent user writes first: ``x`` input -> pool, ``y`` pool -> product,
``z`` input -> product, and ``p[l,k]`` the quality of pool l.  The quality balance
``sum_i lam[i,k] x[i,l] = p[l,k] * sum_j y[l,j]`` and the product specs
``sum_l p[l,k] y[l,j] + sum_i lam[i,k] z[i,j] <= U (sum y + sum z)`` are bilinear.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, QuadraticModel, QuadraticModelBuilder
from optikit_pooling.model import PoolingProblem
from optikit_pooling.pq import BIG_FLOW, Point, normalised_shares


def build_p(
    problem: PoolingProblem,
) -> tuple[QuadraticModel, Callable[[NDArray[np.float64]], Point]]:
    """The model and a function from its solution to a candidate (pool compositions from
    the input -> pool flows, and the flows out of the pools and direct)."""
    b = QuadraticModelBuilder("max")
    il, lj, ij = problem.il, problem.lj, problem.ij
    n_pools, n_k = len(problem.pool_ids), len(problem.qualities)
    cap = problem.effective_capacity()
    x = b.add_columns(len(il), [-(problem.input_cost[a.tail] + a.cost) for a in il], 0.0,
                      [min(a.max, problem.input_max[a.tail], cap[a.head]) for a in il])
    y = b.add_columns(len(lj), [problem.price[a.head] - a.cost for a in lj], 0.0,
                      [min(a.max, cap[a.tail], problem.demand_max[a.head]) for a in lj])
    z = b.add_columns(len(ij), [problem.price[a.head] - problem.input_cost[a.tail] - a.cost
                                for a in ij], 0.0,
                      [min(a.max, problem.demand_max[a.head], problem.input_max[a.tail])
                       for a in ij])
    p = np.zeros((n_pools, n_k), dtype=np.int64)
    for pool in range(n_pools):
        feeds = [problem.lam[a.tail] for a in il if a.head == pool]
        lo = np.min(feeds, axis=0) if feeds else np.zeros(n_k)
        hi = np.max(feeds, axis=0) if feeds else np.zeros(n_k)
        p[pool] = b.add_columns(n_k, 0.0, lo, hi)
    binaries = _binaries(problem, b, x, y, z, cap)

    for pool in range(n_pools):
        ins = [n for n, a in enumerate(il) if a.head == pool]
        outs = [m for m, a in enumerate(lj) if a.tail == pool]
        b.add_row({**{int(x[n]): 1.0 for n in ins}, **{int(y[m]): -1.0 for m in outs}}, 0.0, 0.0)
        if np.isfinite(problem.pool_cap[pool]) and outs:
            b.add_row({int(y[m]): 1.0 for m in outs}, upper=float(problem.pool_cap[pool]))
        if pool in binaries["pool"] and outs:
            w = binaries["pool"][pool]
            b.add_row({**{int(y[m]): 1.0 for m in outs}, w: -min(cap[pool], BIG_FLOW)},
                      upper=0.0)
            if problem.pool_min[pool] > 0:
                b.add_row({**{int(y[m]): 1.0 for m in outs}, w: -float(problem.pool_min[pool])},
                          lower=0.0)
        for n in ins:
            if il[n].fraction < 1.0:
                b.add_row({int(x[n]): 1.0, **{int(y[m]): -il[n].fraction for m in outs}},
                          upper=0.0)
        for k in range(n_k):
            row = b.add_row({int(x[n]): float(problem.lam[il[n].tail, k]) for n in ins}, 0.0, 0.0)
            for m in outs:
                b.add_bilinear(row, int(p[pool, k]), int(y[m]), -1.0)
    for i in range(len(problem.input_ids)):
        terms = {**{int(x[n]): 1.0 for n, a in enumerate(il) if a.tail == i},
                 **{int(z[c]): 1.0 for c, a in enumerate(ij) if a.tail == i}}
        low = float(problem.input_min[i])
        if terms or low > 0:
            b.add_row(terms, low if low > 0 else -INF, float(problem.input_max[i]))
    for j in range(len(problem.product_ids)):
        ys = [m for m, a in enumerate(lj) if a.head == j]
        zs = [c for c, a in enumerate(ij) if a.head == j]
        amount = {**{int(y[m]): 1.0 for m in ys}, **{int(z[c]): 1.0 for c in zs}}
        low = float(problem.demand_min[j])
        if amount or low > 0:
            b.add_row(amount, low if low > 0 else -INF, float(problem.demand_max[j]))
        for k in range(n_k):
            for side, limit in (("min", problem.spec_min[j, k]), ("max", problem.spec_max[j, k])):
                if not (np.isfinite(limit) and amount):
                    continue
                terms = {int(y[m]): -float(limit) for m in ys}
                terms.update({int(z[c]): float(problem.lam[ij[c].tail, k] - limit) for c in zs})
                row = b.add_row(terms, upper=0.0) if side == "max" else b.add_row(terms, lower=0.0)
                for m in ys:
                    b.add_bilinear(row, int(p[lj[m].tail, k]), int(y[m]), 1.0)
    model = b.build()

    def point(solution: NDArray[np.float64]) -> Point:
        return Point(q=normalised_shares(problem, np.clip(solution[x], 0.0, None)),
                     y=np.clip(solution[y], 0.0, None), z=np.clip(solution[z], 0.0, None))

    return model, point


def _binaries(problem: PoolingProblem, b: QuadraticModelBuilder, x: NDArray[np.int64],
              y: NDArray[np.int64], z: NDArray[np.int64],
              cap: NDArray[np.float64]) -> dict[str, dict[int, int]]:
    """On/off columns for fixed costs and minimum fills, with their big-M rows."""
    out: dict[str, dict[int, int]] = {"arc": {}, "pool": {}}
    columns = {**{a.index: (int(x[n]), min(a.max, cap[a.head]))
                  for n, a in enumerate(problem.il)},
               **{a.index: (int(y[m]), min(a.max, cap[a.tail]))
                  for m, a in enumerate(problem.lj)},
               **{a.index: (int(z[c]), min(a.max, problem.demand_max[a.head]))
                  for c, a in enumerate(problem.ij)}}
    for arc in problem.arcs:
        if arc.fixed_cost > 0:
            u = b.add_column(-arc.fixed_cost, 0.0, 1.0, integer=True)
            col, big = columns[arc.index]
            b.add_row({col: 1.0, u: -min(big, BIG_FLOW)}, upper=0.0)
            out["arc"][arc.index] = u
    for pool in range(len(problem.pool_ids)):
        if problem.pool_uses_binary(pool):
            out["pool"][pool] = b.add_column(-float(problem.pool_fixed[pool]), 0.0, 1.0,
                                             integer=True)
    return out
