"""The small pieces behind the backends: proto building, CBC log reading, child stopping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from optikit_ortools.mathopt_model import to_model_proto
from optikit_pulp.cbc_log import objective_in_log, parse_cbc_log, version_in_log
from optikit_pulp.cbc_progress import CbcProgress
from optikit_pulp.child_stop import ChildStopper, SessionSubprocess

from optikit.cli.interrupt import run_hard_exit_hooks
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


# A child that stops cleanly on SIGINT, and one that ignores it (as CBC does in its
# preprocessing and heuristics).
# The child restores Python's SIGINT handler itself: started from a background job of a
# non-interactive shell it inherits SIGINT ignored, and Python then installs none.
_POLITE = (
    "import signal, time\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "print('ready', flush=True)\n"
    "try:\n    time.sleep(30)\nexcept KeyboardInterrupt:\n    raise SystemExit(7)"
)
_DEAF = (
    "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "print('ready', flush=True)\ntime.sleep(30)"
)


def _start(code: str) -> subprocess.Popen[bytes]:
    """Start a child through PuLP's (patched) subprocess module, as CBC is started.

    Waits for the child to say it has its signal disposition in place: a fixed sleep
    lost the signal on a loaded machine (sent before the interpreter was up).
    """
    child = SessionSubprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert child.stdout is not None
    assert child.stdout.readline() == b"ready\n"
    return child


@pytest.mark.skipif(os.name != "posix", reason="sessions and signals are POSIX")
def test_session_subprocess_starts_a_new_session_outside_our_group() -> None:
    child = SessionSubprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert os.getsid(child.pid) == child.pid
        assert os.getpgid(child.pid) != os.getpgid(0)  # a terminal's Ctrl-C misses it
    finally:
        child.kill()
        child.wait()


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_child_stopper_interrupts_a_child_that_honours_sigint() -> None:
    stop = threading.Event()
    stopper = ChildStopper(stop, kill_after=10.0)
    with stopper.watching():
        child = _start(_POLITE)
        stop.set()
        assert child.wait(timeout=10) == 7
    assert stopper.interrupted and not stopper.killed


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_child_stopper_kills_a_child_that_ignores_sigint() -> None:
    stop = threading.Event()
    stopper = ChildStopper(stop, kill_after=0.3)
    with stopper.watching():
        child = _start(_DEAF)
        stop.set()
        assert child.wait(timeout=10) == -signal.SIGKILL
    assert stopper.interrupted and stopper.killed and not stopper.killed_before_search


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_child_started_after_the_stop_is_killed_at_once() -> None:
    stop = threading.Event()
    stop.set()
    stopper = ChildStopper(stop, kill_after=10.0)
    with stopper.watching():
        child = SessionSubprocess.Popen([sys.executable, "-c", _POLITE])
        assert child.wait(timeout=10) == -signal.SIGKILL
    assert stopper.killed_before_search


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_hard_exit_kills_watched_children_and_forgets_them_after() -> None:
    stopper = ChildStopper(threading.Event())
    with stopper.watching():
        child = _start(_DEAF)
        run_hard_exit_hooks()
        assert child.wait(timeout=10) == -signal.SIGKILL
    other = ChildStopper(threading.Event())
    late = SessionSubprocess.Popen([sys.executable, "-c", _DEAF])
    try:
        other.adopt(late)
        run_hard_exit_hooks()  # `other` is not watching: its child is left alone
        time.sleep(0.2)
        assert late.poll() is None
    finally:
        late.kill()
        late.wait()


def test_children_are_adopted_only_by_the_watching_thread() -> None:
    stopper = ChildStopper(threading.Event())
    with stopper.watching():
        found: list[int] = []

        def elsewhere() -> None:
            child = SessionSubprocess.Popen([sys.executable, "-c", "pass"])
            child.wait()
            found.append(child.pid)

        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        mine = SessionSubprocess.Popen([sys.executable, "-c", "pass"])
        mine.wait()
    assert [c.pid for c in stopper.children] == [mine.pid]
