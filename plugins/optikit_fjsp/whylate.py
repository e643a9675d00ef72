"""Why late, for ``fjsp``: the summary lines naming each late job's chain and bottleneck.

The analysis itself is the kernel's (:mod:`optikit.scheduling.critical`); the re-solved
overtime what-if is :mod:`optikit.whylate` (``optikit why-late``).
"""

from __future__ import annotations

from collections.abc import Sequence

from optikit.scheduling import ScheduledOperation
from optikit.scheduling.critical import summary_rows as why_late_rows
from optikit_fjsp.model import FjspProblem


def summary_rows(
    problem: FjspProblem, schedule: Sequence[ScheduledOperation]
) -> list[tuple[str, str]]:
    """``why late`` rows for a tardiness objective: the worst late jobs' chains."""
    if not problem.objective.uses_tardiness:
        return []
    return why_late_rows(problem.shop, schedule)
