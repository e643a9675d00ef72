"""The ``quadratic`` paradigm: SCIP through MathOpt solves bilinear models globally."""

from __future__ import annotations

import numpy as np
import pytest
from optikit_ortools import mathopt_backends

from optikit.paradigms import QuadraticModel, QuadraticModelBuilder
from optikit.types import SolveContext, SolveOptions, Status

BACKENDS = {b.name: b for b in mathopt_backends()}


def _ctx(limit: float = 20.0) -> SolveContext:
    return SolveContext(SolveOptions(time_limit=limit, threads=1))


def _box_product(cap: float = 4.0) -> QuadraticModel:
    """max x + y  s.t.  x*y <= cap,  0 <= x, y <= 10: optimum 10 + cap/10 (non-convex)."""
    b = QuadraticModelBuilder("max")
    x = b.add_column(1.0, 0.0, 10.0)
    y = b.add_column(1.0, 0.0, 10.0)
    row = b.add_row({}, upper=cap)
    b.add_bilinear(row, x, y, 1.0)
    return b.build()


def test_scip_implements_both_paradigms() -> None:
    scip = BACKENDS["scip"]
    assert scip.implements("quadratic") and scip.implements("linear")
    assert not BACKENDS["glop"].implements("quadratic")


def test_nonconvex_constraint_is_solved_globally() -> None:
    result = BACKENDS["scip"].solve(_box_product(), _ctx())
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(10.4, rel=1e-7)
    assert result.bound == pytest.approx(10.4, rel=1e-6)
    assert result.x is not None
    assert result.x[0] * result.x[1] <= 4.0 + 1e-7


def test_bilinear_objective_and_linear_part_of_a_quadratic_row() -> None:
    """min x*y - x  s.t.  x + x*y >= 2,  x, y in [0, 3]: at x = 2, y = 0 the value is -2;
    the global optimum is x = 3, y = 0: -3 (x + x*y = 3 >= 2)."""
    b = QuadraticModelBuilder("min")
    x = b.add_column(-1.0, 0.0, 3.0)
    y = b.add_column(0.0, 0.0, 3.0)
    row = b.add_row({x: 1.0}, lower=2.0)
    b.add_bilinear(row, x, y, 1.0)
    b.add_objective_bilinear(x, y, 1.0)
    result = BACKENDS["scip"].solve(b.build(), _ctx())
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(-3.0, abs=1e-7)


def test_a_hint_is_accepted() -> None:
    model = _box_product()
    model.hint = np.array([10.0, 0.4])
    result = BACKENDS["scip"].solve(model, _ctx())
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(10.4, rel=1e-7)


def test_a_wrong_sized_hint_is_an_error() -> None:
    model = _box_product()
    model.hint = np.array([1.0])
    result = BACKENDS["scip"].solve(model, _ctx())
    assert result.status is Status.ERROR and "hint" in result.message


@pytest.mark.parametrize("name", ["glop", "pdlp", "ortools-highs"])
def test_linear_backends_refuse_bilinear_models(name: str) -> None:
    result = BACKENDS[name].solve(_box_product(), _ctx())
    assert result.status is Status.ERROR
    assert "bilinear" in result.message


def test_quadratic_model_without_bilinear_terms_is_a_plain_linear_solve() -> None:
    b = QuadraticModelBuilder("max")
    x = b.add_column(1.0, 0.0, 2.0)
    b.add_row({x: 1.0}, upper=1.5)
    result = BACKENDS["glop"].solve(b.build(), _ctx())
    assert result.status is Status.OPTIMAL and result.objective == pytest.approx(1.5)


def test_stop_flag_before_the_solve() -> None:
    ctx = _ctx()
    ctx.stop.set()
    assert BACKENDS["scip"].solve(_box_product(), ctx).status is Status.UNKNOWN
