"""The schedule payload of the contract: ``operations[]`` entries read and written.

Every scheduling type reports production operations the same way (job id, operation
index, mode index, machine id, start, end); types add their own keys next to
``operations`` (``maintenance``, ``costs``, ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from optikit.scheduling.calendar import Clock
from optikit.scheduling.model import Job, Machine, ScheduledOperation, Shop
from optikit.types import Violation


def _integral(value: Any) -> bool:
    """An integer, or a float with an integral finite value (3.0); never a bool."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and int(value) == value)


def schedule_from_payload(
    shop: Shop,
    payload: Mapping[str, Any],
    *,
    stretchable: Callable[[int], bool] | None = None,
) -> tuple[list[ScheduledOperation], list[Violation]]:
    """Read ``payload['operations']`` into indexed form, reporting malformed entries.

    Every operation of every job must appear exactly once.  ``machine`` must be the
    machine of the chosen ``mode``; ``end - start`` must equal the mode's duration, except
    for an interruptible operation on a machine with a calendar, whose pauses lengthen it
    (:func:`optikit.scheduling.checking.check_calendars` verifies its end), and on machines
    where ``stretchable(machine)`` holds (a batch lasts as long as its longest member; the
    type checks those lengths itself), where it must be at least that.
    """
    violations: list[Violation] = []
    entries = payload.get("operations")
    if not isinstance(entries, list):
        return [], [Violation("payload", "solution.operations must be a list")]
    jidx = shop.job_index
    midx = shop.machine_index
    seen: dict[tuple[int, int], int] = {}
    schedule: list[ScheduledOperation] = []
    for n, e in enumerate(entries):
        where = f"operations[{n}]"
        if not isinstance(e, Mapping):
            violations.append(Violation("payload", f"{where} is not an object"))
            continue
        try:
            j = jidx[str(e["job"])]
            o = int(e["operation"])
            k = int(e["mode"])
            start, end = e["start"], e["end"]
            m = midx[str(e["machine"])]
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            violations.append(Violation("payload", f"{where}: missing or unknown {exc}"))
            continue
        if not all(_integral(v) for v in (start, end)):
            violations.append(Violation("payload", f"{where}: start/end must be integers"))
            continue
        job = shop.jobs[j]
        if not 0 <= o < len(job.operations):
            violations.append(Violation("payload", f"{where}: job {job.id} has no operation {o}"))
            continue
        op = job.operations[o]
        if not 0 <= k < len(op.modes):
            violations.append(
                Violation("eligibility", f"{where}: job {job.id} op {o} has no mode {k}")
            )
            continue
        if (j, o) in seen:
            violations.append(
                Violation("payload", f"{where}: job {job.id} op {o} is scheduled twice")
            )
            continue
        seen[(j, o)] = n
        mode = op.modes[k]
        if mode.machine != m:
            violations.append(
                Violation(
                    "eligibility",
                    f"job {job.id} op {o}: mode {k} runs on {shop.machines[mode.machine].id}, "
                    f"not {shop.machines[m].id}",
                )
            )
        length = int(end) - int(start)
        stretch = stretchable is not None and stretchable(m)
        paused = op.interruptible and shop.calendar(m) is not None
        if length < mode.duration or (length != mode.duration and not (stretch or paused)):
            violations.append(
                Violation(
                    "duration",
                    f"job {job.id} op {o}: end - start = {int(end) - int(start)}, "
                    f"mode duration is {mode.duration}",
                    float(abs(int(end) - int(start) - mode.duration)),
                )
            )
        schedule.append(ScheduledOperation(j, o, k, m, int(start), int(end)))
    for j, job in enumerate(shop.jobs):
        for o in range(len(job.operations)):
            if (j, o) not in seen:
                violations.append(Violation("payload", f"job {job.id} op {o} is not scheduled"))
    return schedule, violations


def operations_payload(
    jobs: Sequence[Job],
    machines: Sequence[Machine],
    schedule: Sequence[ScheduledOperation],
    clock: Clock | None = None,
) -> list[dict[str, Any]]:
    """The contract's ``operations[]`` entries, sorted by start, machine, job, operation.

    With a ``clock`` each entry also shows ``start_time`` and ``end_time`` (ISO 8601).
    """
    ordered = sorted(schedule, key=lambda s: (s.start, s.machine, s.job, s.operation))
    out: list[dict[str, Any]] = []
    for s in ordered:
        entry: dict[str, Any] = {
            "job": jobs[s.job].id,
            "operation": s.operation,
            "mode": s.mode,
            "machine": machines[s.machine].id,
            "start": s.start,
            "end": s.end,
        }
        if clock is not None:
            entry["start_time"] = clock.to_time(s.start)
            entry["end_time"] = clock.to_time(s.end)
        out.append(entry)
    return out


def schedule_to_payload(shop: Shop, schedule: Sequence[ScheduledOperation]) -> dict[str, Any]:
    """The payload ``{"operations": [...]}`` of a schedule of ``shop``."""
    return {"operations": operations_payload(shop.jobs, shop.machines, schedule, shop.clock)}
