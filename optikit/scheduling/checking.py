"""The schedule checks every scheduling type shares: times, job order, machines, setups.

A type's checker reads the payload (:func:`optikit.scheduling.schedule_from_payload`
already reports unknown ids, ineligible machines and wrong durations), calls
:func:`check_schedule` (or the two halves separately) and then adds its own rules
(horizon, tariffs, crews, ...).  Violation kinds: ``time``, ``release``, ``precedence``,
``capacity``, ``setup`` and ``calendar``; the amount is how far the rule is broken, in time
units.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from optikit.scheduling.calendar import CalendarExhausted
from optikit.scheduling.model import ScheduledOperation, Shop
from optikit.types import Violation


def check_job_times(shop: Shop, schedule: Sequence[ScheduledOperation]) -> list[Violation]:
    """No start before 0, first operations not before their job's release, job order kept."""
    violations: list[Violation] = []
    by_job: dict[int, dict[int, ScheduledOperation]] = {}
    for s in schedule:
        by_job.setdefault(s.job, {})[s.operation] = s
        if s.start < 0:
            violations.append(
                Violation("time", f"job {shop.jobs[s.job].id} op {s.operation} starts before 0")
            )
    for j, ops in by_job.items():
        job = shop.jobs[j]
        first = ops.get(0)
        if first is not None and first.start < job.release:
            violations.append(
                Violation(
                    "release",
                    f"job {job.id} starts at {first.start} before its release {job.release}",
                    float(job.release - first.start),
                )
            )
        for o in range(1, len(job.operations)):
            a, b = ops.get(o - 1), ops.get(o)
            if a is not None and b is not None and b.start < a.end:
                violations.append(
                    Violation(
                        "precedence",
                        f"job {job.id} op {o} starts at {b.start} before op {o - 1} ends "
                        f"at {a.end}",
                        float(a.end - b.start),
                    )
                )
    return violations


def check_machines(shop: Shop, schedule: Sequence[ScheduledOperation]) -> list[Violation]:
    """One operation at a time on each machine, with the setup time between products.

    Operations are compared with their successor on the machine (sorted by start), which
    is where a changeover happens.
    """
    violations: list[Violation] = []
    by_machine: dict[int, list[ScheduledOperation]] = {}
    for s in schedule:
        by_machine.setdefault(s.machine, []).append(s)
    for m, on_machine in by_machine.items():
        on_machine.sort(key=lambda s: (s.start, s.end))
        for before, after in itertools.pairwise(on_machine):
            need = shop.setup_time(m, before.job, after.job)
            if after.start < before.end + need:
                overlap = after.start < before.end
                what = "overlaps" if overlap else "leaves too little setup time after"
                violations.append(
                    Violation(
                        "capacity" if overlap else "setup",
                        f"on {shop.machines[m].id}: job {shop.jobs[after.job].id} op "
                        f"{after.operation} {what} job {shop.jobs[before.job].id} op "
                        f"{before.operation} (needs start >= {before.end + need}, starts "
                        f"{after.start})",
                        float(before.end + need - after.start),
                    )
                )
    return violations


def check_calendars(shop: Shop, schedule: Sequence[ScheduledOperation]) -> list[Violation]:
    """Working time: nothing starts in non-working time of its machine's calendar; an
    operation that is not interruptible lies inside one working window; an interruptible
    one ends exactly when its work is done (``calendar.finish(start, duration)``).

    Operations of zero duration are exempt; changeovers are not bound to calendars.
    """
    violations: list[Violation] = []
    for s in schedule:
        cal = shop.calendar(s.machine)
        op = shop.jobs[s.job].operations[s.operation]
        work = op.modes[s.mode].duration
        if cal is None or work == 0:
            continue
        what = f"job {shop.jobs[s.job].id} op {s.operation} on {shop.machines[s.machine].id}"
        if not cal.is_working(s.start):
            violations.append(Violation(
                "calendar", f"{what} starts at {s.start}, outside the working time of "
                f"calendar {cal.name!r}", 1.0))
            continue
        if op.interruptible:
            try:
                expected = cal.finish(s.start, work)
            except CalendarExhausted:
                violations.append(Violation(
                    "calendar", f"{what}: calendar {cal.name!r} has too little working time "
                    f"after {s.start} for {work} units", float(work)))
                continue
            if s.end != expected:
                violations.append(Violation(
                    "calendar", f"{what} ends at {s.end}, but {work} units of work from "
                    f"{s.start} in calendar {cal.name!r} end at {expected}",
                    float(abs(s.end - expected))))
        elif not cal.fits(s.start, s.end):
            violations.append(Violation(
                "calendar", f"{what} runs [{s.start}, {s.end}) across non-working time of "
                f"calendar {cal.name!r} and is not interruptible", float(work)))
    return violations


def check_schedule(shop: Shop, schedule: Sequence[ScheduledOperation]) -> list[Violation]:
    """Release, precedence, machine capacity, setups and calendars of an indexed schedule."""
    return (
        check_job_times(shop, schedule)
        + check_machines(shop, schedule)
        + check_calendars(shop, schedule)
    )
