"""The linear backends under test, imported directly from their plugin modules.

``highs`` (plugins/optikit_highs, another engineer's) is included when it imports, so the
same conformance checks hold for every LP/MILP backend of the project.
"""

from __future__ import annotations

from optikit_ortools import mathopt_backends
from optikit_pulp.cbc import CbcBackend
from optikit_pulp.pulp_highs import PulpHighsBackend

from optikit.paradigms import LinearBackend

# Backends that return no LP duals (documented): SCIP through MathOpt.
NO_DUALS = {"scip"}
# Backends whose run cannot be interrupted before their time limit (documented):
# MathOpt's HiGHS ignores MathOpt's interrupter in OR-Tools 9.15.
NOT_INTERRUPTIBLE = {"ortools-highs"}
# Backends that report incumbents while a MILP runs.
REPORTS_PROGRESS = {"scip", "cbc", "pulp-highs", "highs"}


def linear_backends() -> list[LinearBackend]:
    backends: list[LinearBackend] = [*mathopt_backends(), CbcBackend(), PulpHighsBackend()]
    try:
        from optikit_highs.backend import HighsBackend
    except Exception:  # not written yet, or broken: its own tests will say so
        return backends
    return [*backends, HighsBackend()]


def by_name() -> dict[str, LinearBackend]:
    return {b.name: b for b in linear_backends()}
