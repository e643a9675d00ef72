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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from optikit.linear_model import (
    INF,
    HintedModel,
    LinearModel,
    LinearModelBuilder,
    QuadraticModel,
    QuadraticModelBuilder,
)
from optikit.types import Backend, Paradigm, SolveContext, Status

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

__all__ = [
    "INF",
    "CpResult",
    "CpSatBackend",
    "CpSatSolver",
    "HintedModel",
    "LinearBackend",
    "LinearModel",
    "LinearModelBuilder",
    "LinearResult",
    "LinearSolver",
    "QuadraticBackend",
    "QuadraticModel",
    "QuadraticModelBuilder",
    "QuadraticSolver",
    "answer_without_solver",
    "relative_gap",
    "start_point",
]

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
    point, e.g. a heuristic's plan, on :class:`HintedModel` (``model.with_hint(x)``) or
    :class:`QuadraticModel`)
    clipped to the bounds, integers rounded.  None without a hint of the model's size, or,
    with ``mip_only``, for a model without integers (an LP has nothing to start from)."""
    hint = getattr(model, "hint", None)
    if hint is None or np.shape(hint) != (model.num_cols,) or (mip_only and not model.is_mip):
        return None
    values = np.clip(np.asarray(hint, dtype=np.float64), model.col_lower, model.col_upper)
    integer = np.asarray(model.integer, dtype=bool)
    values[integer] = np.round(values[integer])
    return values


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
