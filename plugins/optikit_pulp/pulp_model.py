"""Build a PuLP problem from a :class:`~optikit.paradigms.LinearModel`.

PuLP has no ranged rows and no free rows, so each model row becomes zero, one or two
PuLP constraints; :class:`PulpModel` remembers which, so results (values and duals) map
back to the model's own rows and columns by position.  Names are positional (``x12``,
``r3_lo``) so that any model, whatever its own names, gives valid, unique PuLP names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optikit.paradigms import LinearModel
from optikit_pulp.pulp_import import import_pulp


@dataclass
class RowLink:
    """The PuLP constraints standing for one model row (``None`` where the bound is infinite).

    An equality row is one constraint, stored as both ``lower`` and ``upper``.
    """

    lower: Any = None
    upper: Any = None


@dataclass
class PulpModel:
    problem: Any
    variables: list[Any]
    rows: list[RowLink] = field(default_factory=list)
    # Rows without coefficients are not given to the solver; True when one is violated.
    empty_row_infeasible: bool = False


def build_pulp_model(model: LinearModel) -> PulpModel:
    """The PuLP problem equivalent to ``model`` (objective offset included as a constant)."""
    pulp = import_pulp()

    sense = pulp.LpMaximize if model.sense == "max" else pulp.LpMinimize
    problem = pulp.LpProblem("optikit", sense)
    lower = [None if not np.isfinite(v) else float(v) for v in model.col_lower]
    upper = [None if not np.isfinite(v) else float(v) for v in model.col_upper]
    categories = np.where(model.integer, pulp.LpInteger, pulp.LpContinuous)
    variables = [
        problem.add_variable(f"x{j}", lower[j], upper[j], str(categories[j]))
        for j in range(model.num_cols)
    ]
    # Every column is in the objective (zero coefficients included) so that PuLP knows
    # columns that appear nowhere else and still gives them a value.
    problem.setObjective(
        pulp.LpAffineExpression(
            zip(variables, model.c.tolist(), strict=True), constant=float(model.offset)
        )
    )
    out = PulpModel(problem, variables)
    indptr = model.indptr.tolist()
    indices = model.indices.tolist()
    data = model.data.tolist()
    for i in range(model.num_rows):
        lo, hi = float(model.row_lower[i]), float(model.row_upper[i])
        start, end = indptr[i], indptr[i + 1]
        link = RowLink()
        out.rows.append(link)
        if start == end:
            out.empty_row_infeasible |= lo > 0.0 or hi < 0.0
            continue
        terms = [
            (variables[j], a) for j, a in zip(indices[start:end], data[start:end], strict=True)
        ]
        if lo == hi:
            link.lower = link.upper = _add(problem, terms, pulp.LpConstraintEQ, f"r{i}", lo)
            continue
        if np.isfinite(lo):
            link.lower = _add(problem, terms, pulp.LpConstraintGE, f"r{i}_lo", lo)
        if np.isfinite(hi):
            link.upper = _add(problem, terms, pulp.LpConstraintLE, f"r{i}_up", hi)
    return out


def _add(problem: Any, terms: list[tuple[Any, float]], sense: int, name: str, rhs: float) -> Any:
    pulp = import_pulp()

    constraint = pulp.LpConstraint(pulp.LpAffineExpression(terms), sense, name, rhs)
    problem.addConstraint(constraint)
    return constraint
