"""The small pieces behind the backends: proto building, CBC log reading, child stopping."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from optikit_ortools.mathopt_model import to_model_proto
from optikit_pulp.cbc_log import objective_in_log, parse_cbc_log, version_in_log
from optikit_pulp.cbc_progress import CbcProgress
from optikit_pulp.child_stop import interrupt_children_on, solver_children

from optikit.paradigms import INF, LinearModel, answer_without_solver
from optikit.types import SolveContext, SolveOptions, Status
from tests.backends import backend_lp_models as models


def hand_made(indptr: list[int], indices: list[int], data: list[float]) -> LinearModel:
    n = 3
    m = len(indptr) - 1
    return LinearModel(
        sense="min",
        c=np.array([1.0, 0.0, -2.0]),
        col_lower=np.zeros(n),
        col_upper=np.full(n, INF),
        integer=np.zeros(n, dtype=bool),
        indptr=np.array(indptr, dtype=np.int64),
        indices=np.array(indices, dtype=np.int64),
        data=np.array(data, dtype=np.float64),
        row_lower=np.full(m, -INF),
        row_upper=np.full(m, 10.0),
    )


def test_model_proto_is_row_major_without_zeros_or_duplicates() -> None:
    # Row 0 lists columns out of order and column 2 twice; row 1 has an explicit zero.
    model = hand_made([0, 4, 6], [2, 0, 2, 1, 0, 1], [1.0, 2.0, 3.0, 5.0, 0.0, 7.0])
    proto = to_model_proto(model)
    matrix = proto.linear_constraint_matrix
    entries = list(zip(matrix.row_ids, matrix.column_ids, matrix.coefficients, strict=True))
    assert entries == [(0, 0, 2.0), (0, 1, 5.0), (0, 2, 4.0), (1, 1, 7.0)]
    assert list(proto.objective.linear_coefficients.ids) == [0, 2]
    assert list(proto.variables.upper_bounds) == [INF] * 3


def test_precheck_rejects_nan_and_answers_empty_intervals() -> None:
    ctx = SolveContext(SolveOptions(time_limit=5.0))
    model = models.production_lp()
    model.c = model.c.copy()
    model.c[0] = np.nan
    result = answer_without_solver(model, ctx)
    assert result is not None and result.status is Status.ERROR
    model = models.production_lp()
    model.row_lower = model.row_lower.copy()
    model.row_lower[1] = 100.0  # above its upper bound 7.5
    result = answer_without_solver(model, ctx)
    assert result is not None and result.status is Status.INFEASIBLE
    assert "cap_x" in result.message


STOPPED = """
Cbc0010I After 4000 nodes, 2418 on tree, 17 best solution, best possible 0 (0.89 seconds)

Result - Stopped on time limit

Objective value:                17.00000000
Lower bound:                    0.000
Gap:                            inf
Enumerated nodes:               3832
"""

OPTIMAL_MAX = """
Result - Optimal solution found

Objective value:                -15.00000000
Upper bound:                    -14.99999
"""


def test_cbc_log_summary() -> None:
    stopped = parse_cbc_log(STOPPED)
    assert stopped.result == "Stopped on time limit"
    assert stopped.stopped and not stopped.proven_optimal
    assert stopped.bound == 0.0
    assert stopped.gap is None  # "inf" is no gap
    assert objective_in_log(STOPPED) == 17.0
    optimal = parse_cbc_log(OPTIMAL_MAX)
    assert optimal.proven_optimal and not optimal.stopped
    assert optimal.bound == -14.99999
    interrupted = parse_cbc_log("Result - User ctrl-cuser ctrl-c\n")
    assert interrupted.stopped
    lp = parse_cbc_log("Optimal - objective value 6.75\n")
    assert lp.result is None and lp.bound is None
    assert version_in_log("Welcome to the CBC MILP Solver \nVersion: 2.10.3 \n") == "2.10.3"
    assert version_in_log(STOPPED) is None


def test_cbc_progress_converts_sense_and_offset() -> None:
    ctx = SolveContext(SolveOptions())
    progress = CbcProgress(ctx, sign=-1.0, offset=100.0)  # a max model with constant 100
    progress.feed("Cbc0012I Integer solution of -38 found by feasibility pump after 0 its")
    progress.feed("Cbc0010I After 0 nodes, 1 on tree, -38 best solution, best possible -50 (0.1 s)")
    progress.feed("Cbc0010I After 9 nodes, 1 on tree, -38 best solution, best possible -50 (0.2 s)")
    progress.feed("Cbc0004I Integer solution of -41 found after 6633 iterations and 1102 nodes")
    progress.feed("Clp0006I something else entirely")
    events = [(e.objective, e.bound) for e in ctx.trajectory]
    assert events == [(138.0, None), (138.0, 150.0), (141.0, 150.0)]
    assert progress.error is None


def test_cbc_progress_never_raises() -> None:
    def broken(_: object) -> None:
        raise RuntimeError("sink broke")

    ctx = SolveContext(SolveOptions(), on_progress=broken)
    progress = CbcProgress(ctx, sign=1.0, offset=0.0)
    progress.feed("Cbc0012I Integer solution of 5 found by rounding after 0 iterations")
    assert progress.error is not None and "sink broke" in progress.error


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_child_stop_interrupts_only_our_matching_child() -> None:
    sleeper = [sys.executable, "-c", "import time; time.sleep(30)"]
    stop = threading.Event()
    child = subprocess.Popen(sleeper)
    try:
        assert child.pid in solver_children(sys.executable)
        assert solver_children("/no/such/solver") == []
        started = time.monotonic()
        with interrupt_children_on(stop, sys.executable) as interrupted:
            stop.set()
            child.wait(timeout=10)
        assert interrupted == [child.pid]
        assert child.returncode != 0  # KeyboardInterrupt in the child
        assert time.monotonic() - started < 10
    finally:
        child.kill()
        child.wait()
