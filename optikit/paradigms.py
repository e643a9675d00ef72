"""Solver-neutral model shapes that formulations build and backends consume.

Three paradigms ship with the core (:class:`optikit.types.Paradigm`), each with a typed
backend base class and a protocol that formulations annotate their backend with:

- ``linear``: a :class:`LinearModel` (LP or MILP in sparse row form, built from numpy
  arrays so large models are assembled without a Python loop per coefficient).
  :class:`LinearBackend` returns a :class:`LinearResult`.
- ``cp-sat``: an ``ortools.sat.python.cp_model.CpModel`` built by the formulation.
  :class:`CpSatBackend`'s ``solve(model, ctx, *, hint=None, time_limit=None,
  workers=None, objective_scale=1.0, objective_offset=0.0, parameters=None,
  report_progress=True)`` returns a :class:`CpResult`.  ``parameters`` are CpSolver
  parameters by name; users pass them as ``--option cpsat.<name>=<value>``.
- ``quadratic``: a :class:`QuadraticModel`, a linear model plus bilinear terms
  ``coef * x[i] * x[j]`` in rows and objective (pooling, for instance), solved to a
  proven global optimum by a :class:`QuadraticBackend` (which takes linear models too).

Conventions a backend must honour, so that formulations never special-case a solver:

- ``LinearResult.row_duals[i]`` is d(optimal objective)/d(bound of row i): the change of
  the objective, in the model's own sense, per unit increase of the row's active bound.
  ``col_duals`` (reduced costs) likewise per unit increase of a column's active bound.
- ``bound`` is the best proven bound on the objective (equal to the objective for an
  optimal LP); ``None`` when nothing is proven.
- A run stopped by a limit reports ``Status.FEASIBLE`` with its incumbent, never
  ``Status.OPTIMAL``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from optikit.types import Backend, Paradigm, SolveContext, Status

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

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
class LinearResult:
    """A linear backend's answer.  ``x`` is present whenever a solution is."""

    status: Status
    x: NDArray[np.float64] | None = None
    objective: float | None = None
    bound: float | None = None
    row_duals: NDArray[np.float64] | None = None
    col_duals: NDArray[np.float64] | None = None
    message: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


def answer_without_solver(
    model: LinearModel, ctx: SolveContext, *, quadratic_ok: bool = False
) -> LinearResult | None:
    """The answer to a linear solve that no solver should be asked for, or None.

    NaN or infinite coefficients are an error; an empty bound interval is infeasible; a
    model without columns is settled here (every row's activity is 0) so that all
    backends agree on it, duals included; a stopped run or one with no time left is
    ``unknown``; bilinear terms on a backend that cannot take them are an error.  Every
    linear backend calls this first.
    """
    if isinstance(model, QuadraticModel) and model.has_bilinear and not quadratic_ok:
        return LinearResult(
            Status.ERROR, message="the model has bilinear terms; this backend is linear only"
        )
    for what, values in (
        ("objective", model.c),
        ("matrix", model.data),
        ("column bounds", np.concatenate((model.col_lower, model.col_upper))),
        ("row bounds", np.concatenate((model.row_lower, model.row_upper))),
    ):
        if np.isnan(values).any():
            return LinearResult(Status.ERROR, message=f"the model's {what} contain NaN")
    if not (np.isfinite(model.c).all() and np.isfinite(model.data).all()):
        return LinearResult(Status.ERROR, message="infinite objective or matrix coefficient")
    for kind, lower, upper, name in (
        ("column", model.col_lower, model.col_upper, model.col_name),
        ("row", model.row_lower, model.row_upper, model.row_name),
    ):
        bad = np.flatnonzero(lower > upper)
        if bad.size:
            what = f"{kind} {name(int(bad[0]))}"
            return LinearResult(Status.INFEASIBLE, message=f"{what} has lower bound > upper bound")
    if model.num_cols == 0:
        if np.any(model.row_lower > 0.0) or np.any(model.row_upper < 0.0):
            return LinearResult(Status.INFEASIBLE, message="a row without columns excludes 0")
        return LinearResult(
            Status.OPTIMAL,
            x=np.zeros(0),
            objective=float(model.offset),
            bound=float(model.offset),
            row_duals=np.zeros(model.num_rows),
            col_duals=np.zeros(0),
            message="model without columns",
        )
    if ctx.stop.is_set():
        return LinearResult(Status.UNKNOWN, message="stopped before the solve started")
    if ctx.expired():
        return LinearResult(Status.UNKNOWN, message="no time left before the solve started")
    return None


