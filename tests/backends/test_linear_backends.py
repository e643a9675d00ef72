"""Conformance of every linear backend: statuses, objectives, duals, limits, stop flag.

Duals are not compared with hard-coded numbers only: each one is verified by a finite
difference (re-solving with the active bound moved), because solvers disagree on signs.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

from optikit.paradigms import INF, LinearBackend, LinearModel, LinearModelBuilder, LinearResult
from optikit.types import ProgressEvent, SolveContext, SolveOptions, Status, UsageError
from tests.backends import backend_lp_models as models
from tests.backends.linear_backends import (
    NO_DUALS,
    NOT_INTERRUPTIBLE,
    REPORTS_PROGRESS,
    linear_backends,
)

BACKENDS = linear_backends()
MILP_BACKENDS = [b for b in BACKENDS if b.supports_integer]
LP_ONLY = [b for b in BACKENDS if not b.supports_integer]
FEAS_TOL = 1e-6


def ids(backends: list[LinearBackend]) -> list[str]:
    return [b.name for b in backends]


def ctx(time_limit: float | None = 5.0, threads: int = 1, **kwargs: object) -> SolveContext:
    options = SolveOptions(time_limit=time_limit, threads=threads, **kwargs)  # type: ignore[arg-type]
    return SolveContext(options)


def solve(backend: LinearBackend, model: LinearModel, **kwargs: Any) -> LinearResult:
    result = backend.solve(model, ctx(**kwargs))
    assert isinstance(result, LinearResult)
    if result.status.has_solution:
        assert_feasible(model, result)
    else:
        assert result.x is None and result.objective is None
    return result


def assert_feasible(model: LinearModel, result: LinearResult) -> None:
    """The solution respects every bound and integrality, and the objective matches it."""
    assert result.x is not None and result.objective is not None
    x = result.x
    assert x.shape == (model.num_cols,)

    def tol(v: np.ndarray) -> np.ndarray:
        return FEAS_TOL * np.maximum(1.0, np.abs(v))

    assert np.all(x >= model.col_lower - tol(model.col_lower))
    assert np.all(x <= model.col_upper + tol(model.col_upper))
    activity = model.activity(x)
    assert np.all(activity >= model.row_lower - tol(model.row_lower))
    assert np.all(activity <= model.row_upper + tol(model.row_upper))
    ints = x[model.integer]
    assert np.allclose(ints, np.round(ints), atol=1e-6)
    recomputed = float(model.c @ x) + model.offset
    assert result.objective == pytest.approx(recomputed, rel=1e-6, abs=1e-6)


def shifted(model: LinearModel, kind: str, index: int, side: str, h: float) -> LinearModel:
    """A copy of ``model`` with one bound (or both, for ``side == "both"``) raised by h."""
    lower = (model.row_lower if kind == "row" else model.col_lower).copy()
    upper = (model.row_upper if kind == "row" else model.col_upper).copy()
    if side in ("lower", "both"):
        lower[index] += h
    if side in ("upper", "both"):
        upper[index] += h
    fields = (
        {"row_lower": lower, "row_upper": upper}
        if kind == "row"
        else {
            "col_lower": lower,
            "col_upper": upper,
        }
    )
    return LinearModel(**{**model.__dict__, **fields})


def active_side(value: float, lower: float, upper: float) -> str | None:
    at_lower = np.isfinite(lower) and abs(value - lower) <= 1e-7 * max(1.0, abs(lower))
    at_upper = np.isfinite(upper) and abs(value - upper) <= 1e-7 * max(1.0, abs(upper))
    if at_lower and at_upper:
        return "both"
    return "lower" if at_lower else "upper" if at_upper else None


def check_duals_by_finite_differences(backend: LinearBackend, model: LinearModel) -> None:
    """Every dual equals d(objective)/d(active bound), measured by re-solving."""
    base = solve(backend, model)
    assert base.status is Status.OPTIMAL
    assert base.row_duals is not None and base.col_duals is not None
    assert base.x is not None and base.objective is not None
    h = 1e-3
    activity = model.activity(base.x)
    checks = [
        ("row", i, activity[i], model.row_lower[i], model.row_upper[i], base.row_duals[i])
        for i in range(model.num_rows)
    ]
    checks += [
        ("col", j, base.x[j], model.col_lower[j], model.col_upper[j], base.col_duals[j])
        for j in range(model.num_cols)
    ]
    for kind, index, value, lower, upper, dual in checks:
        side = active_side(value, lower, upper)
        if side is None:
            assert abs(dual) <= 1e-6, f"{kind} {index} is not at a bound but has dual {dual}"
            continue
        moved = solve(backend, shifted(model, kind, index, side, h))
        assert moved.status is Status.OPTIMAL and moved.objective is not None
        slope = (moved.objective - base.objective) / h
        assert slope == pytest.approx(dual, abs=2e-4), (
            f"{backend.name}: {kind} {index} ({side} bound active): dual {dual}, "
            f"finite difference {slope}"
        )


# --- LPs with known optima -----------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_lp_known_optimum_and_duals(backend: LinearBackend) -> None:
    model = models.production_lp()
    result = solve(backend, model)
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(8.25, abs=1e-6)
    assert result.bound == pytest.approx(result.objective)
    assert result.x is not None
    assert result.x == pytest.approx([0.0, 2.25], abs=1e-6)
    if backend.name in NO_DUALS:
        assert result.row_duals is None
        return
    assert result.row_duals == pytest.approx([1.5, 0.0], abs=1e-6)
    assert result.col_duals == pytest.approx([0.5, 0.0], abs=1e-6)
    check_duals_by_finite_differences(backend, model)


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_max_sense_lp(backend: LinearBackend) -> None:
    model = models.max_lp()
    result = solve(backend, model)
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(10.5, abs=1e-6)
    assert result.x == pytest.approx([7.5, 1.5], abs=1e-6)
    if backend.name not in NO_DUALS:
        assert result.row_duals == pytest.approx([0.5, 0.5], abs=1e-6)
        check_duals_by_finite_differences(backend, model)


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_equality_ranged_and_free_rows(backend: LinearBackend) -> None:
    model = models.ranged_lp()
    result = solve(backend, model)
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(1.0, abs=1e-6)
    assert result.x == pytest.approx([2.5, 1.5, 2.0], abs=1e-6)
    if backend.name not in NO_DUALS:
        assert result.row_duals == pytest.approx([0.0, 1.0, 0.0], abs=1e-6)
        check_duals_by_finite_differences(backend, model)


@pytest.mark.parametrize("sense", ["min", "max"])
@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_random_lp_duals_by_finite_differences(backend: LinearBackend, sense: str) -> None:
    model = models.random_lp(sense)
    reference = solve(BACKENDS[0], model)  # glop; all backends must agree on the optimum
    result = solve(backend, model)
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(reference.objective, rel=1e-6, abs=1e-6)
    if backend.name not in NO_DUALS:
        check_duals_by_finite_differences(backend, model)


# --- MILPs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", MILP_BACKENDS, ids=ids(MILP_BACKENDS))
def test_milp_known_optimum(backend: LinearBackend) -> None:
    result = solve(backend, models.knapsack_milp())
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(14.0, abs=1e-6)
    assert result.x is not None
    assert np.round(result.x).tolist() == [1, 1, 0, 1, 0, 2]
    assert result.bound is not None
    assert result.bound == pytest.approx(14.0, rel=1e-6)
    assert result.row_duals is None  # no duals for MILPs


@pytest.mark.parametrize("backend", LP_ONLY, ids=ids(LP_ONLY))
def test_lp_only_backend_refuses_integer_columns(backend: LinearBackend) -> None:
    message = rf"{backend.name} solves LPs only; use highs, cbc or scip"
    with pytest.raises(UsageError, match=message):
        backend.solve(models.knapsack_milp(), ctx())


# --- infeasible, unbounded, degenerate inputs -----------------------------------------------


@pytest.mark.parametrize("integer", [False, True], ids=["lp", "milp"])
@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_infeasible(backend: LinearBackend, integer: bool) -> None:
    if integer and not backend.supports_integer:
        pytest.skip("LP-only backend")
    assert solve(backend, models.infeasible_lp(integer)).status is Status.INFEASIBLE


@pytest.mark.parametrize("integer", [False, True], ids=["lp", "milp"])
@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_unbounded(backend: LinearBackend, integer: bool) -> None:
    if integer and not backend.supports_integer:
        pytest.skip("LP-only backend")
    assert solve(backend, models.unbounded_lp(integer)).status is Status.UNBOUNDED


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_empty_model(backend: LinearBackend) -> None:
    result = solve(backend, models.empty_model(offset=2.5))
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(2.5)
    b = LinearModelBuilder()
    b.add_rows_coo(1, [], [], [], lower=1.0)  # a row without columns that excludes 0
    assert solve(backend, b.build()).status is Status.INFEASIBLE


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_inverted_bounds_are_infeasible(backend: LinearBackend) -> None:
    b = LinearModelBuilder()
    b.add_column(1.0, lower=3.0, upper=1.0, name="bad")
    result = solve(backend, b.build())
    assert result.status is Status.INFEASIBLE
    if backend.name != "highs":  # ours name the offending column
        assert "bad" in result.message


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_unused_and_free_columns_with_awkward_names(backend: LinearBackend) -> None:
    # Names with spaces and symbols, a free column, and a column in no row at all.
    b = LinearModelBuilder("min")
    x = b.add_column(1.0, lower=-INF, name="flow in/out [t]")
    y = b.add_column(0.0, lower=-2.0, upper=5.0, name="unused: y")
    b.add_row({x: 1.0}, lower=-4.0, name="x >= -4")
    b.add_row({x: 2.0}, upper=INF, lower=-INF, name="free row")
    model = b.build()
    result = solve(backend, model)
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(-4.0)
    assert result.x is not None and -2.0 <= result.x[y] <= 5.0


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_unexpected_arguments_are_rejected(backend: LinearBackend) -> None:
    with pytest.raises(TypeError):
        backend.solve(models.production_lp(), ctx(), hint={})  # type: ignore[call-arg]


# --- limits, stop flag, progress -------------------------------------------------------------


@pytest.mark.parametrize("backend", MILP_BACKENDS, ids=ids(MILP_BACKENDS))
def test_hard_milp_under_time_limit_is_never_optimal(backend: LinearBackend) -> None:
    model = models.market_split()
    context = ctx(time_limit=1.0)
    started = time.monotonic()
    result = backend.solve(model, context)
    elapsed = time.monotonic() - started
    assert elapsed < 6.0, f"{backend.name} ran {elapsed:.1f} s with a 1 s limit"  # hangs only
    assert result.status in (Status.FEASIBLE, Status.UNKNOWN), result.message
    if result.status is Status.FEASIBLE:
        assert_feasible(model, result)
        assert result.objective is not None and result.objective > 0  # optimum is unknown
        assert result.bound is None or result.bound <= result.objective + 1e-6
    if backend.name in REPORTS_PROGRESS and result.status is Status.FEASIBLE:
        assert result.objective is not None
        incumbents = [e.objective for e in context.trajectory if e.objective is not None]
        assert incumbents, f"{backend.name} reported no incumbent"
        assert incumbents == sorted(incumbents, reverse=True)  # minimisation improves downwards
        assert min(incumbents) >= result.objective - 1e-6
        bounds = [e.bound for e in context.trajectory if e.bound is not None]
        assert all(b <= result.objective + 1e-6 for b in bounds)


STOPPABLE = [b for b in MILP_BACKENDS if b.name not in NOT_INTERRUPTIBLE]


@pytest.mark.parametrize("backend", STOPPABLE, ids=ids(STOPPABLE))
def test_stop_flag_interrupts_a_long_milp(backend: LinearBackend) -> None:
    model = models.market_split()
    context = ctx(time_limit=60.0)
    timer = threading.Timer(0.7, context.stop.set)
    timer.start()
    started = time.monotonic()
    try:
        result = backend.solve(model, context)
    finally:
        timer.cancel()
    elapsed = time.monotonic() - started
    assert elapsed < 10.0, f"{backend.name} ignored the stop flag ({elapsed:.1f} s)"
    assert result.status in (Status.FEASIBLE, Status.UNKNOWN), result.message
    if result.status is Status.FEASIBLE:
        assert_feasible(model, result)


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_stop_flag_set_before_the_solve(backend: LinearBackend) -> None:
    context = ctx()
    context.stop.set()
    result = backend.solve(models.production_lp(), context)
    assert result.status is Status.UNKNOWN
    assert result.x is None


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_no_time_left(backend: LinearBackend) -> None:
    context = ctx(time_limit=0.0)
    result = backend.solve(models.production_lp(), context)
    assert result.status is Status.UNKNOWN


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_verbose_log_goes_to_ctx_log_never_stdout(
    backend: LinearBackend, capfd: pytest.CaptureFixture[str]
) -> None:
    lines: list[str] = []
    context = SolveContext(SolveOptions(time_limit=5.0, verbose=True), log=lines.append)
    model = models.knapsack_milp() if backend.supports_integer else models.production_lp()
    result = backend.solve(model, context)
    assert result.status is Status.OPTIMAL
    assert capfd.readouterr().out == ""


@pytest.mark.parametrize("threads", [1, 8])
@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_quiet_run_prints_nothing_to_stdout(
    backend: LinearBackend, threads: int, capfd: pytest.CaptureFixture[str]
) -> None:
    # More threads than a tiny model can use made PDLP warn on stdout.
    model = models.knapsack_milp() if backend.supports_integer else models.production_lp()
    events: list[ProgressEvent] = []
    options = SolveOptions(time_limit=5.0, threads=threads)
    context = SolveContext(options, on_progress=events.append)
    assert backend.solve(model, context).status is Status.OPTIMAL
    assert capfd.readouterr().out == ""
    assert events == context.trajectory


@pytest.mark.parametrize("backend", BACKENDS, ids=ids(BACKENDS))
def test_availability_probe(backend: LinearBackend) -> None:
    first = backend.availability()
    assert first.available, first.reason
    assert first.version
    assert backend.availability() == first


def test_highs_thread_counts_can_change_between_backends() -> None:
    # HiGHS keeps one scheduler per process, sized by the first run's thread count; the
    # HiGHS-based backends must not leave it in a state that breaks the next one.
    names = [b.name for b in BACKENDS]
    sequence = [("pulp-highs", 4), ("highs", 1), ("pulp-highs", 2), ("highs", 3), ("pulp-highs", 1)]
    backends = {b.name: b for b in BACKENDS}
    for name, threads in sequence:
        if name not in names:
            continue
        result = backends[name].solve(models.knapsack_milp(), ctx(threads=threads))
        assert result.status is Status.OPTIMAL, (name, threads, result.message)
