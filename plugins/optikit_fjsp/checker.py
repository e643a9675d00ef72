"""The independent checker of ``fjsp`` solutions.

It reads only the problem and the payload (never solver internals): every operation
scheduled once, on the machine of its chosen mode and for that mode's duration; release
dates, job precedence, one operation at a time per machine with the sequence-dependent
changeover between consecutive operations; then it recomputes the objective.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from optikit import scheduling
from optikit.scheduling import ScheduledOperation
from optikit.types import CheckReport, Violation
from optikit_fjsp.batching_check import batch_figures, check_batches
from optikit_fjsp.model import FjspProblem


def payload_of(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """Accept a whole solution document or the bare payload."""
    solution = document.get("solution")
    return solution if isinstance(solution, Mapping) else document


def schedule_figures(
    problem: FjspProblem,
    schedule: list[ScheduledOperation],
    payload: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Key figures of a schedule that passed (or mostly passed) the checks."""
    shop = problem.shop
    ms = scheduling.makespan(schedule)
    twt = scheduling.weighted_tardiness(shop, schedule)
    done = scheduling.completion_times(shop, schedule)
    late = [
        job.id
        for job, c in zip(shop.jobs, done, strict=True)
        if job.due is not None and c > job.due
    ]
    busy = [0] * len(shop.machines)
    by_machine: dict[int, list[ScheduledOperation]] = {}
    batching = problem.batching
    for s in schedule:
        if batching is not None and batching.is_batch(s.machine):
            continue  # a batch counts once, below
        # Work, not span: an interruptible operation's span includes calendar pauses.
        busy[s.machine] += shop.jobs[s.job].operations[s.operation].modes[s.mode].duration
        by_machine.setdefault(s.machine, []).append(s)
    setup_count = setup_time = 0
    for m, ops in by_machine.items():
        ops.sort(key=lambda s: (s.start, s.end))
        for a, b in itertools.pairwise(ops):
            t = shop.setup_time(m, a.job, b.job)
            if t > 0:
                setup_count += 1
                setup_time += t
    batches: dict[str, dict[str, Any]] = {}
    if batching is not None:
        batches = batch_figures(shop, batching, schedule, payload or {})
        for m in batching.machines:
            busy[m] = batches[shop.machines[m].id]["busy"]
    utilisation = {
        machine.id: (busy[m] / available if (available := _working_time(shop, m, ms)) > 0
                     else 0.0)
        for m, machine in enumerate(shop.machines)
    }
    return {
        "makespan": ms,
        "total_weighted_tardiness": twt,
        "late_jobs": len(late),
        "late_job_ids": late,
        "setups": setup_count,
        "setup_time": setup_time,
        "machine_utilisation": utilisation,
        **({"batches": batches} if batches else {}),
    }


def _working_time(shop: scheduling.Shop, machine: int, until: int) -> int:
    """Working time of ``machine`` in ``[0, until)`` (all of it without a calendar)."""
    cal = shop.calendar(machine)
    if cal is None:
        return until
    return sum(b - a for a, b in cal.working_windows(until))


def read_schedule(
    problem: FjspProblem, payload: Mapping[str, Any]
) -> tuple[list[ScheduledOperation], list[Violation]]:
    """The payload's schedule; batch members may last longer than their own mode."""
    stretch = problem.batching.is_batch if problem.batching is not None else None
    return scheduling.schedule_from_payload(problem.shop, payload, stretchable=stretch)


def check(problem: FjspProblem, document: Mapping[str, Any]) -> CheckReport:
    """Verify a payload against the problem and recompute its objective."""
    payload = payload_of(document)
    schedule, violations = read_schedule(problem, payload)
    batching = problem.batching
    if batching is None:
        violations.extend(scheduling.check_schedule(problem.shop, schedule))
    else:
        violations.extend(scheduling.check_job_times(problem.shop, schedule))
        single = [s for s in schedule if not batching.is_batch(s.machine)]
        violations.extend(scheduling.check_machines(problem.shop, single))
        violations.extend(scheduling.check_calendars(problem.shop, single))
        violations.extend(check_batches(problem.shop, batching, schedule, payload))
    complete = len(schedule) == problem.shop.num_operations
    figures = schedule_figures(problem, schedule, payload) if schedule else {}
    objective = None
    if complete:
        objective = problem.objective.value(
            figures["makespan"], figures["total_weighted_tardiness"]
        )
    return CheckReport(objective=objective, violations=violations, figures=figures)
