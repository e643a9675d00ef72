"""The ``highs`` backend: statuses, duals, limits, callbacks and options.

Every expected value is worked out by hand next to its model; the dual signs are checked
against finite differences of the optimal objective, not against HiGHS' own convention.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from optikit_highs.backend import HighsBackend

from optikit.paradigms import INF, LinearModel, LinearModelBuilder
from optikit.types import SolveContext, SolveOptions, Status, UsageError

BACKEND = HighsBackend()


def ctx(**options: object) -> SolveContext:
    options.setdefault("time_limit", 10.0)
    return SolveContext(SolveOptions(**options))  # type: ignore[arg-type]


def diet_lp(sense: str = "min", demand: float = 4.5, link: float = 1.0) -> LinearModel:
    """min 2x + 3y + 1  s.t.  x + 2y >= demand (row 0),  x - y >= link (row 1).

    With x = y + link + s the cost is 5y + 2(link + s) + 1 and the demand row reads
    3y + s >= demand - link; y is cheaper per unit (5/3 < 2), so s = 0,
    y = (demand - link)/3 and both rows bind.  Defaults: y = 7/6, x = 13/6, objective
    53/6.  Row duals: d/d demand = 5/3, d/d link = 2 - 5/3 = 1/3.
    ``max`` negates the objective, so its optimum and duals are the negatives.
    """
    sign = 1.0 if sense == "min" else -1.0
    b = LinearModelBuilder(sense)
    x = b.add_column(2.0 * sign, name="x")
    y = b.add_column(3.0 * sign, name="y")
    b.add_row({x: 1.0, y: 2.0}, lower=demand, name="demand")
    b.add_row({x: 1.0, y: -1.0}, lower=link, name="link")
    b.offset = sign * 1.0
    return b.build()


def capped_lp(cap: float = 2.0) -> LinearModel:
    """min x + 3y  s.t.  x + 2y >= 4.5,  x <= cap: x = cap, y = (4.5 - cap)/2.

    Objective cap + 1.5 (4.5 - cap); reduced cost of x = d/d cap = 1 - 1.5 = -0.5.
    """
    b = LinearModelBuilder("min")
    x = b.add_column(1.0, upper=cap)
    y = b.add_column(3.0)
    b.add_row({x: 1.0, y: 2.0}, lower=4.5)
    return b.build()


def knapsack(capacity: float = 9.0) -> LinearModel:
    """max 3a + 4b + 5c + 8d + e  s.t.  2a + 3b + 5c + 4d + e <= 9: optimum 15 (a, b, d)."""
    b = LinearModelBuilder("max")
    cols = b.add_columns(5, cost=[3, 4, 5, 8, 1], upper=1.0, integer=True)
    b.add_rows_dense([[2, 3, 5, 4, 1]], cols, upper=capacity)
    return b.build()


def market_split(seed: int = 3, rows: int = 4, cols: int = 30) -> LinearModel:
    """Cornuejols-Dawande market split: tiny, and far too hard to prove in a second."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 100, size=(rows, cols))
    rhs = a.sum(axis=1) // 2
    b = LinearModelBuilder("min")
    x = b.add_columns(cols, upper=1.0, integer=True)
    plus = b.add_columns(rows, cost=1.0)
    minus = b.add_columns(rows, cost=1.0)
    matrix = np.hstack([a, np.eye(rows), -np.eye(rows)])
    b.add_rows_dense(matrix, np.concatenate([x, plus, minus]), rhs, rhs)
    return b.build()


def objective_of(model: LinearModel) -> float:
    result = BACKEND.solve(model, ctx())
    assert result.status is Status.OPTIMAL
    assert result.objective is not None
    return result.objective


def test_availability_names_the_version() -> None:
    status = BACKEND.availability()
    assert status.available
    assert status.version.count(".") >= 1


def test_registered_through_the_entry_point() -> None:
    from optikit.plugins import get_registry

    backend = get_registry().backends["highs"]
    assert backend.paradigm == "linear" and backend.supports_integer


@pytest.mark.parametrize("sense", ["min", "max"])
def test_lp_optimum_solution_and_bound(sense: str) -> None:
    result = BACKEND.solve(diet_lp(sense), ctx())
    expected = 53 / 6 if sense == "min" else -53 / 6
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(expected, rel=1e-9)
    assert result.bound == pytest.approx(expected, rel=1e-9)
    assert result.x == pytest.approx([13 / 6, 7 / 6], rel=1e-9)


