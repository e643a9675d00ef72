"""The ``quadratic`` paradigm on MathOpt's SCIP: bilinear rows and objective terms.

A :class:`~optikit.paradigms.QuadraticModel` row with bilinear terms becomes a MathOpt
quadratic constraint (its linear part included); the other rows stay linear constraints.
SCIP solves non-convex quadratic constraints to global optimality by spatial
branch-and-bound, so its dual bound is a proven bound on the global optimum.  A model's
``hint`` goes to SCIP as a solution hint (SCIP tries it as a start solution).

Kept apart from :mod:`optikit_ortools.mathopt_backend` so that the linear backends stay
as they are: only the ``scip`` backend is a :class:`MathOptGlobalBackend`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import (
    LinearModel,
    LinearResult,
    QuadraticBackend,
    QuadraticModel,
    answer_without_solver,
    start_point,
)
from optikit.types import SolveContext, Status
from optikit_ortools.mathopt_backend import MathOptBackend, _clash, _MathOptRun

#: SCIP's feasibility tolerance for global solves (its default is 1e-6).
FEASTOL = 1e-9


class MathOptGlobalBackend(MathOptBackend, QuadraticBackend):
    """A MathOpt solver that also takes bilinear models (SCIP): linear and quadratic."""

    def solve(self, model: Any, ctx: SolveContext, **kwargs: Any) -> LinearResult:
        if not (isinstance(model, QuadraticModel) and model.has_bilinear):
            return super().solve(model, ctx, **kwargs)
        if kwargs:
            raise TypeError(f"{self.name} backend: unexpected arguments {sorted(kwargs)}")
        early = answer_without_solver(model, ctx, quadratic_ok=True)
        if early is not None:
            return early
        bad = _bad_bilinear(model)
        if bad:
            return LinearResult(Status.ERROR, message=f"{self.name}: {bad}")
        clash = _clash(self.spec)
        if clash is not None:
            return LinearResult(Status.ERROR, message=f"{self.name}: {clash}")
        return QuadraticRun(self.name, self.spec, model, ctx).run()


def _bad_bilinear(model: QuadraticModel) -> str:
    """Why the bilinear part cannot be sent to the solver ('' when it can)."""
    n = model.num_cols
    for what, cols in (("row", model.q_cols1), ("row", model.q_cols2),
                       ("objective", model.obj_cols1), ("objective", model.obj_cols2)):
        if cols.size and (cols.min() < 0 or cols.max() >= n):
            return f"a bilinear {what} term names a column outside 0..{n - 1}"
    if model.q_rows.size and (model.q_rows.min() < 0 or model.q_rows.max() >= model.num_rows):
        return "a bilinear term names a row that does not exist"
    for what, vals in (("row", model.q_vals), ("objective", model.obj_vals)):
        if not np.isfinite(vals).all():
            return f"a bilinear {what} coefficient is NaN or infinite"
    if model.hint is not None and np.shape(model.hint) != (n,):
        return f"the hint has {np.size(model.hint)} values for {n} columns"
    return ""


class QuadraticRun(_MathOptRun):
    """A global solve: the proto gains quadratic parts, the bound is always SCIP's."""

    model: QuadraticModel

    def run(self) -> LinearResult:
        proto = to_quadratic_proto(self.model)
        result = self._solve(proto)
        if isinstance(result, LinearResult):
            return result
        status = self._status(result)
        if status is None:
            status = self._infeasible_or_unbounded(proto)
        translated = self._translate(result, status)
        if self.callback_error:
            translated.message = (
                f"{translated.message} (progress callback failed: {self.callback_error})".strip()
            )
        return translated

    def _infeasible_or_unbounded(self, proto: Any) -> Status:
        proto.objective.ClearField("quadratic_coefficients")
        status: Status = super()._infeasible_or_unbounded(proto)
        return status

    def _objective_of(self, ids: np.ndarray, values: np.ndarray) -> float:
        x = np.zeros(self.model.num_cols, dtype=np.float64)
        x[ids] = values
        m = self.model
        bilinear = float(np.sum(m.obj_vals * x[m.obj_cols1] * x[m.obj_cols2]))
        return float(m.c @ x) + m.offset + bilinear

    def _interruptible(self) -> bool:
        # A global solve can run for minutes: Ctrl-C must reach it.
        return self.attended

    def _parameters(self) -> Any:
        params = super()._parameters()
        params.relative_gap_tolerance = float(self.ctx.options.gap)
        # SCIP's default 1e-6 leaves bilinear rows off by that much, which turns into
        # quality errors a checker at 1e-6 relative notices; a point this exact can also be
        # rebuilt into flows by an LP with the compositions fixed.
        params.gscip.real_params["numerics/feastol"] = FEASTOL
        return params

    def _start(self) -> np.ndarray | None:
        # a global solve takes a hint for continuous models too (pooling's flows)
        return start_point(self.model, mip_only=False)

    def _bound(self, result: Any, status: Status, objective: float) -> float | None:
        bound = float(result.termination.objective_bounds.dual_bound)
        return bound if math.isfinite(bound) else None


