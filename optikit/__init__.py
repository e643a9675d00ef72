"""optikit: a solver suite for factory optimisation problems.

The core loads plugins (``optikit.plugins``), validates problem files, runs formulations
on backends and checks every answer with the problem type's independent checker.
"""

from __future__ import annotations

import pluggy

from optikit.lazy import lazy
from optikit.types import (
    Availability,
    Backend,
    CheckReport,
    Formulation,
    InvalidProblem,
    OptikitError,
    Outcome,
    ProblemType,
    ProgressEvent,
    Reader,
    SolveContext,
    SolveOptions,
    Status,
    UsageError,
    Violation,
)

__version__ = "0.2.0"
#: Version of the plugin API (hook names, the types in optikit.types, optikit.conflicts
#: and the scheduling kernel optikit.scheduling, added in 1.2).
API_VERSION = "1.2"

hookimpl = pluggy.HookimplMarker("optikit")

__all__ = [
    "API_VERSION",
    "Availability",
    "Backend",
    "CheckReport",
    "Formulation",
    "InvalidProblem",
    "OptikitError",
    "Outcome",
    "ProblemType",
    "ProgressEvent",
    "Reader",
    "SolveContext",
    "SolveOptions",
    "Status",
    "UsageError",
    "Violation",
    "__version__",
    "hookimpl",
    "lazy",
]
