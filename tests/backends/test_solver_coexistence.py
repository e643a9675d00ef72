"""All solver libraries in ONE process, in the orders that have bitten us.

Two traps: highspy >= 1.15 cannot share a process with OR-Tools 9.15 (the project pins
highspy<1.15), and PuLP 3.3 loads highspy's extension with RTLD_GLOBAL, after which an
OR-Tools library loaded later binds to highspy's HiGHS and MathOpt's HiGHS segfaults.
Each scenario runs in a fresh interpreter, since import order is the point and a crash
must fail the test rather than kill the test session.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SOLVE_ALL = """
import numpy as np
from optikit.paradigms import LinearModelBuilder
from optikit.types import SolveContext, SolveOptions, Status
from optikit_ortools import mathopt_backends
from optikit_ortools.cpsat import CpSatBackend
from optikit_pulp.cbc import CbcBackend
from optikit_pulp.pulp_highs import PulpHighsBackend

def knapsack(integer):
    b = LinearModelBuilder("max")
    cols = b.add_columns(5, cost=[3, 4, 5, 8, 1], upper=1.0, integer=integer)
    b.add_rows_dense([[2, 3, 5, 4, 1]], cols, upper=9.0)
    return b.build()

backends = [*mathopt_backends(), CbcBackend(), PulpHighsBackend()]
try:
    from optikit_highs.backend import HighsBackend
    backends.append(HighsBackend())
except ImportError:
    pass
for backend in {order}:
    model = knapsack(backend.supports_integer)
    result = backend.solve(model, SolveContext(SolveOptions(time_limit=10.0, threads={threads})))
    expected = 15.0  # the LP relaxation is integral here (capacity filled exactly)
    assert result.status is Status.OPTIMAL, (backend.name, result.status, result.message)
    assert abs(result.objective - expected) < 1e-6, (backend.name, result.objective)
    print("solved", backend.name)

from ortools.sat.python import cp_model
m = cp_model.CpModel()
x = m.new_int_var(0, 9, "x")
m.maximize(x)
r = CpSatBackend().solve(m, SolveContext(SolveOptions(time_limit=10.0)))
assert r.status is Status.OPTIMAL and r.objective == 9
print("solved cpsat")
"""


def run_script(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr[-3000:]}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("order", "threads"),
    [
        ("backends", 1),  # OR-Tools first
        ("reversed(backends)", 2),  # PuLP and highspy first, then OR-Tools' HiGHS
    ],
    ids=["ortools-first", "pulp-first"],
)
def test_every_backend_solves_in_one_process(order: str, threads: int) -> None:
    proc = run_script(SOLVE_ALL.format(order=order, threads=threads))
    assert_ok(proc)
    assert proc.stdout.count("solved") >= 8


def test_pulp_highs_available_after_ortools_import() -> None:
    proc = run_script(
        """
        from ortools.sat.python import cp_model
        from ortools.math_opt.python import mathopt
        import pulp
        assert pulp.HiGHS().available()
        from optikit_pulp.pulp_highs import PulpHighsBackend
        availability = PulpHighsBackend().availability()
        assert availability.available, availability.reason
        print("ok")
        """
    )
    assert_ok(proc)


def test_raw_pulp_import_first_is_refused_not_a_crash() -> None:
    # Someone imported PuLP before any OR-Tools library: MathOpt's HiGHS would segfault,
    # so the backend must say why it cannot run instead.
    proc = run_script(
        """
        import pulp
        from optikit.paradigms import LinearModelBuilder
        from optikit.types import SolveContext, SolveOptions, Status
        from optikit_ortools import mathopt_backends
        from optikit_ortools.cpsat import CpSatBackend
        CpSatBackend().availability()  # loads OR-Tools after PuLP
        highs = {b.name: b for b in mathopt_backends()}["ortools-highs"]
        availability = highs.availability()
        assert not availability.available
        assert "PuLP was imported before OR-Tools" in availability.reason
        b = LinearModelBuilder()
        b.add_column(1.0, lower=1.0)
        result = highs.solve(b.build(), SolveContext(SolveOptions(time_limit=5.0)))
        assert result.status is Status.ERROR and "PuLP" in result.message
        glop = {b.name: b for b in mathopt_backends()}["glop"]
        assert glop.solve(b.build(), SolveContext(SolveOptions())).status is Status.OPTIMAL
        print("ok")
        """
    )
    assert_ok(proc)


def test_plugins_import_no_solver_library() -> None:
    proc = run_script(
        """
        import sys
        import optikit_ortools, optikit_pulp
        heavy = {"ortools.sat.python.cp_model", "pulp", "highspy", "ortools.math_opt.python"}
        loaded = sorted(heavy & set(sys.modules))
        assert not loaded, loaded
        print("ok")
        """
    )
    assert_ok(proc)
