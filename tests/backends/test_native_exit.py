"""A script that ends while a native solver call is still running exits cleanly.

Before, the interpreter shut down under HiGHS or CP-SAT (a solve on a side thread, or one the
backend had stopped waiting for) and the C++ runtime aborted the process after the
script's work was done: "terminate called without an active exception", exit status
134.  Now every native call is asked to stop at exit and waited for
(:mod:`optikit.native_exit`).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_script(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def test_a_call_still_running_at_exit_is_asked_to_stop_and_waited_for() -> None:
    proc = run_script("""
        import threading, time
        from optikit import native
        from optikit.types import SolveContext, SolveOptions

        ctx = SolveContext(SolveOptions(time_limit=None))

        def solver():  # honours a stop only at its next check, like a real solver
            while not ctx.stop.wait(0.01):
                pass
            time.sleep(0.3)
            print("solver returned", flush=True)

        threading.Thread(target=lambda: native.call_stoppable(solver, ctx),
                         daemon=True).start()
        time.sleep(0.3)
        print("main leaves", flush=True)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["main", "leaves", "solver", "returned"]


def test_a_script_ending_during_a_highs_solve_exits_with_status_0() -> None:
    pytest.importorskip("highspy")
    proc = run_script("""
        import random, threading, time
        from optikit_highs.backend import HighsBackend
        from optikit.paradigms import LinearModelBuilder
        from optikit.types import SolveContext, SolveOptions

        # A market-split instance: HiGHS searches it for minutes.
        rng = random.Random(3)
        b = LinearModelBuilder("min")
        x = [b.add_column(0.0, upper=1.0, integer=True) for _ in range(40)]
        for _ in range(5):
            a = [rng.randrange(100) for _ in range(40)]
            b.add_row(dict(zip(x, map(float, a))), lower=sum(a) // 2, upper=sum(a) // 2)
        ctx = SolveContext(SolveOptions(time_limit=100.0, threads=1))
        threading.Thread(target=lambda: HighsBackend().solve(b.build(), ctx),
                         daemon=True).start()
        time.sleep(1.5)
        print("main leaves", flush=True)
    """)
    assert "terminate called" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "main leaves"


def test_a_script_ending_during_cpsat_solves_exits_with_status_0() -> None:
    """Short solves one after the other on a daemon thread, as an LNS makes them."""
    pytest.importorskip("ortools")
    proc = run_script("""
        import threading, time
        from ortools.sat.python import cp_model
        from optikit_ortools.cpsat import CpSatBackend
        from optikit.types import SolveContext, SolveOptions

        model = cp_model.CpModel()  # a Golomb ruler of 12 marks: never solved in 0.05 s
        marks = [model.new_int_var(0, 200, f"m{i}") for i in range(12)]
        model.add(marks[0] == 0)
        for a, b in zip(marks, marks[1:]):
            model.add(a < b)
        model.add_all_different([marks[j] - marks[i] for i in range(12)
                                 for j in range(i + 1, 12)])
        model.minimize(marks[-1])

        def lns_like():
            while True:
                ctx = SolveContext(SolveOptions(time_limit=0.05, threads=2))
                CpSatBackend().solve(model, ctx)

        threading.Thread(target=lns_like, daemon=True).start()
        time.sleep(1.5)
        print("main leaves", flush=True)
    """)
    assert "terminate called" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "main leaves"


def test_a_daemon_thread_starting_a_call_after_exit_began_is_parked() -> None:
    """The hook has run: a new call on a daemon thread never starts, and nothing hangs."""
    proc = run_script("""
        import threading, time
        from optikit import native_exit

        started = []

        def late_caller():
            native_exit.stop_all_and_wait(0.1)  # as the exit hook does
            with native_exit.in_flight(lambda: None):
                started.append(1)

        t = threading.Thread(target=late_caller, daemon=True)
        t.start()
        t.join(1.0)
        print("alive" if t.is_alive() else "returned", len(started), flush=True)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["alive", "0"]


def test_every_plugin_module_with_a_raw_cpsat_solver_guards_it() -> None:
    """A raw ``CpSolver`` keeps Python's Ctrl-C and is stopped at interpreter exit."""
    unguarded = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "CpSolver()" not in text:
            continue
        if "keep_python_sigint(" not in text or "solve_in_flight(" not in text:
            unguarded.append(str(path.relative_to(ROOT)))
    assert not unguarded