@pytest.mark.parametrize("sense", ["min", "max"])
def test_row_duals_are_derivatives_of_the_objective(sense: str) -> None:
    """d(objective)/d(active bound), in the model's own sense, by finite differences."""
    step = 1e-4
    base = BACKEND.solve(diet_lp(sense), ctx())
    assert base.row_duals is not None and base.objective is not None
    moved_demand = objective_of(diet_lp(sense, demand=4.5 + step))
    moved_link = objective_of(diet_lp(sense, link=1.0 + step))
    sign = 1.0 if sense == "min" else -1.0
    assert base.row_duals[0] == pytest.approx((moved_demand - base.objective) / step, rel=1e-5)
    assert base.row_duals[1] == pytest.approx((moved_link - base.objective) / step, rel=1e-5)
    assert base.row_duals == pytest.approx([sign * 5 / 3, sign * 1 / 3], rel=1e-9)


def test_reduced_cost_is_derivative_of_the_objective_in_the_column_bound() -> None:
    base = BACKEND.solve(capped_lp(), ctx())
    assert base.x is not None and base.x[0] == pytest.approx(2.0)
    assert base.col_duals is not None and base.objective is not None
    step = 1e-4
    moved = objective_of(capped_lp(2.0 + step))
    assert base.col_duals[0] == pytest.approx((moved - base.objective) / step, rel=1e-5)
    assert base.col_duals[0] == pytest.approx(-0.5)


def test_objective_includes_the_offset() -> None:
    b = LinearModelBuilder("min")
    x = b.add_column(1.0, lower=2.0)
    b.add_row({x: 1.0}, upper=10.0)
    b.offset = 40.0
    assert objective_of(b.build()) == pytest.approx(42.0)


def test_milp_optimum_bound_and_no_duals() -> None:
    result = BACKEND.solve(knapsack(), ctx())
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(15.0)
    assert result.bound is not None and result.bound == pytest.approx(15.0, rel=1e-6)
    assert result.x is not None
    assert np.round(result.x).tolist() == [1, 1, 0, 1, 0]
    assert result.row_duals is None


def test_milp_incumbents_are_reported() -> None:
    context = ctx()
    result = BACKEND.solve(market_split(seed=5, rows=2, cols=16), context)
    assert result.status is Status.OPTIMAL
    incumbents = [e.objective for e in context.trajectory if e.objective is not None]
    assert incumbents, "no incumbent reported through ctx.report"
    assert min(incumbents) == pytest.approx(result.objective)
    assert all(e.source == "highs" for e in context.trajectory)


@pytest.mark.parametrize("integer", [False, True])
def test_infeasible(integer: bool) -> None:
    b = LinearModelBuilder("min")
    cols = b.add_columns(2, cost=1.0, upper=2.0, integer=integer)
    b.add_rows_dense([[1.0, 1.0]], cols, lower=5.0)
    result = BACKEND.solve(b.build(), ctx())
    assert result.status is Status.INFEASIBLE
    assert result.x is None


@pytest.mark.parametrize("integer", [False, True])
def test_unbounded(integer: bool) -> None:
    b = LinearModelBuilder("min")
    cols = b.add_columns(2, cost=[-1.0, 0.0], integer=integer)
    b.add_rows_dense([[1.0, -1.0]], cols, upper=1.0)
    result = BACKEND.solve(b.build(), ctx())
    assert result.status is Status.UNBOUNDED


def test_unbounded_or_infeasible_is_resolved() -> None:
    """With HiGHS allowed to stop at "unbounded or infeasible", the backend settles it."""
    allow = {"highs.allow_unbounded_or_infeasible": "true"}
    b = LinearModelBuilder("min")
    cols = b.add_columns(2, cost=[-1.0, 0.0])
    b.add_rows_dense([[1.0, -1.0]], cols, upper=1.0)
    assert BACKEND.solve(b.build(), ctx(extra=allow)).status is Status.UNBOUNDED
    b = LinearModelBuilder("min")
    cols = b.add_columns(2, cost=[-1.0, 0.0])
    b.add_row({int(cols[1]): 1.0}, lower=1.0)
    b.add_row({int(cols[1]): 1.0}, upper=0.0)
    assert BACKEND.solve(b.build(), ctx(extra=allow)).status is Status.INFEASIBLE


def test_time_limited_hard_milp_is_never_optimal() -> None:
    limit = 1.0
    start = time.monotonic()
    result = BACKEND.solve(market_split(), ctx(time_limit=limit))
    elapsed = time.monotonic() - start
    assert result.status in (Status.FEASIBLE, Status.UNKNOWN)
    if result.status is Status.FEASIBLE:
        assert result.x is not None and result.objective is not None
        assert result.bound is None or result.bound <= result.objective + 1e-9
    assert elapsed < limit + 5.0  # generous: the machine may be shared