def to_quadratic_proto(model: QuadraticModel) -> Any:
    """The MathOpt ``ModelProto`` of a model with bilinear rows and objective terms.

    Rows without bilinear terms are linear constraints (renumbered); each row with some
    is a quadratic constraint with its linear part.  Variable ``j`` keeps id ``j``.
    """
    from ortools.math_opt import model_pb2

    from optikit_ortools.mathopt_model import to_model_proto

    quadratic_rows = np.unique(model.q_rows)
    linear_rows = np.setdiff1d(np.arange(model.num_rows), quadratic_rows)
    proto = to_model_proto(_row_subset(model, linear_rows))
    for k, row in enumerate(quadratic_rows.tolist()):
        cols, vals = model.row(row)
        linear = _merged(cols, vals)
        pick = model.q_rows == row
        constraint = model_pb2.QuadraticConstraintProto(
            lower_bound=float(model.row_lower[row]), upper_bound=float(model.row_upper[row])
        )
        constraint.linear_terms.ids.extend(linear[0].tolist())
        constraint.linear_terms.values.extend(linear[1].tolist())
        _fill_matrix(constraint.quadratic_terms, model.q_cols1[pick], model.q_cols2[pick],
                     model.q_vals[pick])
        proto.quadratic_constraints[k].CopyFrom(constraint)
    if model.obj_vals.size:
        _fill_matrix(proto.objective.quadratic_coefficients, model.obj_cols1, model.obj_cols2,
                     model.obj_vals)
    return proto


def _row_subset(model: LinearModel, rows: NDArray[np.int64]) -> LinearModel:
    counts = np.diff(model.indptr)[rows]
    starts = model.indptr[rows]
    take = (np.concatenate([np.arange(s, s + c) for s, c in zip(starts, counts, strict=True)])
            if rows.size else np.zeros(0, dtype=np.int64)).astype(np.int64)
    return LinearModel(
        sense=model.sense, c=model.c, col_lower=model.col_lower, col_upper=model.col_upper,
        integer=model.integer,
        indptr=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        indices=model.indices[take], data=model.data[take],
        row_lower=model.row_lower[rows], row_upper=model.row_upper[rows], offset=model.offset,
    )


def _merged(cols: NDArray[np.int64], vals: NDArray[np.float64]) -> tuple[Any, Any]:
    """Sparse vector entries sorted by id, duplicates summed, zeros dropped."""
    ids, inverse = np.unique(cols, return_inverse=True)
    sums = np.bincount(inverse, weights=vals, minlength=ids.size) if ids.size else np.zeros(0)
    keep = sums != 0.0
    return ids[keep], sums[keep]


def _fill_matrix(matrix: Any, cols1: NDArray[np.int64], cols2: NDArray[np.int64],
                 vals: NDArray[np.float64]) -> None:
    """Upper-triangular (row <= column) entries in row-major order, duplicates summed."""
    lo = np.minimum(cols1, cols2)
    hi = np.maximum(cols1, cols2)
    pairs, inverse = np.unique(np.stack((lo, hi), axis=1), axis=0, return_inverse=True)
    sums = np.bincount(inverse.reshape(-1), weights=vals, minlength=len(pairs))
    keep = sums != 0.0
    matrix.row_ids.extend(pairs[keep, 0].tolist())
    matrix.column_ids.extend(pairs[keep, 1].tolist())
    matrix.coefficients.extend(sums[keep].tolist())
