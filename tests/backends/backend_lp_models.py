"""Small linear models with known answers, shared by the linear backend tests.

Every optimum below was worked out by hand (noted next to each model) so the tests do
not trust one solver to check another.
"""

from __future__ import annotations

import numpy as np

from optikit.paradigms import INF, LinearModel, LinearModelBuilder


def production_lp() -> LinearModel:
    """min 2x + 3y + 1.5  s.t.  x + 2y >= 4.5,  x <= 7.5 (row),  x, y >= 0.

    Optimum y = 2.25, x = 0: objective 8.25.  Row duals (d objective / d active bound):
    1.5 for the first row (its lower bound), 0 for the slack second row.  Reduced costs:
    0.5 for x (2 - 1.5), 0 for the basic y.
    """
    b = LinearModelBuilder("min")
    x = b.add_column(2.0, name="x")
    y = b.add_column(3.0, name="y")
    b.add_row({x: 1.0, y: 2.0}, lower=4.5, name="demand")
    b.add_row({x: 1.0}, upper=7.5, name="cap_x")
    b.offset = 1.5
    return b.build()


def max_lp() -> LinearModel:
    """max x + y + 1.5  s.t.  x + 2y <= 10.5,  x <= 7.5 (row),  y in [0, 4]  (optimum 10.5).

    x = 7.5, y = 1.5.  Duals: 0.5 on both rows (raising either upper bound by one adds 0.5).
    """
    b = LinearModelBuilder("max")
    x = b.add_column(1.0, name="x")
    y = b.add_column(1.0, upper=4.0, name="y")
    b.add_row({x: 1.0, y: 2.0}, upper=10.5, name="budget")
    b.add_row({x: 1.0}, upper=7.5, name="cap_x")
    b.offset = 1.5
    return b.build()


def ranged_lp() -> LinearModel:
    """Equality, ranged and free rows, a free column and a fixed column.

    min x - z + 0*w  s.t.  x + z == 4 (eq),  1 <= x - z <= 3 (range),  x + w free row,
    z in [-INF, 2.5], w fixed at 2, x >= 0.
    x = 4 - z and x - z = 4 - 2z in [1, 3] → z in [0.5, 1.5]; objective 4 - 2z → z = 1.5,
    x = 2.5, objective 1, with the range row at its lower bound 1.  The objective equals
    that lower bound whatever the equality's right-hand side, so the row duals are
    (0, 1, 0) and every reduced cost is 0 (x, z strictly inside their bounds, w costless).
    """
    b = LinearModelBuilder("min")
    x = b.add_column(1.0, name="x")
    z = b.add_column(-1.0, lower=-INF, upper=2.5, name="z")
    w = b.add_column(0.0, lower=2.0, upper=2.0, name="w")
    b.add_row({x: 1.0, z: 1.0}, lower=4.0, upper=4.0, name="eq")
    b.add_row({x: 1.0, z: -1.0}, lower=1.0, upper=3.0, name="range")
    b.add_row({x: 1.0, w: 1.0}, name="free")
    return b.build()


def knapsack_milp() -> LinearModel:
    """max 3a + 4b + 5c + 8d + e  s.t.  2a + 3b + 5c + 4d + e <= 9, binaries.

    Optimum 15 (a, b, d: weights fill the capacity exactly).  Plus one general integer column
    g in [0, 10] with cost -0.5 and row g >= 1.5, so g = 2: objective 14.
    """
    b = LinearModelBuilder("max")
    cols = b.add_columns(5, cost=[3, 4, 5, 8, 1], upper=1.0, integer=True)
    b.add_rows_dense([[2, 3, 5, 4, 1]], cols, upper=9.0, names=["weight"])
    g = b.add_column(-0.5, upper=10.0, integer=True, name="g")
    b.add_row({g: 1.0}, lower=1.5, name="g_min")
    return b.build()


def infeasible_lp(integer: bool = False) -> LinearModel:
    """x + y >= 5 with x, y in [0, 2]."""
    b = LinearModelBuilder("min")
    x = b.add_column(1.0, upper=2.0, integer=integer)
    y = b.add_column(1.0, upper=2.0, integer=integer)
    b.add_row({x: 1.0, y: 1.0}, lower=5.0)
    return b.build()


def unbounded_lp(integer: bool = False) -> LinearModel:
    """min -x - y s.t. x - y <= 1, x, y >= 0: the ray (1, 1) improves without end."""
    b = LinearModelBuilder("min")
    x = b.add_column(-1.0, integer=integer)
    y = b.add_column(-1.0, integer=integer)
    b.add_row({x: 1.0, y: -1.0}, upper=1.0)
    return b.build()


def empty_model(offset: float = 2.5) -> LinearModel:
    b = LinearModelBuilder("min")
    b.offset = offset
    return b.build()


def market_split(rows: int = 4, cols: int = 40, seed: int = 1) -> LinearModel:
    """Cornuéjols–Dawande market split with slacks: notoriously hard for branch-and-bound.

    min sum(s+ + s-)  s.t.  sum_j a_ij x_j + s+_i - s-_i == floor(sum_j a_ij / 2),
    x binary.  x = 0 is feasible (slacks absorb everything), so a solver always has an
    incumbent, but closing the gap takes far longer than a test can wait.
    """
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 100, size=(rows, cols)).astype(np.float64)
    rhs = np.floor(a.sum(axis=1) / 2.0)
    b = LinearModelBuilder("min")
    x = b.add_columns(cols, cost=0.0, upper=1.0, integer=True)
    plus = b.add_columns(rows, cost=1.0, integer=True)
    minus = b.add_columns(rows, cost=1.0, integer=True)
    matrix = np.hstack([a, np.eye(rows), -np.eye(rows)])
    b.add_rows_dense(matrix, np.concatenate([x, plus, minus]), lower=rhs, upper=rhs)
    return b.build()


def random_lp(sense: str, seed: int = 3, rows: int = 6, cols: int = 5) -> LinearModel:
    """A random bounded LP with ranged rows and boxed columns, feasible by construction.

    Rows are ``lo <= A x <= hi`` around ``A x0`` for a random interior ``x0``, so both row
    sides and column bounds can end up active: a good test of dual signs in both senses.
    """
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 3.0, size=(rows, cols))
    upper = rng.uniform(2.0, 6.0, size=cols)
    x0 = upper * rng.uniform(0.2, 0.8, size=cols)
    activity = a @ x0
    lower_rows = activity - rng.uniform(0.5, 2.0, size=rows)
    upper_rows = activity + rng.uniform(0.5, 2.0, size=rows)
    b = LinearModelBuilder(sense)
    cols_idx = b.add_columns(cols, cost=rng.uniform(-3.0, 3.0, size=cols), upper=upper)
    b.add_rows_dense(a, cols_idx, lower=lower_rows, upper=upper_rows)
    b.offset = 0.75
    return b.build()
