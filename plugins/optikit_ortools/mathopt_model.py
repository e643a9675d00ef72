"""Translate a :class:`~optikit.paradigms.LinearModel` into a MathOpt ``ModelProto``.

The proto is filled straight from the model's numpy arrays (one ``extend`` per field), so
no Python object is created per variable or coefficient; MathOpt's own ``Model`` API would
build an expression object per term, which dominates the run time of large blends.
Variable ``j`` gets id ``j`` and row ``i`` gets id ``i``, so results map back by position.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optikit.paradigms import LinearModel


def to_model_proto(model: LinearModel) -> Any:
    """The MathOpt ``ModelProto`` of ``model`` (without names, which MathOpt never needs)."""
    from ortools.math_opt import model_pb2

    proto = model_pb2.ModelProto()
    n, m = model.num_cols, model.num_rows

    variables = proto.variables
    variables.ids.extend(range(n))
    variables.lower_bounds.extend(np.asarray(model.col_lower, dtype=np.float64).tolist())
    variables.upper_bounds.extend(np.asarray(model.col_upper, dtype=np.float64).tolist())
    variables.integers.extend(np.asarray(model.integer, dtype=bool).tolist())

    objective = proto.objective
    objective.maximize = model.sense == "max"
    objective.offset = float(model.offset)
    c = np.asarray(model.c, dtype=np.float64)
    nonzero = np.flatnonzero(c)
    objective.linear_coefficients.ids.extend(nonzero.tolist())
    objective.linear_coefficients.values.extend(c[nonzero].tolist())

    rows = proto.linear_constraints
    rows.ids.extend(range(m))
    rows.lower_bounds.extend(np.asarray(model.row_lower, dtype=np.float64).tolist())
    rows.upper_bounds.extend(np.asarray(model.row_upper, dtype=np.float64).tolist())

    row_ids, col_ids, values = _sorted_entries(model)
    matrix = proto.linear_constraint_matrix
    matrix.row_ids.extend(row_ids.tolist())
    matrix.column_ids.extend(col_ids.tolist())
    matrix.coefficients.extend(values.tolist())
    return proto


def _sorted_entries(model: LinearModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matrix entries in the strict row-major order MathOpt requires, zeros dropped.

    :class:`~optikit.paradigms.LinearModelBuilder` already produces this; a hand-made
    model may not, so unsorted rows are sorted and duplicate entries summed.
    """
    counts: np.ndarray = np.diff(np.asarray(model.indptr, dtype=np.int64)).astype(np.int64)
    row_ids = np.repeat(np.arange(model.num_rows, dtype=np.int64), counts)
    col_ids = np.asarray(model.indices, dtype=np.int64)
    values = np.asarray(model.data, dtype=np.float64)
    if col_ids.size > 1:
        same_row = row_ids[1:] == row_ids[:-1]
        if np.any(same_row & (col_ids[1:] <= col_ids[:-1])):
            order = np.lexsort((col_ids, row_ids))
            row_ids, col_ids, values = row_ids[order], col_ids[order], values[order]
            first = np.ones(row_ids.size, dtype=bool)
            first[1:] = (row_ids[1:] != row_ids[:-1]) | (col_ids[1:] != col_ids[:-1])
            values = np.add.reduceat(values, np.flatnonzero(first))
            row_ids, col_ids = row_ids[first], col_ids[first]
    keep = values != 0.0
    return row_ids[keep], col_ids[keep], values[keep]
