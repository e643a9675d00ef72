"""Convert a :class:`~optikit.paradigms.LinearModel` with integer variables to a CP-SAT model.

CP-SAT needs integer coefficients.  Each row is multiplied by the least common multiple
of its coefficients' decimal denominators (``37.5`` -> 2), the objective likewise, and the
conversion checks the result is integral to within float noise; otherwise it raises
:class:`NotIntegral` and the caller uses another model.  Used to run the time-indexed
energy model on CP-SAT for small instances.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearModel
from optikit_energy.cpsat_model import BuildStopped

MAX_MULTIPLIER = 10**9
MAX_DENOMINATOR = 10**6


class NotIntegral(Exception):
    """The model's coefficients cannot be scaled to integers exactly."""


@dataclass
class Converted:
    model: Any  # cp_model.CpModel
    variables: list[Any]
    objective_scale: float
    objective_offset: float


def _multiplier(values: NDArray[np.float64]) -> int:
    """Least integer M with M * v integral for every v (decimal reading), or raise."""
    m = 1
    for v in np.unique(values):
        if v == int(v):
            continue
        f = Fraction(repr(float(v))).limit_denominator(MAX_DENOMINATOR)
        m = math.lcm(m, f.denominator)
        if m > MAX_MULTIPLIER:
            raise NotIntegral("coefficients need too large a multiplier")
    scaled = values * m
    if np.any(np.abs(scaled - np.round(scaled)) > 1e-6 * np.maximum(1.0, np.abs(scaled))):
        raise NotIntegral("coefficients are not decimals with few digits")
    return m


def convert(lm: LinearModel, should_stop: Callable[[], bool] | None = None) -> Converted:
    """The CP-SAT model; ``should_stop`` is asked every few hundred rows (a large model
    takes seconds to convert) and a yes ends it with :class:`BuildStopped`."""
    from ortools.sat.python import cp_model

    if not lm.integer.all():
        raise NotIntegral("CP-SAT needs every variable integer")
    model = cp_model.CpModel()
    lo = np.ceil(lm.col_lower - 1e-9)
    hi = np.floor(lm.col_upper + 1e-9)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        raise NotIntegral("CP-SAT needs finite variable bounds")
    variables = [
        model.new_int_var(int(a), int(b), lm.col_name(j))
        for j, (a, b) in enumerate(zip(lo, hi, strict=True))
    ]
    for i in range(lm.num_rows):
        if should_stop is not None and i % 256 == 0 and should_stop():
            raise BuildStopped("the conversion to CP-SAT was stopped")
        cols, vals = lm.row(i)
        bounds = [v for v in (lm.row_lower[i], lm.row_upper[i]) if np.isfinite(v)]
        m = _multiplier(np.concatenate([vals, np.asarray(bounds, dtype=np.float64)]))
        coefs = [round(v * m) for v in vals]
        expr = cp_model.LinearExpr.weighted_sum([variables[j] for j in cols], coefs)
        low = lm.row_lower[i] * m if np.isfinite(lm.row_lower[i]) else None
        up = lm.row_upper[i] * m if np.isfinite(lm.row_upper[i]) else None
        if low is not None and up is not None:
            model.add_linear_constraint(expr, round(low), round(up))
        elif low is not None:
            model.add(expr >= round(low))
        elif up is not None:
            model.add(expr <= round(up))
    m = _multiplier(lm.c[lm.c != 0]) if np.any(lm.c != 0) else 1
    obj_coefs = np.round(lm.c * m).astype(np.int64)
    nz = np.flatnonzero(obj_coefs)
    objective = cp_model.LinearExpr.weighted_sum(
        [variables[j] for j in nz], [int(c) for c in obj_coefs[nz]]
    )
    if lm.sense == "min":
        model.minimize(objective)
    else:
        model.maximize(objective)
    return Converted(model, variables, 1.0 / m, lm.offset)