def test_stop_event_interrupts_the_solve() -> None:
    context = SolveContext(SolveOptions(time_limit=None))
    timer = threading.Timer(0.3, context.stop.set)
    timer.start()
    start = time.monotonic()
    try:
        result = BACKEND.solve(market_split(), context)
    finally:
        timer.cancel()
    assert result.status in (Status.FEASIBLE, Status.UNKNOWN)
    assert time.monotonic() - start < 30.0  # without the stop this would run for hours


def test_stopped_or_out_of_time_before_start() -> None:
    context = ctx()
    context.stop.set()
    assert BACKEND.solve(knapsack(), context).status is Status.UNKNOWN
    expired = SolveContext(SolveOptions(time_limit=1e-9))
    time.sleep(0.01)
    assert BACKEND.solve(knapsack(), expired).status is Status.UNKNOWN


def test_thread_count_can_change_between_solves() -> None:
    for threads in (1, 2, 1):
        result = BACKEND.solve(knapsack(), ctx(threads=threads))
        assert result.status is Status.OPTIMAL and result.objective == pytest.approx(15.0)


def test_gap_option_allows_stopping_early() -> None:
    # A 50 % relative gap accepts any incumbent within a factor of two of the bound.
    result = BACKEND.solve(knapsack(), ctx(gap=0.5))
    assert result.status is Status.OPTIMAL
    assert result.objective is not None and result.bound is not None
    assert result.bound >= result.objective - 1e-9
    assert (result.bound - result.objective) <= 0.5 * abs(result.objective) + 1e-9


def test_highs_options_pass_through_and_bad_ones_are_rejected() -> None:
    extra = {"highs.solver": "ipm", "highs.presolve": "off", "other.key": 1}
    result = BACKEND.solve(diet_lp(), ctx(extra=extra))
    assert result.status is Status.OPTIMAL
    assert result.stats["ipm_iterations"] > 0
    with pytest.raises(UsageError, match="no_such_option"):
        BACKEND.solve(diet_lp(), ctx(extra={"highs.no_such_option": 1}))


def test_verbose_log_goes_to_ctx_log_never_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    lines: list[str] = []
    context = SolveContext(SolveOptions(time_limit=10.0, verbose=True), log=lines.append)
    BACKEND.solve(knapsack(), context)
    BACKEND.solve(diet_lp(), ctx())  # quiet run: nothing anywhere
    out, _ = capfd.readouterr()
    assert out == ""
    assert any("HiGHS" in line for line in lines)


def test_wide_lp_is_solved_without_presolve_unless_asked() -> None:
    b = LinearModelBuilder("min")
    n = 200
    cols = b.add_columns(n, cost=np.linspace(1.0, 2.0, n))
    b.add_rows_dense(np.ones((1, n)), cols, lower=1.0, upper=1.0)
    model = b.build()
    for extra, presolved in (({}, False), ({"highs.presolve": "on"}, True)):
        lines: list[str] = []
        context = SolveContext(SolveOptions(time_limit=10.0, verbose=True, extra=extra),
                               log=lines.append)
        result = BACKEND.solve(model, context)
        assert result.objective == pytest.approx(1.0)
        assert any("Presolving model" in line for line in lines) is presolved


def test_empty_model() -> None:
    b = LinearModelBuilder("min")
    b.offset = 3.0
    result = BACKEND.solve(b.build(), ctx())
    assert result.status is Status.OPTIMAL and result.objective == 3.0


def test_rejects_other_models_and_arguments() -> None:
    with pytest.raises(TypeError):
        BACKEND.solve(object(), ctx())  # type: ignore[arg-type]  # on purpose
    with pytest.raises(TypeError):
        BACKEND.solve(knapsack(), ctx(), hint=[1])  # type: ignore[call-arg]  # on purpose


def test_free_and_ranged_rows() -> None:
    """min x - z s.t. x + z == 4, 1 <= x - z <= 3, z <= 2.5, z free: z = 1.5, obj 1."""
    b = LinearModelBuilder("min")
    x = b.add_column(1.0)
    z = b.add_column(-1.0, lower=-INF, upper=2.5)
    b.add_row({x: 1.0, z: 1.0}, lower=4.0, upper=4.0)
    b.add_row({x: 1.0, z: -1.0}, lower=1.0, upper=3.0)
    b.add_row({x: 1.0, z: 5.0})
    result = BACKEND.solve(b.build(), ctx())
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(1.0)
    assert result.x == pytest.approx([2.5, 1.5])
