"""The pq-formulation of the pooling problem, in every form the methods need.

Variables: ``q[a]`` the share of input i in pool l's inflow (arc a = i->l), ``y[b]`` the
flow pool -> product, ``z[c]`` the direct flow input -> product, and ``v[t] = q[a]*y[b]``
the flow of input i through pool l to product j (t = (a, b)).  Quality and supply rows are
linear in v, y, z; the only nonlinearity is ``v = q*y``.  The redundant rows
``sum_a v[a,b] = y[b]`` and ``sum_b v[a,b] <= capacity * q[a]`` (Tawarmalani and
Sahinidis) make its relaxations tight.

``mode`` decides how ``v = q*y`` enters:

- ``bilinear``: a bilinear row (the exact model, for SCIP);
- ``fix_q``: q fixed at ``q0`` -> an LP in the flows (every solution is exactly feasible);
- ``fix_y``: y fixed at ``y0`` -> an LP in the shares;
- ``taylor``: linearised at (``q0``, ``y0``) with ``|q - q0| <= trust`` (SLP);
- ``relaxed``: no coupling row (the McCormick module adds its own).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, QuadraticModel, QuadraticModelBuilder
from optikit.types import UsageError
from optikit_pooling.model import PoolingProblem

#: Big-M bound used for a fixed-cost arc whose flow has no finite bound in the data.
BIG_FLOW = 1e6


@dataclass
class Layout:
    """Where each variable and each row of interest sits in the model."""

    q: NDArray[np.int64]
    y: NDArray[np.int64]
    z: NDArray[np.int64]
    v: NDArray[np.int64]
    triples: list[tuple[int, int]]  # (position in problem.il, position in problem.lj)
    y_upper: NDArray[np.float64]
    v_upper: NDArray[np.float64]
    usable: NDArray[np.bool_]  # pools that can carry flow
    arc_binary: dict[int, int] = field(default_factory=dict)  # arc.index -> column
    pool_binary: dict[int, int] = field(default_factory=dict)  # pool -> column
    supply_rows: dict[int, int] = field(default_factory=dict)  # input -> row
    capacity_rows: dict[int, int] = field(default_factory=dict)  # pool -> row
    spec_rows: list[tuple[int, int, str, int]] = field(default_factory=list)  # j, k, side, row

    def binaries(self) -> dict[int, int]:
        return {**self.arc_binary, **{-1 - p: c for p, c in self.pool_binary.items()}}


class RowBuffer:
    """Rows gathered in Python lists and handed to the builder in one block.

    The flow and share LPs are rebuilt hundreds of times by the heuristic; one
    ``add_rows_coo`` call instead of one ``add_row`` per row makes that ten times faster.
    Row indices returned by :meth:`add` are final; bilinear terms are applied on
    :meth:`flush`.
    """

    def __init__(self, first_row: int) -> None:
        self.first = first_row
        self.count = 0
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.names: list[str] = []
        self.bilinear: list[tuple[int, int, int, float]] = []

    def add(self, terms: dict[int, float], lower: float = -INF, upper: float = INF,
            name: str | None = None) -> int:
        row = self.first + self.count
        for col, val in terms.items():
            self.rows.append(self.count)
            self.cols.append(col)
            self.vals.append(val)
        self.lower.append(lower)
        self.upper.append(upper)
        self.names.append(name or f"r{row}")
        self.count += 1
        return row

    def flush(self, b: QuadraticModelBuilder) -> None:
        if self.count:
            b.add_rows_coo(self.count, self.rows, self.cols, self.vals, self.lower,
                           self.upper, self.names)
        for row, i, j, coef in self.bilinear:
            b.add_bilinear(row, i, j, coef)


@dataclass
class Point:
    """A candidate: shares per il arc, flows per lj and ij arc, binaries used."""

    q: NDArray[np.float64]
    y: NDArray[np.float64]
    z: NDArray[np.float64]


def normalised_shares(problem: PoolingProblem, q: NDArray[np.float64]) -> NDArray[np.float64]:
    """``q`` made valid: in every pool the shares sum to 1 and respect each ``fraction``
    (proportional to ``q`` where no fraction binds; uniform when ``q`` is all zero)."""
    weights = np.clip(np.asarray(q, dtype=np.float64), 0.0, None)
    out = np.zeros_like(weights)
    caps = np.array([a.fraction for a in problem.il], dtype=np.float64)
    for pool in range(len(problem.pool_ids)):
        idx = np.array([n for n, a in enumerate(problem.il) if a.head == pool], dtype=np.int64)
        if idx.size:
            out[idx] = _fill(weights[idx], caps[idx])
    return out


def _fill(weights: NDArray[np.float64], caps: NDArray[np.float64]) -> NDArray[np.float64]:
    shares = np.zeros_like(weights)
    free = np.ones(weights.size, dtype=bool)
    rest = 1.0
    for _ in range(weights.size + 1):
        w = np.where(free, weights, 0.0)
        if w.sum() <= 0:
            w = free.astype(np.float64)
        if w.sum() <= 0:
            break
        trial = rest * w / w.sum()
        over = free & (trial > caps)
        if not over.any():
            shares[free] = trial[free]
            break
        shares[over] = caps[over]
        rest -= float(caps[over].sum())
        free &= ~over
    return shares


def _flow_bounds(problem: PoolingProblem) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    cap = problem.effective_capacity()
    usable = np.zeros(len(problem.pool_ids), dtype=bool)
    for pool in range(len(problem.pool_ids)):
        shares = sum(a.fraction for a in problem.il if a.head == pool)
        outs = any(a.tail == pool for a in problem.lj)
        usable[pool] = shares >= 1.0 - 1e-12 and outs and cap[pool] > 0
    return cap, usable


def build(
    problem: PoolingProblem,
    mode: str = "bilinear",
    *,
    q0: NDArray[np.float64] | None = None,
    y0: NDArray[np.float64] | None = None,
    trust: float = 1.0,
    fixed_binaries: dict[int, float] | None = None,
) -> tuple[QuadraticModel, Layout, QuadraticModelBuilder]:
    """The pq model in ``mode`` (module docstring), its layout, and the builder used."""
    b = QuadraticModelBuilder("max")
    il, lj, ij = problem.il, problem.lj, problem.ij
    cap, usable = _flow_bounds(problem)

    q_hi = np.array([a.fraction for a in il], dtype=np.float64)
    q_lo = np.zeros(len(il))
    if mode == "fix_q":
        assert q0 is not None
        q_lo = q_hi = np.asarray(q0, dtype=np.float64)
    elif mode == "taylor":
        assert q0 is not None
        q_lo = np.maximum(q_lo, q0 - trust)
        q_hi = np.minimum(q_hi, q0 + trust)
    q = b.add_columns(len(il), 0.0, q_lo, q_hi, names=[f"q[{a.source},{a.target}]" for a in il])

    y_up = np.array([min(a.max, cap[a.tail], problem.demand_max[a.head]) if usable[a.tail]
                     else 0.0 for a in lj], dtype=np.float64)
    y_lo = np.zeros(len(lj))
    y_hi = y_up
    if mode == "fix_y":
        assert y0 is not None
        y_lo = y_hi = np.clip(np.asarray(y0, dtype=np.float64), 0.0, y_up)
    y_cost = [problem.price[a.head] - a.cost for a in lj]
    y = b.add_columns(len(lj), y_cost, y_lo, y_hi, names=[f"y[{a.source},{a.target}]" for a in lj])

    z_up = [min(a.max, problem.demand_max[a.head], problem.input_max[a.tail]) for a in ij]
    z_cost = [problem.price[a.head] - problem.input_cost[a.tail] - a.cost for a in ij]
    z = b.add_columns(len(ij), z_cost, 0.0, z_up, names=[f"z[{a.source},{a.target}]" for a in ij])

    triples = [(n, m) for n, a in enumerate(il) for m, c in enumerate(lj) if c.tail == a.head]
    v_up = np.array([il[n].fraction * y_up[m] for n, m in triples], dtype=np.float64)
    v_cost = [-(problem.input_cost[il[n].tail] + il[n].cost) for n, _ in triples]
    v = b.add_columns(len(triples), v_cost, 0.0, v_up,
                      names=[f"v[{il[n].source},{lj[m].source},{lj[m].target}]"
                             for n, m in triples])
    layout = Layout(q=q, y=y, z=z, v=v, triples=triples, y_upper=y_up, v_upper=v_up,
                    usable=usable)
    _binaries(problem, b, layout, cap, fixed_binaries)
    rows = RowBuffer(b.num_rows)
    _coupling(rows, layout, mode, q0, y0)
    _rows(problem, rows, layout, cap, mode == "fix_q")
    rows.flush(b)
    model = b.build()
    return model, layout, b


def _binaries(problem: PoolingProblem, b: QuadraticModelBuilder, layout: Layout,
              cap: NDArray[np.float64], fixed: dict[int, float] | None) -> None:
    def column(key: int, cost: float, name: str) -> int:
        if fixed is not None and key in fixed:  # a fixed decision: a plain column (LP duals)
            value = float(round(fixed[key]))
            return b.add_column(-cost, value, value, integer=False, name=name)
        return b.add_column(-cost, 0.0, 1.0, integer=True, name=name)

    for arc in problem.arcs:
        if arc.fixed_cost > 0:
            layout.arc_binary[arc.index] = column(arc.index, arc.fixed_cost,
                                                  f"use[{arc.source},{arc.target}]")
    for pool in range(len(problem.pool_ids)):
        if problem.pool_uses_binary(pool):
            layout.pool_binary[pool] = column(-1 - pool, float(problem.pool_fixed[pool]),
                                              f"use[{problem.pool_ids[pool]}]")


def _coupling(b: RowBuffer, layout: Layout, mode: str,
              q0: NDArray[np.float64] | None, y0: NDArray[np.float64] | None) -> None:
    """The rows ``v[t] = q[a] * y[b]`` in the form ``mode`` asks for."""
    if mode == "relaxed":
        return
    for t, (n, m) in enumerate(layout.triples):
        vt, qa, yb = int(layout.v[t]), int(layout.q[n]), int(layout.y[m])
        if mode == "bilinear":
            row = b.add({vt: 1.0}, 0.0, 0.0, name=f"couple[{t}]")
            b.bilinear.append((row, qa, yb, -1.0))
        elif mode == "fix_q":
            assert q0 is not None
            b.add({vt: 1.0, yb: -float(q0[n])}, 0.0, 0.0)
        elif mode == "fix_y":
            assert y0 is not None
            b.add({vt: 1.0, qa: -float(max(y0[m], 0.0))}, 0.0, 0.0)
        elif mode == "taylor":
            assert q0 is not None and y0 is not None
            rhs = -float(q0[n]) * float(y0[m])
            b.add({vt: 1.0, yb: -float(q0[n]), qa: -float(y0[m])}, rhs, rhs)
        else:
            raise ValueError(f"unknown mode {mode!r}")


def _bound(*values: float) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return min(finite) if finite else BIG_FLOW


def _rows(problem: PoolingProblem, b: RowBuffer, layout: Layout,
          cap: NDArray[np.float64], fixed_shares: bool) -> None:
    il, lj, ij = problem.il, problem.lj, problem.ij
    n_pools = len(problem.pool_ids)
    through: list[list[int]] = [[] for _ in il]
    into_b: list[list[int]] = [[] for _ in lj]
    for t, (n, m) in enumerate(layout.triples):
        through[n].append(t)
        into_b[m].append(t)

    for pool in range(n_pools):
        shares = [int(layout.q[n]) for n, a in enumerate(il) if a.head == pool]
        if layout.usable[pool] and not fixed_shares:
            b.add({c: 1.0 for c in shares}, 1.0, 1.0, name=f"shares[{problem.pool_ids[pool]}]")
    for m in range(len(lj)):  # RLT: what leaves on arc b is made of the pool's inputs
        if layout.usable[lj[m].tail]:
            terms = {int(layout.v[t]): 1.0 for t in into_b[m]}
            terms[int(layout.y[m])] = -1.0
            b.add(terms, 0.0, 0.0)
    for n, arc in enumerate(il):  # RLT: input i's flow through pool l <= capacity * q
        flow = {int(layout.v[t]): 1.0 for t in through[n]}
        if not flow:
            continue
        room = cap[arc.head]
        if np.isfinite(room):
            b.add({**flow, int(layout.q[n]): -float(room)}, upper=0.0)
        if np.isfinite(arc.max):
            b.add(flow, upper=arc.max)
        if arc.index in layout.arc_binary:
            big = _bound(arc.max, room, problem.input_max[arc.tail])
            b.add({**flow, layout.arc_binary[arc.index]: -big}, upper=0.0)
    for m, arc in enumerate(lj):
        if arc.index in layout.arc_binary:
            b.add({int(layout.y[m]): 1.0, layout.arc_binary[arc.index]:
                       -_bound(layout.y_upper[m])}, upper=0.0)
    for c, arc in enumerate(ij):
        if arc.index in layout.arc_binary:
            big = _bound(arc.max, problem.demand_max[arc.head], problem.input_max[arc.tail])
            b.add({int(layout.z[c]): 1.0, layout.arc_binary[arc.index]: -big}, upper=0.0)

    for i in range(len(problem.input_ids)):  # supply
        terms = {int(layout.v[t]): 1.0 for n, a in enumerate(il) if a.tail == i
                 for t in through[n]}
        terms.update({int(layout.z[c]): 1.0 for c, a in enumerate(ij) if a.tail == i})
        low, high = float(problem.input_min[i]), float(problem.input_max[i])
        if terms or low > 0:
            layout.supply_rows[i] = b.add(terms, low if low > 0 else -INF, high,
                                              name=f"supply[{problem.input_ids[i]}]")
    for pool in range(n_pools):  # capacity and minimum fill
        out = {int(layout.y[m]): 1.0 for m, a in enumerate(lj) if a.tail == pool}
        if not out:
            continue
        capacity = float(problem.pool_cap[pool])
        if pool in layout.pool_binary:
            w = layout.pool_binary[pool]
            b.add({**out, w: -_bound(cap[pool])}, upper=0.0)
            if problem.pool_min[pool] > 0:
                b.add({**out, w: -float(problem.pool_min[pool])}, lower=0.0)
        if np.isfinite(capacity):
            layout.capacity_rows[pool] = b.add(out, upper=capacity,
                                                   name=f"capacity[{problem.pool_ids[pool]}]")
    _product_rows(problem, b, layout)


def _product_rows(problem: PoolingProblem, b: RowBuffer, layout: Layout) -> None:
    il, lj, ij = problem.il, problem.lj, problem.ij
    into_product: list[list[int]] = [[] for _ in problem.product_ids]
    for t, (_, m) in enumerate(layout.triples):
        into_product[lj[m].head].append(t)
    for j in range(len(problem.product_ids)):
        ys = [m for m, a in enumerate(lj) if a.head == j]
        zs = [c for c, a in enumerate(ij) if a.head == j]
        vs = into_product[j]
        amount = {**{int(layout.y[m]): 1.0 for m in ys}, **{int(layout.z[c]): 1.0 for c in zs}}
        low, high = float(problem.demand_min[j]), float(problem.demand_max[j])
        if amount or low > 0:
            b.add(amount, low if low > 0 else -INF, high,
                      name=f"demand[{problem.product_ids[j]}]")
        if not amount:
            continue
        for k in range(len(problem.qualities)):
            for side, limit in (("min", problem.spec_min[j, k]), ("max", problem.spec_max[j, k])):
                if not np.isfinite(limit):
                    continue
                terms: dict[int, float] = {}
                for t in vs:
                    terms[int(layout.v[t])] = float(problem.lam[il[layout.triples[t][0]].tail, k])
                for m in ys:
                    terms[int(layout.y[m])] = -float(limit)
                for c in zs:
                    terms[int(layout.z[c])] = float(problem.lam[ij[c].tail, k] - limit)
                row = (b.add(terms, upper=0.0) if side == "max"
                       else b.add(terms, lower=0.0))
                layout.spec_rows.append((j, k, side, row))


def split(layout: Layout, x: NDArray[np.float64]) -> Point:
    """The candidate a model solution describes (clipped at zero)."""
    return Point(q=np.clip(x[layout.q], 0.0, None), y=np.clip(x[layout.y], 0.0, None),
                 z=np.clip(x[layout.z], 0.0, None))


def full_vector(
    problem: PoolingProblem, layout: Layout, point: Point, n: int
) -> NDArray[np.float64]:
    """A complete column vector for ``point`` (for hints): v = q*y, binaries from use."""
    x = np.zeros(n)
    x[layout.q] = point.q
    x[layout.y] = point.y
    x[layout.z] = point.z
    for t, (a, m) in enumerate(layout.triples):
        x[layout.v[t]] = point.q[a] * point.y[m]
    flows = arc_flows(problem, point)
    for index, col in layout.arc_binary.items():
        x[col] = 1.0 if flows.get(index, 0.0) > 0 else 0.0
    for pool, col in layout.pool_binary.items():
        out = sum(point.y[m] for m, a in enumerate(problem.lj) if a.tail == pool)
        x[col] = 1.0 if out > 0 else 0.0
    return x


def arc_flows(problem: PoolingProblem, point: Point, drop: float = 1e-9) -> dict[int, float]:
    """Flow on every arc (by the document's arc index); input->pool = share * throughput."""
    throughput = np.zeros(len(problem.pool_ids))
    for m, arc in enumerate(problem.lj):
        throughput[arc.tail] += point.y[m]
    flows: dict[int, float] = {}
    for n, arc in enumerate(problem.il):
        flows[arc.index] = float(point.q[n] * throughput[arc.head])
    for m, arc in enumerate(problem.lj):
        flows[arc.index] = float(point.y[m])
    for c, arc in enumerate(problem.ij):
        flows[arc.index] = float(point.z[c])
    scale = max([1.0, *flows.values()])
    return {k: (f if f > drop * scale else 0.0) for k, f in flows.items()}


def used_binaries(problem: PoolingProblem, point: Point) -> dict[int, float]:
    """Binary values (keys as in :meth:`Layout.binaries`'s) that ``point`` implies."""
    flows = arc_flows(problem, point)
    used: dict[int, float] = {a.index: float(flows.get(a.index, 0.0) > 0) for a in problem.arcs
                              if a.fixed_cost > 0}
    for pool in range(len(problem.pool_ids)):
        if problem.pool_uses_binary(pool):
            out = sum(point.y[m] for m, a in enumerate(problem.lj) if a.tail == pool)
            used[-1 - pool] = float(out > 0)
    return used


def require_bounded(problem: PoolingProblem) -> None:
    """Refuse a network whose profit could grow without limit through a pool (no bound)."""
    cap = problem.effective_capacity()
    for pool, room in enumerate(cap):
        if not np.isfinite(room):
            raise UsageError(f"pool {problem.pool_ids[pool]!r} has no finite capacity and no "
                             "finite bound on its inputs or outputs; give it a capacity")
