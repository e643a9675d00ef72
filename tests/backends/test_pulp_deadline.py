"""The PuLP backends take their time limit from the run's deadline when the solver starts."""

from __future__ import annotations

import time

import pytest
from optikit_pulp.base import PulpLinearBackend, probe_result, solver_time_limit
from optikit_pulp.cbc import CbcBackend, _cbc_class
from optikit_pulp.pulp_highs import PulpHighsBackend

from optikit.paradigms import LinearModelBuilder
from optikit.types import SolveContext, SolveOptions, Status


def test_solver_time_limit_is_what_is_left_now() -> None:
    ctx = SolveContext(SolveOptions(time_limit=5.0))
    first = solver_time_limit(ctx)
    time.sleep(0.2)
    later = solver_time_limit(ctx)
    assert first is not None and later is not None
    assert 4.5 < first <= 5.0 and later <= first - 0.15
    assert solver_time_limit(SolveContext(SolveOptions(time_limit=None))) is None


def test_cbc_reads_its_limit_at_start_and_ignores_assignments() -> None:
    solver = _cbc_class()(msg=False, timeLimit=999.0)
    assert solver.timeLimit is None  # no run attached yet
    solver.ctx = SolveContext(SolveOptions(time_limit=3.0))
    limit = solver.timeLimit
    assert limit is not None and 2.5 < limit <= 3.0
    solver.timeLimit = 999.0
    assert solver.timeLimit <= 3.0


@pytest.mark.parametrize("backend", [CbcBackend(), PulpHighsBackend()], ids=lambda b: b.name)
def test_expired_run_does_not_start_the_solver(backend: object) -> None:
    if not backend.availability().available:  # type: ignore[attr-defined]
        pytest.skip("backend unavailable")
    builder = LinearModelBuilder("max")
    x = builder.add_column(1.0, 0.0, 2.5, integer=True)
    builder.add_row({x: 1.0}, upper=2.0)
    ctx = SolveContext(SolveOptions(time_limit=0.05))
    time.sleep(0.1)
    result = backend.solve(builder.build(), ctx)  # type: ignore[attr-defined]
    assert result.status is Status.UNKNOWN and "no time left" in result.message


@pytest.mark.parametrize("backend", [CbcBackend(), PulpHighsBackend()], ids=lambda b: b.name)
def test_probe_solve_passes(backend: PulpLinearBackend) -> None:
    passed, reason, result = probe_result(backend)
    assert passed, reason
    assert result.objective == pytest.approx(2.0)


def test_cbc_runs_sequentially_whatever_threads_says() -> None:
    """CBC 2.10.3's threaded mode can stall until its time limit on start-up; 30 quick
    solves with --threads 4 must all finish at once and optimal."""
    backend = CbcBackend()
    if not backend.availability().available:
        pytest.skip("cbc unavailable")
    builder = LinearModelBuilder("max")
    cols = builder.add_columns(5, cost=[3, 4, 5, 8, 1], upper=1.0, integer=True)
    builder.add_rows_dense([[2, 3, 5, 4, 1]], cols, upper=9.0)
    model = builder.build()
    for _ in range(30):
        ctx = SolveContext(SolveOptions(time_limit=30.0, threads=4))
        result = backend.solve(model, ctx)
        assert result.status is Status.OPTIMAL and result.objective == pytest.approx(15.0)
        assert result.stats["threads"] == 1
        assert "waiting to start" not in str(result.message)
