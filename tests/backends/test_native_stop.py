"""Solvers that do not honour a stop in time are left behind (issue 11: Ctrl-C on scip
took 6.7-8.3 s, on ortools-highs it ran to the time limit).

The MathOpt solve is replaced by a fake that reports an incumbent through the callback
and then blocks like a solver deep in its root cut loop, so these tests are quick and
do not depend on where a real solver checks its interrupter.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from optikit import native
from optikit.types import SolveContext, SolveOptions, Status
from tests.backends import backend_lp_models as models

pytest.importorskip("ortools")


@pytest.fixture(autouse=True)
def quick_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "STOP_GRACE_S", 0.2)


def test_a_call_that_returns_is_waited_for() -> None:
    ctx = SolveContext(SolveOptions(time_limit=5.0))
    assert native.call_stoppable(lambda: 42, ctx) == (True, 42)
    assert not native.work_left_behind()


def test_an_error_in_the_call_reaches_the_caller() -> None:
    ctx = SolveContext(SolveOptions(time_limit=5.0))

    def fails() -> None:
        raise ValueError("bad model")

    with pytest.raises(ValueError, match="bad model"):
        native.call_stoppable(fails, ctx)


def test_a_call_that_ignores_the_stop_is_left_after_the_grace() -> None:
    ctx = SolveContext(SolveOptions(time_limit=None))
    release = threading.Event()
    ctx.stop.set()
    returned, value = native.call_stoppable(lambda: release.wait(30), ctx)
    assert (returned, value) == (False, None)
    assert native.work_left_behind()
    release.set()
    for _ in range(200):  # the watcher notices the call has finished
        if not native.work_left_behind():
            break
        time.sleep(0.01)
    assert not native.work_left_behind()


def test_a_call_that_ignores_its_time_limit_is_left_within_the_grace() -> None:
    ctx = SolveContext(SolveOptions(time_limit=0.1))
    release = threading.Event()
    try:
        returned, _ = native.call_stoppable(lambda: release.wait(30), ctx)
    finally:
        release.set()
    assert not returned
    assert not ctx.stop.is_set()  # left because of the limit, not a stop request


class _StubbornSolver:
    """Stands in for MathOpt's ``solver.solve``: one incumbent, then it blocks."""

    def __init__(self, point: np.ndarray) -> None:
        self.point = point
        self.release = threading.Event()
        self.reported = threading.Event()

    def solve(self, proto: Any, solver_type: Any, init: Any, params: Any, model_params: Any,
              messages: Any, registration: Any, callback: Any, interrupter: Any) -> Any:
        from ortools.math_opt import callback_pb2

        if callback is None:  # no solution callback registered (MathOpt's HiGHS)
            self.reported.set()
            self.release.wait(30)
            raise RuntimeError("left behind; nobody reads this")
        data = callback_pb2.CallbackDataProto()
        data.event = callback_pb2.CALLBACK_EVENT_MIP_SOLUTION
        ids = np.flatnonzero(self.point)
        data.primal_solution_vector.ids.extend(ids.tolist())
        data.primal_solution_vector.values.extend(self.point[ids].tolist())
        callback(data)
        self.reported.set()
        self.release.wait(30)  # deaf to the interrupter, like SCIP in its root cut loop
        raise RuntimeError("left behind; nobody reads this")


@pytest.mark.parametrize("backend_name", ["scip", "ortools-highs"])
def test_backend_answers_with_its_last_incumbent_when_the_solver_ignores_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, backend_name: str
) -> None:
    from optikit_ortools.mathopt_backend import GSCIP, HIGHS, _MathOptRun
    from ortools.math_opt.core.python import solver as mathopt_solver

    model = models.knapsack_milp()
    point = np.zeros(model.num_cols, dtype=np.float64)
    point[0] = 1.0  # what the fake solver reports as its incumbent
    stubborn = _StubbornSolver(point)
    monkeypatch.setattr(mathopt_solver, "solve", stubborn.solve)
    spec = GSCIP if backend_name == "scip" else HIGHS
    # HiGHS under MathOpt has no solution callback: it is left with no incumbent.
    ctx = SolveContext(SolveOptions(time_limit=60.0))
    run = _MathOptRun(backend_name, spec, model, ctx)
    monkeypatch.setattr(run, "_interruptible", lambda: True)
    if spec.mip_progress:

        def stop_once_reported() -> None:
            stubborn.reported.wait(10)
            ctx.stop.set()

        threading.Thread(target=stop_once_reported).start()
    else:
        ctx.stop.set()
    try:
        result = run.run()
    finally:
        stubborn.release.set()
    if spec.mip_progress:
        assert result.status is Status.FEASIBLE
        assert result.x is not None and result.x[0] == 1.0
        assert result.objective == pytest.approx(float(model.c[0]) + model.offset)
        assert "did not stop in time" in result.message
    else:
        assert result.status is Status.UNKNOWN
        assert "no incumbent" in result.message


def _highs_left_behind(monkeypatch: pytest.MonkeyPatch, model: Any,
                       callbacks: Callable[[Any], None]) -> Any:
    """Run the highs backend on ``model`` with HiGHS replaced by a stand-in that makes
    the ``callbacks`` a real run would, then ignores the stop (as a sub-MIP heuristic
    or a long root cut round does): the answer optikit gives after its grace."""
    pytest.importorskip("highspy")
    from optikit_highs.backend import _HighsRun

    release = threading.Event()
    ctx = SolveContext(SolveOptions(time_limit=60.0))

    def stubborn(self: _HighsRun) -> None:
        callbacks(self)
        ctx.stop.set()
        release.wait(30)

    monkeypatch.setattr(_HighsRun, "_run_highs", stubborn)
    try:
        return _HighsRun(model, ctx).run(ctx.remaining())
    finally:
        release.set()


def _check_point(bound: float) -> Any:
    """What HiGHS hands a MIP interrupt callback: its current dual bound."""
    return SimpleNamespace(data_out=SimpleNamespace(mip_dual_bound=bound),
                           interrupt=lambda: None)


def test_highs_answers_with_its_last_incumbent_when_it_ignores_ctrl_c(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = models.knapsack_milp()
    point = np.zeros(model.num_cols, dtype=np.float64)
    point[1] = 1.0

    def callbacks(run: Any) -> None:
        run._on_incumbent(SimpleNamespace(data_out=SimpleNamespace(
            mip_solution=point.tolist(), objective_function_value=4.0,
            mip_dual_bound=15.0)))
        run._on_mip_interrupt(_check_point(14.0))  # a cut round raised the bound
        run._on_mip_interrupt(_check_point(float("inf")))  # no bound: the last one stays

    result = _highs_left_behind(monkeypatch, model, callbacks)
    assert result.status is Status.FEASIBLE
    assert result.x is not None and list(result.x) == list(point)
    assert result.objective == 4.0
    assert result.bound == 14.0  # the bound at HiGHS's last check, not the incumbent's
    assert "did not stop in time" in result.message


def test_highs_left_in_its_root_keeps_the_bound_it_reached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No incumbent yet, but seconds of root cuts: the answer is ``unknown`` with the
    dual bound of HiGHS's last check point, so a caller can still report a gap floor."""
    result = _highs_left_behind(monkeypatch, models.knapsack_milp(),
                                lambda run: run._on_mip_interrupt(_check_point(11.5)))
    assert result.status is Status.UNKNOWN
    assert result.x is None
    assert result.bound == 11.5
    assert "no incumbent" in result.message
