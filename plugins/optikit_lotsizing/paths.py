"""Path facility-location rows: a component's lot reaches a parent's requirement only
through a lot of the parent started later (multi-level coupling of setups).  Measured,
not used by any formulation: on ``generate_structured`` instances they add 1.3-1.5 % to
the facility-location LP and make HiGHS's MILP bound worse (README, branch lot-s18).

The facility-location rows of :mod:`linear` bound each made item on its own echelon
requirement; they do not see that a component made in period ``v`` reaches the parent's
requirement of period ``k`` only in a unit of the parent started in
``[v + L_i, k - L_j]``.  On the 100 x 52 x 3 instances that linkage is where the
multi-level gap lies (README, branch lot-scale).

For a made-only component ``i`` of a made-only, not backlogged parent ``j``
(``r = bom[i, j]``), with ``delta_j[k]`` the increment of ``j``'s lower cumulative
requirement (:mod:`requirements`): number the units of ``j`` in order of arrival.  Every
plan has at least ``need_j[k]`` of them arrived by ``k``, so each unit numbered in
``(need_j[k-1], need_j[k]]`` was started at some ``u <= k - L_j`` and consumed ``r`` units
of ``i`` made at some ``v <= u - L_i`` or taken from ``i``'s initial stock.  In
cumulative form, ``Z[u, k]`` is the share of the increment started in ``u`` or later and
``W[v, k]`` the share of its ``i``-content made in ``v`` or later, so in every plan::

    Z[first, k] = 1,  0 <= Z[u] - Z[u+1] <= y_j[u]   (the parent's facility location)
    sum_k delta_j[k] (Z[u, k] - Z[u+1, k]) <= x_j[u]
    0 <= W[v] - W[v+1] <= y_i[v]                      (nothing made without a setup)
    W[v, k] <= Z[first u >= v + L_i, k]               (made later: started later)
    sum_{j, k} r delta_j[k] (W[v, k] - W[v+1, k]) <= x_i[v]   (each unit of i used once)
    sum_{j, k} r delta_j[k] (1 - W[first, k]) <= initial_i

Valid for any plan whatever the lot sizes or capacities, so adding the rows (with their
new columns) keeps every plan a point of the model, and every bound a bound.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, LinearModelBuilder
from optikit_lotsizing.linear import LotModel
from optikit_lotsizing.model import LotSizingProblem
from optikit_lotsizing.requirements import lower_cumulative


def pairs(problem: LotSizingProblem) -> list[tuple[int, int]]:
    """(component, parent) pairs, both made and never bought, the parent not backlogged."""
    only_made = problem.produced & ~problem.purchased
    out = []
    for j in np.flatnonzero(only_made & ~problem.backlog):
        for i in np.flatnonzero(problem.bom[:, j] > 0):
            if only_made[i]:
                out.append((int(i), int(j)))
    return out


def _parent_shares(problem: LotSizingProblem, b: LinearModelBuilder, lm: LotModel, j: int,
                   delta: NDArray[np.float64]) -> dict[int, tuple[list[int], NDArray[np.int64]]]:
    """The facility-location rows of parent ``j`` in cumulative form: per requirement
    period ``k``, the start periods ``us`` and columns ``Z[m]`` = share of the increment
    started in ``us[m]`` or later (``Z[0] = 1``)."""
    lead = int(problem.lead[j])
    out: dict[int, tuple[list[int], NDArray[np.int64]]] = {}
    use_rows: dict[int, tuple[list[int], list[float]]] = {}
    for k in map(int, np.flatnonzero(delta[j] > 1e-9)):
        us = [u for u in range(0, k - lead + 1) if lm.x[j, u] >= 0 and lm.y[j, u] >= 0]
        if not us:
            continue
        n = len(us)
        z = b.add_columns(n, upper=1.0)
        b.add_rows_coo(1, [0], [int(z[0])], [1.0], 1.0, 1.0)
        local = np.arange(n)
        nxt = np.append(z[1:], -1)
        has = nxt >= 0
        # share started in us[m] = Z[m] - Z[m+1]: between 0 and y_j[us[m]]
        rows = np.concatenate([local, local[has], local])
        cols = np.concatenate([z, nxt[has], lm.y[j, us]])
        vals = np.concatenate([np.ones(n), -np.ones(int(has.sum())), -np.ones(n)])
        b.add_rows_coo(n, rows, cols, vals, -INF, 0.0)
        b.add_rows_coo(int(has.sum()), np.concatenate([local[has], local[has]]),
                       np.concatenate([z[has], nxt[has]]),
                       np.concatenate([np.ones(int(has.sum())), -np.ones(int(has.sum()))]),
                       0.0, INF)
        for m, u in enumerate(us):
            cs, vs = use_rows.setdefault(u, ([], []))
            cs.append(int(z[m]))
            vs.append(float(delta[j, k]))
            if m + 1 < n:
                cs.append(int(z[m + 1]))
                vs.append(-float(delta[j, k]))
        out[k] = (us, z)
    for u, (cs, vs) in use_rows.items():
        # sum_k delta_k (Z[u] - Z[u+1]) <= x_j[u]
        b.add_rows_coo(1, np.zeros(len(cs) + 1, np.int64), [*cs, int(lm.x[j, u])],
                       [*vs, -1.0], -INF, 0.0)
    return out


def add_path_rows(problem: LotSizingProblem, lm: LotModel,
                  only: list[tuple[int, int]] | None = None) -> int:
    """Add the path rows of every pair (or of ``only``) to ``lm.builder`` and rebuild
    ``lm.model``; the number of columns added."""
    b = lm.builder
    need = lower_cumulative(problem)
    delta = np.diff(need, axis=1, prepend=0.0)
    shares: dict[int, dict[int, tuple[list[int], NDArray[np.int64]]]] = {}
    use: dict[int, dict[int, tuple[list[int], list[float]]]] = {}
    init: dict[int, tuple[list[int], list[float], float]] = {}
    added = 0
    for i, j in (pairs(problem) if only is None else only):
        if j not in shares:
            shares[j] = _parent_shares(problem, b, lm, j, delta)
        r = float(problem.bom[i, j])
        li = int(problem.lead[i])
        for k, (us, z) in shares[j].items():
            vs = [v for v in range(0, us[-1] - li + 1) if lm.x[i, v] >= 0 and lm.y[i, v] >= 0]
            amount = r * float(delta[j, k])
            ic, iv, total = init.get(i, ([], [], 0.0))
            init[i] = (ic, iv, total + amount)
            if not vs:
                continue
            n = len(vs)
            w = b.add_columns(n, upper=1.0)
            added += n
            local = np.arange(n)
            nxt = np.append(w[1:], -1)
            has = nxt >= 0
            nh = int(has.sum())
            # W[m] - W[m+1] in [0, y_i[vs[m]]]
            b.add_rows_coo(n, np.concatenate([local, local[has], local]),
                           np.concatenate([w, nxt[has], lm.y[i, vs]]),
                           np.concatenate([np.ones(n), -np.ones(nh), -np.ones(n)]), -INF, 0.0)
            b.add_rows_coo(nh, np.concatenate([local[has], local[has]]),
                           np.concatenate([w[has], nxt[has]]),
                           np.concatenate([np.ones(nh), -np.ones(nh)]), 0.0, INF)
            # content made in vs[m] or later goes into units started at vs[m] + L_i or later
            ups = np.asarray(us)
            link_rows, link_cols, link_vals = [], [], []
            for m, v in enumerate(vs):
                idx = int(np.searchsorted(ups, v + li))
                link_rows += [m]
                link_cols += [int(w[m])]
                link_vals += [1.0]
                if idx < len(us):
                    link_rows += [m]
                    link_cols += [int(z[idx])]
                    link_vals += [-1.0]
            b.add_rows_coo(n, link_rows, link_cols, link_vals, -INF, 0.0)
            # what is not made comes from the initial stock: r delta (1 - W[0]) summed
            ic.append(int(w[0]))
            iv.append(-amount)
            per = use.setdefault(i, {})
            for m, v in enumerate(vs):
                cs, cv = per.setdefault(v, ([], []))
                cs.append(int(w[m]))
                cv.append(amount)
                if m + 1 < n:
                    cs.append(int(w[m + 1]))
                    cv.append(-amount)
    for i, per in use.items():
        for v, (cs, cv) in per.items():
            b.add_rows_coo(1, np.zeros(len(cs) + 1, np.int64), [*cs, int(lm.x[i, v])],
                           [*cv, -1.0], -INF, 0.0)
    for i, (ic, iv, total) in init.items():
        if ic:
            # sum amount * (1 - W0) <= initial_i
            b.add_rows_coo(1, np.zeros(len(ic), np.int64), ic, iv, -INF,
                           float(problem.initial[i]) - total)
    lm.model = b.build()
    return added
