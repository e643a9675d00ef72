"""Read values and duals back from a solved :class:`~optikit_pulp.pulp_model.PulpModel`.

Solvers disagree on dual signs for maximisation (CBC reports d objective / d bound in
the model's own sense, HiGHS through PuLP reports them for the negated minimisation), so
each backend passes its ``dual_sign`` for max problems, established by finite-difference
tests in ``tests/backends``.
"""

from __future__ import annotations

import numpy as np

from optikit.paradigms import LinearModel, LinearResult
from optikit.types import Status
from optikit_pulp.pulp_model import PulpModel


def primal_values(pm: PulpModel) -> np.ndarray | None:
    """Column values, or None when the solver left any column without a value."""
    values = [v.varValue for v in pm.variables]
    if any(value is None for value in values):
        return None
    return np.asarray(values, dtype=np.float64)


def lp_duals(pm: PulpModel, max_sign: float, sense: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Row duals and reduced costs in optikit's convention, or None if the solver gave none.

    A row split into two PuLP constraints has the dual of whichever side is active (the
    other is zero at an optimal basis), so the two are added.
    """
    sign = max_sign if sense == "max" else 1.0
    row_duals = np.zeros(len(pm.rows), dtype=np.float64)
    for i, link in enumerate(pm.rows):
        sides = [c for c in {id(c): c for c in (link.lower, link.upper) if c is not None}.values()]
        for constraint in sides:
            if constraint.pi is None:
                return None
            row_duals[i] += float(constraint.pi)
    col_duals = []
    for variable in pm.variables:
        if variable.dj is None:
            return None
        col_duals.append(float(variable.dj))
    return sign * row_duals, sign * np.asarray(col_duals, dtype=np.float64)


def solution_result(
    pm: PulpModel,
    model: LinearModel,
    status: Status,
    bound: float | None,
    max_dual_sign: float,
    message: str = "",
) -> LinearResult:
    """A result with the solution PuLP holds; duals only for a proven-optimal LP."""
    x = primal_values(pm)
    if x is None:
        return LinearResult(Status.UNKNOWN, message=f"the solver returned no values ({message})")
    if status is Status.FEASIBLE and not model.is_feasible(x):
        # A run stopped by a limit may leave the point it was at, feasible or not.
        return LinearResult(
            Status.UNKNOWN, message=f"stopped without a feasible solution ({message})"
        )
    objective = float(model.c @ x) + float(model.offset)
    if status is Status.OPTIMAL and not model.is_mip:
        bound = objective
    result = LinearResult(status, x=x, objective=objective, bound=bound, message=message)
    if status is Status.OPTIMAL and not model.is_mip:
        duals = lp_duals(pm, max_dual_sign, model.sense)
        if duals is not None:
            result.row_duals, result.col_duals = duals
    return result

