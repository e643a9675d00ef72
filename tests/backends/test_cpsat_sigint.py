"""CP-SAT must never take SIGINT away from Python (issue 11: Ctrl-C crashed or hung).

CP-SAT's default ``catch_sigint_signal`` installs its own C handler for each solve and
resets SIGINT to the default action afterwards; these tests look at the process's C-level
SIGINT disposition (``sigaction``) after solves through every path optikit uses.
"""

from __future__ import annotations

import ctypes
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import pytest
from optikit_ortools.cpsat import CpSatBackend

from optikit.types import SolveContext, SolveOptions, UsageError
from tests.backends.backend_cp_models import job_shop, knapsack

pytest.importorskip("ortools")
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads sigaction (Linux)")


def c_sigint_handler() -> int | None:
    """The address of the C-level SIGINT handler (0 is SIG_DFL)."""
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(512)  # larger than any struct sigaction
    assert libc.sigaction(signal.SIGINT, None, buffer) == 0
    return ctypes.c_void_p.from_buffer(buffer).value


@pytest.fixture
def python_sigint() -> Iterator[int | None]:
    """Install a Python SIGINT handler; yields the C handler Python put in place."""

    def handler(signum: int, frame: FrameType | None) -> None:
        pass

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield c_sigint_handler()
    finally:
        signal.signal(signal.SIGINT, previous)


def in_thread(work: object) -> None:
    """Solve on a worker thread, as ``optikit solve`` does."""
    thread = threading.Thread(target=work)  # type: ignore[arg-type]
    thread.start()
    thread.join()


@pytest.mark.parametrize("workers", [1, 2])
def test_backend_solves_leave_python_handler(python_sigint: int | None, workers: int) -> None:
    backend = CpSatBackend()
    ctx = SolveContext(SolveOptions(time_limit=5.0, threads=workers))
    in_thread(lambda: [backend.solve(job_shop().model, ctx, time_limit=0.3) for _ in range(3)])
    assert c_sigint_handler() == python_sigint


def test_probe_leaves_python_handler(python_sigint: int | None) -> None:
    from optikit_ortools import cpsat

    cpsat._probe.cache_clear()
    in_thread(cpsat._probe)
    assert cpsat._probe().available
    assert c_sigint_handler() == python_sigint


def test_conflict_diagnosis_solver_leaves_python_handler(python_sigint: int | None) -> None:
    from dataclasses import dataclass

    from optikit.conflicts import AssumptionProber

    @dataclass
    class Guard:
        literal: object

    model = knapsack().model
    guard = Guard(model.new_bool_var("guard"))
    prober = AssumptionProber(model, SolveContext(SolveOptions(time_limit=5.0)), budget_s=5.0)
    in_thread(lambda: prober.feasible([guard]))
    assert prober.solves == 1
    assert c_sigint_handler() == python_sigint


@pytest.mark.parametrize("value", ["true", "1", True])
def test_reenabling_catch_sigint_is_refused(value: object) -> None:
    backend = CpSatBackend()
    with pytest.raises(UsageError, match="catch_sigint_signal"):
        backend.solve(knapsack().model, SolveContext(SolveOptions(time_limit=5.0)),
                      parameters={"catch_sigint_signal": value})
    ctx = SolveContext(SolveOptions(time_limit=5.0, extra={"cpsat.catch_sigint_signal": value}))
    with pytest.raises(UsageError, match="must stay false"):
        backend.solve(knapsack().model, ctx)


def test_catch_sigint_false_is_accepted(python_sigint: int | None) -> None:
    ctx = SolveContext(SolveOptions(time_limit=5.0, extra={"cpsat.catch_sigint_signal": "false"}))
    result = CpSatBackend().solve(knapsack().model, ctx)
    assert result.status.has_solution
    assert c_sigint_handler() == python_sigint
