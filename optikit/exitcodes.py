"""Process exit codes, as fixed by the user contract."""

from __future__ import annotations

import enum

from optikit.types import Status


class ExitCode(enum.IntEnum):
    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    INFEASIBLE = 3
    NO_SOLUTION = 4
    INTERRUPTED = 130
    INTERNAL = 70


def for_status(status: Status) -> ExitCode:
    """The exit code of ``optikit solve`` for a final status."""
    if status.has_solution:
        return ExitCode.OK
    if status in (Status.INFEASIBLE, Status.UNBOUNDED):
        return ExitCode.INFEASIBLE
    if status is Status.UNKNOWN:
        return ExitCode.NO_SOLUTION
    return ExitCode.INTERNAL
