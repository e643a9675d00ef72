"""Why late, for ``fjsp``: the summary lines naming each late job's chain and bottleneck.

The analysis itself is the kernel's (:mod:`optikit.scheduling.critical`); the re-solved
overtime what-if is :mod:`optikit.whylate` (``optikit why-late``).
"""

from __future__ import annotations

from collections.abc import Sequence

from optikit.scheduling import ScheduledOperation
from optikit.scheduling.critical import time_unit, why_late, why_late_lines
from optikit_fjsp.model import FjspProblem

#: Late jobs named in the summary (the JSON of ``optikit why-late`` has them all).
SUMMARY_JOBS = 3


def summary_rows(
    problem: FjspProblem, schedule: Sequence[ScheduledOperation]
) -> list[tuple[str, str]]:
    """``why late`` rows for a tardiness objective: the worst late jobs' chains."""
    if not problem.objective.uses_tardiness:
        return []
    entries = why_late(problem.shop, schedule)
    if not entries:
        return []
    rows = [("why late", f"worst {min(len(entries), SUMMARY_JOBS)} of {len(entries)}: "
                         "chain of machines (queue, setups, waits); bottleneck")]
    lines = why_late_lines(entries[:SUMMARY_JOBS], time_unit(problem.shop))
    if len(entries) > SUMMARY_JOBS:
        lines.append("... all of them, and the overtime what-if: optikit why-late")
    return rows + [("", line) for line in lines]
