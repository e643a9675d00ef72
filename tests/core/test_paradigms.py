"""The linear model builder assembles the same matrix whatever order rows arrive in."""

from __future__ import annotations

import numpy as np
import pytest

from optikit.paradigms import HintedModel, LinearModelBuilder, relative_gap, start_point


def _dense(model):
    out = np.zeros((model.num_rows, model.num_cols))
    for i in range(model.num_rows):
        cols, vals = model.row(i)
        out[i, cols] = vals
    return out


def test_sorted_and_unsorted_input_give_the_same_matrix():
    a = LinearModelBuilder()
    x = a.add_columns(3, cost=[1, 2, 3])
    a.add_rows_dense([[1, 0, 2], [0, 3, 0]], x, lower=[1, -np.inf], upper=[5, 4])
    b = LinearModelBuilder()
    y = b.add_columns(3, cost=[1, 2, 3])
    # same rows given out of order, with a duplicate entry and an explicit zero
    b.add_rows_coo(2, rows=[1, 0, 0, 0, 0], cols=[y[1], y[2], y[0], y[2], y[1]],
                   vals=[3, 1, 1, 1, 0], lower=[1, -np.inf], upper=[5, 4])
    ma, mb = a.build(), b.build()
    assert np.array_equal(_dense(ma), _dense(mb))
    assert np.array_equal(_dense(ma), [[1, 0, 2], [0, 3, 0]])
    assert ma.indices.tolist() == mb.indices.tolist()


def test_activity_and_csc():
    b = LinearModelBuilder("max")
    x = b.add_columns(2)
    b.add_row({int(x[0]): 2.0, int(x[1]): 1.0}, upper=4)
    b.add_row([(int(x[1]), 1.0), (int(x[1]), 1.0)], lower=1)  # repeated column adds up
    m = b.build()
    assert m.activity(np.array([1.0, 2.0])).tolist() == [4.0, 4.0]
    colptr, rows, data = m.to_csc()
    assert colptr.tolist() == [0, 1, 3]
    assert rows.tolist() == [0, 0, 1] and data.tolist() == [2.0, 1.0, 2.0]


def test_relative_gap():
    assert relative_gap(10, 10) == 0.0
    assert relative_gap(0, 0) == 0.0
    assert relative_gap(100, 99) == 0.01
    assert relative_gap(None, 1) is None


def test_quadratic_model_adds_bilinear_terms_to_rows_and_objective():
    import numpy as np

    from optikit.paradigms import QuadraticModelBuilder

    b = QuadraticModelBuilder("max")
    x, y = b.add_columns(2, cost=[1.0, 1.0], upper=10.0)
    row = b.add_row({int(x): 1.0}, upper=4.0, name="xy")
    b.add_bilinear(row, int(x), int(y), 2.0)
    b.add_objective_bilinear(int(x), int(x), -0.5)
    model = b.build()
    assert model.has_bilinear and model.num_rows == 1 and model.sense == "max"
    point = np.array([1.0, 3.0])
    assert model.activity(point)[0] == 1.0 + 2.0 * 1.0 * 3.0
    assert model.objective_value(point) == 4.0 - 0.5
    with pytest.raises(IndexError):
        b.add_bilinear(5, 0, 1, 1.0)


def test_linear_backends_refuse_bilinear_terms():
    from optikit.paradigms import QuadraticModelBuilder, answer_without_solver
    from optikit.types import SolveContext, SolveOptions, Status

    b = QuadraticModelBuilder()
    b.add_columns(2, upper=1.0)
    b.add_objective_bilinear(0, 1, 1.0)
    ctx = SolveContext(SolveOptions(time_limit=1))
    refused = answer_without_solver(b.build(), ctx)
    assert refused is not None and refused.status is Status.ERROR
    assert "bilinear" in refused.message
    assert answer_without_solver(b.build(), ctx, quadratic_ok=True) is None


def test_backends_declare_their_paradigms():
    from optikit.paradigms import CpSatBackend, LinearBackend, QuadraticBackend
    from optikit.types import Paradigm

    assert LinearBackend().paradigms == {"linear"}
    assert QuadraticBackend().implements(Paradigm.QUADRATIC)
    assert QuadraticBackend().implements("linear")
    assert not CpSatBackend().implements(Paradigm.LINEAR)


def _small_mip():
    """x0 in [0, 10] integer, x1 >= 0; 1000 <= 100 x0 + x1 <= 2000; x0 - x1 == 0."""
    b = LinearModelBuilder()
    x = b.add_columns(2, cost=[1, 1], upper=[10, np.inf], integer=[True, False])
    b.add_rows_dense([[100, 1], [1, -1]], x, lower=[1000, 0], upper=[2000, 0])
    return b.build()


def test_is_feasible_checks_bounds_rows_and_integrality():
    model = _small_mip()
    assert model.is_feasible(np.array([10.0, 10.0]))
    assert not model.is_feasible(np.array([11.0, 11.0]))  # x0 above its bound
    assert not model.is_feasible(np.array([9.0, 9.0]))  # 909 below the row's 1000
    assert not model.is_feasible(np.array([9.5, 9.5]))  # x0 not whole (959.5 too low too)
    assert not model.is_feasible(np.array([10.0, 10.5]))  # the equality row


def test_is_feasible_tolerance_is_relative_to_each_bound():
    b = LinearModelBuilder()
    y = b.add_columns(1, cost=[1], upper=[1000])
    b.add_rows_dense([[2]], y, upper=[3000])  # 2 y <= 3000; no lower side
    model = b.build()
    assert model.is_feasible(np.array([1000 + 5e-4]))  # within 1e-6 * 1000 of the bound
    assert not model.is_feasible(np.array([1000 + 5e-3]))
    assert not model.is_feasible(np.array([1000 + 5e-4]), tol=1e-7)
    assert model.is_feasible(np.array([-5e-7]))  # a bound of 0: 1e-6 absolute
    assert not model.is_feasible(np.array([-5e-6]))


def test_is_feasible_counts_the_bilinear_terms_of_a_quadratic_model():
    from optikit.paradigms import QuadraticModelBuilder

    b = QuadraticModelBuilder()
    x = b.add_columns(2, cost=[0, 0], upper=[4, 4])
    row = b.add_rows_dense([[1, 1]], x, lower=[0], upper=[5])[0]
    b.add_bilinear(row, x[0], x[1], 1.0)  # x0 + x1 + x0 x1 <= 5
    model = b.build()
    assert model.is_feasible(np.array([1.0, 2.0]))
    assert not model.is_feasible(np.array([2.0, 2.0]))  # 2 + 2 + 4 = 8


def test_with_hint_keeps_the_model_and_carries_the_start():
    """One way to hand a backend a MIP start (energy's side MILP, lot sizing's plans):
    the same model, and ``start_point`` clips the hint to the bounds and rounds integers."""
    model = _small_mip()
    assert start_point(model) is None
    hinted = model.with_hint([1.6, -3.0])
    assert isinstance(hinted, HintedModel)
    assert np.array_equal(hinted.c, model.c) and np.array_equal(hinted.data, model.data)
    start = start_point(hinted)
    assert start is not None
    assert start.tolist() == [2.0, 0.0]  # x0 integer rounded, x1 clipped to its bound