@dataclass
class CpResult:
    """The CP-SAT backend's answer.

    ``value(var)`` reads an integer expression of the last solution (only when
    ``status.has_solution``); ``objective``/``bound`` are already unscaled
    (``raw * objective_scale + objective_offset``).
    """

    status: Status
    objective: float | None = None
    bound: float | None = None
    value: Callable[[Any], int] | None = None
    boolean_value: Callable[[Any], bool] | None = None
    wall_time: float = 0.0
    message: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / max(|objective|, 1e-9), the MIP solvers' usual definition.

    Zero when both are equal (including both zero); None when either is missing.
    """
    if objective is None or bound is None:
        return None
    diff = abs(objective - bound)
    if diff <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return diff / max(abs(objective), 1e-9)


def start_point(model: LinearModel, mip_only: bool = True) -> NDArray[np.float64] | None:
    """The point a backend hands its solver as a start: ``model.hint`` (a known good
    point, e.g. a heuristic's plan, on :class:`QuadraticModel` or a formulation's subclass)
    clipped to the bounds, integers rounded.  None without a hint of the model's size, or,
    with ``mip_only``, for a model without integers (an LP has nothing to start from)."""
    hint = getattr(model, "hint", None)
    if hint is None or np.shape(hint) != (model.num_cols,) or (mip_only and not model.is_mip):
        return None
    values = np.clip(np.asarray(hint, dtype=np.float64), model.col_lower, model.col_upper)
    integer = np.asarray(model.integer, dtype=bool)
    values[integer] = np.round(values[integer])
    return values


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


# -- what each paradigm's backend looks like ----------------------------------------------


class LinearSolver(Protocol):
    """What a linear formulation needs of its backend."""

    name: str
    supports_integer: bool

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult: ...


class QuadraticSolver(Protocol):
    """What a quadratic formulation needs: a global solve of a :class:`QuadraticModel`."""

    name: str

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult: ...


class CpSatSolver(Protocol):
    """What a CP-SAT formulation needs of its backend."""

    name: str

    def solve(
        self,
        model: cp_model.CpModel,
        ctx: SolveContext,
        *,
        hint: Mapping[Any, int] | None = None,
        time_limit: float | None = None,
        workers: int | None = None,
        objective_scale: float = 1.0,
        objective_offset: float = 0.0,
        parameters: Mapping[str, Any] | None = None,
        report_progress: bool = True,
    ) -> CpResult: ...


class LinearBackend(Backend):
    """Base class of LP/MILP backends: ``solve(LinearModel, ctx) -> LinearResult``."""

    paradigm = Paradigm.LINEAR

    def solve(self, model: LinearModel, ctx: SolveContext) -> LinearResult:
        raise NotImplementedError


class QuadraticBackend(LinearBackend):
    """A global solver: takes linear models and :class:`QuadraticModel` alike."""

    @property
    def paradigms(self) -> frozenset[str]:
        return frozenset({str(Paradigm.LINEAR), str(Paradigm.QUADRATIC)})


class CpSatBackend(Backend):
    """Base class of CP-SAT backends (see :class:`CpSatSolver` for ``solve``)."""

    paradigm = Paradigm.CP_SAT

    def solve(
        self,
        model: cp_model.CpModel,
        ctx: SolveContext,
        *,
        hint: Mapping[Any, int] | None = None,
        time_limit: float | None = None,
        workers: int | None = None,
        objective_scale: float = 1.0,
        objective_offset: float = 0.0,
        parameters: Mapping[str, Any] | None = None,
        report_progress: bool = True,
    ) -> CpResult:
        raise NotImplementedError
