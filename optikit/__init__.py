"""optikit: a solver suite for factory optimisation problems.

The core loads plugins (``optikit.plugins``), validates problem files, runs formulations
on backends and checks every answer with the problem type's independent checker.
"""

from __future__ import annotations

import pluggy

from optikit.api import Solution, SolverInfo, check, load, problem_types, solve, solvers
from optikit.lazy import lazy
from optikit.options import OptionNamespace, OptionSpec
from optikit.types import (
    Availability,
    Backend,
    CheckReport,
    Formulation,
    InputError,
    InvalidProblem,
    OptikitError,
    Outcome,
    Paradigm,
    ProblemType,
    ProgressEvent,
    Reader,
    Replanning,
    SolveContext,
    SolveOptions,
    Status,
    UsageError,
    Violation,
)

__version__ = "0.3.0"
#: Version of the plugin API (hook names, the types in optikit.types, the paradigm base
#: classes in optikit.paradigms, option declarations and optikit.scheduling).
API_VERSION = "2.3"

hookimpl = pluggy.HookimplMarker("optikit")

__all__ = [
    "API_VERSION",
    "Availability",
    "Backend",
    "CheckReport",
    "Formulation",
    "InputError",
    "InvalidProblem",
    "OptikitError",
    "OptionNamespace",
    "OptionSpec",
    "Outcome",
    "Paradigm",
    "ProblemType",
    "ProgressEvent",
    "Reader",
    "Replanning",
    "Solution",
    "SolveContext",
    "SolveOptions",
    "SolverInfo",
    "Status",
    "UsageError",
    "Violation",
    "__version__",
    "check",
    "hookimpl",
    "lazy",
    "load",
    "problem_types",
    "solve",
    "solvers",
]
