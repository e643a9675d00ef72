"""The solver-neutral model shapes: linear (LP/MILP) and quadratic (bilinear terms).

Formulations build these from numpy arrays, so a large model is assembled without a
Python loop per coefficient; backends read them. They live apart from the backend
protocols in :mod:`optikit.paradigms`, which re-exports them for plugin authors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

INF = float("inf")


@dataclass
class LinearModel:
    """min/max c·x + offset  s.t.  row_lower <= A x <= row_upper,  col_lower <= x <= col_upper.

    ``A`` is stored in CSR form (``indptr``, ``indices``, ``data``) with shape
    (``num_rows``, ``num_cols``).  ``integer[j]`` marks integer columns.
    """

    sense: str
    c: NDArray[np.float64]
    col_lower: NDArray[np.float64]
    col_upper: NDArray[np.float64]
    integer: NDArray[np.bool_]
    indptr: NDArray[np.int64]
    indices: NDArray[np.int64]
    data: NDArray[np.float64]
    row_lower: NDArray[np.float64]
    row_upper: NDArray[np.float64]
    offset: float = 0.0
    col_names: list[str] | None = None
    row_names: list[str] | None = None

    @property
    def num_cols(self) -> int:
        return int(self.c.shape[0])

    @property
    def num_rows(self) -> int:
        return int(self.row_lower.shape[0])

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())

    def row(self, i: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Column indices and coefficients of row ``i``."""
        lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
        return self.indices[lo:hi], self.data[lo:hi]

    def col_name(self, j: int) -> str:
        return self.col_names[j] if self.col_names else f"x{j}"

    def row_name(self, i: int) -> str:
        return self.row_names[i] if self.row_names else f"r{i}"

    def activity(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """A @ x without scipy."""
        rows = np.repeat(np.arange(self.num_rows), np.diff(self.indptr))
        products = self.data * x[self.indices]
        return np.bincount(rows, weights=products, minlength=self.num_rows).astype(np.float64)

    def is_feasible(self, x: NDArray[np.float64], tol: float = 1e-6) -> bool:
        """Whether ``x`` keeps every bound, row and integrality, each bound within ``tol``
        relative to its own size (absolute below 1): for points no solver vouches for, such
        as a constructed start or the values a stopped solver left behind."""

        def slack(bound: NDArray[np.float64]) -> NDArray[np.float64]:
            return tol * np.maximum(1.0, np.abs(np.where(np.isfinite(bound), bound, 0.0)))

        activity = self.activity(x)
        whole = x[self.integer]
        return bool(
            np.all(x >= self.col_lower - slack(self.col_lower))
            and np.all(x <= self.col_upper + slack(self.col_upper))
            and np.all(activity >= self.row_lower - slack(self.row_lower))
            and np.all(activity <= self.row_upper + slack(self.row_upper))
            and np.all(np.abs(whole - np.round(whole)) <= tol)
        )

    def to_csc(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """The same matrix in CSC form (``colptr``, ``row_indices``, ``data``)."""
        rows = np.repeat(np.arange(self.num_rows, dtype=np.int64), np.diff(self.indptr))
        order = np.lexsort((rows, self.indices))
        counts = np.bincount(self.indices, minlength=self.num_cols)
        colptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        return colptr, rows[order], self.data[order]

    def with_hint(self, hint: ArrayLike) -> HintedModel:
        """The same linear model carrying ``hint`` as a start point."""
        linear = {f.name: getattr(self, f.name) for f in fields(LinearModel)}
        return HintedModel(**linear, hint=np.asarray(hint, dtype=np.float64))


@dataclass
class HintedModel(LinearModel):
    """A linear model with a known good point (a heuristic's plan, a constructed
    schedule) that a MIP backend may hand its solver as a start (see
    :func:`optikit.paradigms.start_point`); it proves nothing."""

    hint: NDArray[np.float64] | None = None


class LinearModelBuilder:
    """Assembles a :class:`LinearModel` from blocks of columns and rows.

    Use the block methods (``add_columns``, ``add_rows_coo``) for large vectorised models
    and ``add_row`` for the occasional hand-written constraint.
    """

    def __init__(self, sense: str = "min") -> None:
        if sense not in ("min", "max"):
            raise ValueError(f"sense must be 'min' or 'max', not {sense!r}")
        self.sense = sense
        self.offset = 0.0
        self._c: list[NDArray[np.float64]] = []
        self._lb: list[NDArray[np.float64]] = []
        self._ub: list[NDArray[np.float64]] = []
        self._int: list[NDArray[np.bool_]] = []
        self._col_names: list[str] = []
        self._num_cols = 0
        self._rows: list[NDArray[np.int64]] = []
        self._cols: list[NDArray[np.int64]] = []
        self._vals: list[NDArray[np.float64]] = []
        self._rlo: list[NDArray[np.float64]] = []
        self._rhi: list[NDArray[np.float64]] = []
        self._row_names: list[str] = []
        self._num_rows = 0

    @property
    def num_cols(self) -> int:
        return self._num_cols

    @property
    def num_rows(self) -> int:
        return self._num_rows

    def add_columns(
        self,
        n: int,
        cost: ArrayLike = 0.0,
        lower: ArrayLike = 0.0,
        upper: ArrayLike = INF,
        integer: ArrayLike = False,
        names: Sequence[str] | None = None,
    ) -> NDArray[np.int64]:
        """Add ``n`` columns; returns their indices."""
        idx = np.arange(self._num_cols, self._num_cols + n, dtype=np.int64)
        self._c.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy())
        self._lb.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)).copy())
        self._ub.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy())
        self._int.append(np.broadcast_to(np.asarray(integer, dtype=np.bool_), (n,)).copy())
        self._col_names.extend(names if names is not None else (f"x{i}" for i in idx))
        self._num_cols += n
        return idx

    def add_column(
        self,
        cost: float = 0.0,
        lower: float = 0.0,
        upper: float = INF,
        integer: bool = False,
        name: str | None = None,
    ) -> int:
        return int(self.add_columns(1, cost, lower, upper, integer, [name] if name else None)[0])

    def add_rows_coo(
        self,
        n: int,
        rows: ArrayLike,
        cols: ArrayLike,
        vals: ArrayLike,
        lower: ArrayLike = -INF,
        upper: ArrayLike = INF,
        names: Sequence[str] | None = None,
    ) -> NDArray[np.int64]:
        """Add ``n`` rows given as coordinate triplets (``rows`` local to the block, 0..n-1)."""
        idx = np.arange(self._num_rows, self._num_rows + n, dtype=np.int64)
        r = np.asarray(rows, dtype=np.int64)
        self._rows.append(r + self._num_rows)
        self._cols.append(np.asarray(cols, dtype=np.int64).reshape(r.shape))
        self._vals.append(np.asarray(vals, dtype=np.float64).reshape(r.shape))
        self._rlo.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)).copy())
        self._rhi.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy())
        self._row_names.extend(names if names is not None else (f"r{i}" for i in idx))
        self._num_rows += n
        return idx

    def add_rows_dense(
        self,
        matrix: ArrayLike,
        cols: ArrayLike,
        lower: ArrayLike = -INF,
        upper: ArrayLike = INF,
        names: Sequence[str] | None = None,
    ) -> NDArray[np.int64]:
        """Add rows ``lower <= matrix @ x[cols] <= upper``; zero entries are dropped."""
        m = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
        cols_arr = np.asarray(cols, dtype=np.int64)
        r, k = np.nonzero(m)
        return self.add_rows_coo(m.shape[0], r, cols_arr[k], m[r, k], lower, upper, names)

    def add_row(
        self,
        terms: dict[int, float] | Sequence[tuple[int, float]],
        lower: float = -INF,
        upper: float = INF,
        name: str | None = None,
    ) -> int:
        """Add one row ``lower <= sum(coef * x[col]) <= upper``; repeated columns add up."""
        items = list(terms.items()) if isinstance(terms, dict) else list(terms)
        merged: dict[int, float] = {}
        for col, coef in items:
            merged[int(col)] = merged.get(int(col), 0.0) + float(coef)
        cols = np.fromiter(merged.keys(), dtype=np.int64, count=len(merged))
        vals = np.fromiter(merged.values(), dtype=np.float64, count=len(merged))
        rows = np.zeros(len(merged), dtype=np.int64)
        names = [name] if name else None
        return int(self.add_rows_coo(1, rows, cols, vals, lower, upper, names)[0])

    def build(self) -> LinearModel:
        def cat(parts: list[Any], dtype: Any) -> Any:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        rows = cat(self._rows, np.int64)
        cols = cat(self._cols, np.int64)
        vals = cat(self._vals, np.float64)
        keep = vals != 0.0
        if not keep.all():
            rows, cols, vals = rows[keep], cols[keep], vals[keep]
        key = rows * max(self._num_cols, 1) + cols
        if key.size and not bool(np.all(key[1:] > key[:-1])):
            # Not already in row-major order with unique entries: sort, then merge
            # duplicate (row, col) entries so every backend sees a clean matrix.
            order = np.lexsort((cols, rows))
            rows, cols, vals = rows[order], cols[order], vals[order]
            new = np.ones(rows.size, dtype=bool)
            new[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
            group = np.cumsum(new) - 1
            vals = np.bincount(group, weights=vals)
            rows, cols = rows[new], cols[new]
            nz = vals != 0.0
            rows, cols, vals = rows[nz], cols[nz], vals[nz]
        counts = np.bincount(rows, minlength=self._num_rows)
        indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        return LinearModel(
            sense=self.sense,
            c=cat(self._c, np.float64),
            col_lower=cat(self._lb, np.float64),
            col_upper=cat(self._ub, np.float64),
            integer=cat(self._int, np.bool_),
            indptr=indptr,
            indices=cols,
            data=vals,
            row_lower=cat(self._rlo, np.float64),
            row_upper=cat(self._rhi, np.float64),
            offset=self.offset,
            col_names=list(self._col_names),
            row_names=list(self._row_names),
        )



@dataclass
class QuadraticModel(LinearModel):
    """A :class:`LinearModel` plus bilinear terms.

    Row ``q_rows[k]`` gains ``q_vals[k] * x[q_cols1[k]] * x[q_cols2[k]]``; the objective
    gains ``obj_vals[k] * x[obj_cols1[k]] * x[obj_cols2[k]]``.  Linear backends refuse a
    model with bilinear terms; quadratic backends solve it to global optimality.
    ``hint`` (optional, one value per column) is a known good point, such as a
    heuristic's, that a backend may hand its solver as a start; it proves nothing.
    """

    q_rows: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    q_cols1: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    q_cols2: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    q_vals: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    obj_cols1: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    obj_cols2: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    obj_vals: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    hint: NDArray[np.float64] | None = None

    @property
    def has_bilinear(self) -> bool:
        return bool(self.q_vals.size or self.obj_vals.size)

    def activity(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        linear = super().activity(x)
        products = self.q_vals * x[self.q_cols1] * x[self.q_cols2]
        return linear + np.bincount(self.q_rows, weights=products, minlength=self.num_rows)

    def objective_value(self, x: NDArray[np.float64]) -> float:
        quad = float(np.sum(self.obj_vals * x[self.obj_cols1] * x[self.obj_cols2]))
        return float(self.c @ x) + self.offset + quad


class QuadraticModelBuilder(LinearModelBuilder):
    """:class:`LinearModelBuilder` that also takes bilinear terms."""

    def __init__(self, sense: str = "min") -> None:
        super().__init__(sense)
        self._q: list[tuple[int, int, int, float]] = []
        self._obj_q: list[tuple[int, int, float]] = []

    def add_bilinear(self, row: int, i: int, j: int, coef: float) -> None:
        """Add ``coef * x[i] * x[j]`` to row ``row`` (a row already added)."""
        if not 0 <= row < self.num_rows:
            raise IndexError(f"row {row} does not exist")
        self._q.append((int(row), int(i), int(j), float(coef)))

    def add_objective_bilinear(self, i: int, j: int, coef: float) -> None:
        self._obj_q.append((int(i), int(j), float(coef)))

    def build(self) -> QuadraticModel:
        base = super().build()
        q = np.array(self._q, dtype=np.float64).reshape(-1, 4)
        o = np.array(self._obj_q, dtype=np.float64).reshape(-1, 3)
        return QuadraticModel(
            **{name: getattr(base, name) for name in LinearModel.__dataclass_fields__},
            q_rows=q[:, 0].astype(np.int64),
            q_cols1=q[:, 1].astype(np.int64),
            q_cols2=q[:, 2].astype(np.int64),
            q_vals=q[:, 3].copy(),
            obj_cols1=o[:, 0].astype(np.int64),
            obj_cols2=o[:, 1].astype(np.int64),
            obj_vals=o[:, 2].copy(),
        )


