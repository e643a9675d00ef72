"""Why a job finishes when it does: the chain of constraints behind its completion.

Walking back from a job's last operation, each operation's start is explained by the
constraint that held it there ("binding"): its job's previous operation ending, its
machine's previous operation ending plus the changeover, its job's release, or (with
shift calendars) the machine being closed until a working window opened.  Following the
binding predecessor gives a chain of operations through jobs and machines back to the
start of the schedule: the critical path of that one job.

Ties: when the job's previous operation and the machine's previous operation (plus
setup) end at the same moment, the job's own route is followed (it reads more naturally;
either is a valid critical path); a machine predecessor ending exactly at a first
operation's release is followed rather than stopping at the release.

Bottleneck rule: the machine holding the largest share of the chain's time, counting for
each operation of the chain on that machine its processing time (``end - start``, which
includes pauses of an interruptible operation over breaks), the changeover before it, and
the time it waited for the machine's shift to open or for another occupation of the
machine (a maintenance task, ...) to end.  Ties go to the machine met latest in
the chain (closest to the late completion).

Any scheduling type built on :mod:`optikit.scheduling` can use it; calendars enter only as
per-machine lists of working windows, so this module needs no calendar class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit.scheduling.model import ScheduledOperation, Shop, completion_times

# Link kinds: why a step starts when it does.
JOB = "job"            # its job's previous operation ended
MACHINE = "machine"    # its machine's previous operation ended (+ changeover)
RELEASE = "release"    # its job's release date (chain root)
START = "start"        # time 0, nothing before it (chain root)
CALENDAR = "calendar"  # ready earlier, but the machine was closed until its shift opened
BUSY = "busy"          # ready earlier, but the machine was busy with something else
IDLE = "idle"          # ready earlier and nothing explains the wait (not left-shifted)

Windows = Mapping[int, Sequence[tuple[int, int]]]
# Other occupations of a machine (maintenance, ...): machine -> [(start, end, label)].
Busy = Mapping[int, Sequence[tuple[int, int, str]]]


@dataclass(frozen=True)
class ChainStep:
    """One operation of a chain and why it starts at ``op.start``.

    ``ready`` is the earliest start the job, machine and release constraints allow;
    ``cause`` is the kind of that constraint (``job``, ``machine``, ``release`` or
    ``start``); ``link`` is ``cause`` unless the operation started later than ``ready``
    (``calendar``, ``busy`` or ``idle``; the wait is ``op.start - ready``; ``note`` names
    what kept a ``busy`` machine).  ``after`` is the operation it waited for (the previous
    step of the chain), ``setup`` the changeover before it when that was on its machine.
    """

    op: ScheduledOperation
    link: str
    cause: str
    ready: int
    setup: int = 0
    after: ScheduledOperation | None = None
    note: str = ""

    @property
    def wait(self) -> int:
        return self.op.start - self.ready


@dataclass(frozen=True)
class JobChain:
    """The chain behind job ``job``'s completion, earliest step first."""

    job: int
    completion: int
    lateness: int
    steps: tuple[ChainStep, ...]
    machine_time: Mapping[int, int] = field(default_factory=dict)
    bottleneck: int | None = None


def _closed_between(windows: Sequence[tuple[int, int]], ready: int, start: int) -> bool:
    """Was the machine closed at some moment in ``[ready, start)``?  (``windows``: its
    sorted working windows; none means open around the clock.)"""
    if not windows:
        return False
    t = ready
    for a, b in windows:
        if b <= t:
            continue
        if a > t:
            return t < start
        t = b
        if t >= start:
            return False
    return t < start


class _Index:
    """Schedule lookups: operation by (job, index), machine predecessor by operation.

    The machine predecessor is the latest operation on the machine that ended by the
    operation's start (operations running alongside it, as in a batch, are skipped).
    """

    def __init__(self, schedule: Sequence[ScheduledOperation]) -> None:
        self.by_key = {(s.job, s.operation): s for s in schedule}
        self.machine_prev: dict[tuple[int, int], ScheduledOperation] = {}
        by_machine: dict[int, list[ScheduledOperation]] = {}
        for s in schedule:
            by_machine.setdefault(s.machine, []).append(s)
        for ops in by_machine.values():
            ops.sort(key=lambda s: (s.start, s.end))
            for i, b in enumerate(ops):
                before = [a for a in ops[max(0, i - 64):i] if a.end <= b.start]
                if before:
                    self.machine_prev[(b.job, b.operation)] = max(before, key=lambda a: a.end)


def _busy_with(busy: Sequence[tuple[int, int, str]], ready: int,
               start: int) -> tuple[int, str] | None:
    """The latest occupation of the machine in ``[ready, start)``: (its end, its label)."""
    labels = [(b, label) for a, b, label in busy if a < start and b > ready]
    return max(labels) if labels else None


def _step(shop: Shop, index: _Index, s: ScheduledOperation, windows: Windows,
          busy: Busy) -> ChainStep:
    job = shop.jobs[s.job]
    ready, cause, after, setup = (job.release, RELEASE if job.release > 0 else START, None, 0)
    if s.operation > 0:
        prev = index.by_key.get((s.job, s.operation - 1))
        if prev is not None:
            ready, cause, after = prev.end, JOB, prev
    mprev = index.machine_prev.get((s.job, s.operation))
    if mprev is not None:
        need = shop.setup_time(s.machine, mprev.job, s.job)
        if mprev.end + need > ready or (after is None and mprev.end + need >= ready > 0):
            ready, cause, after, setup = mprev.end + need, MACHINE, mprev, need
    link, note = cause, ""
    if s.start > ready:
        occupied = _busy_with(busy.get(s.machine, ()), ready, s.start)
        closed = _closed_between(windows.get(s.machine, ()), ready, s.start)
        if occupied is not None and (occupied[0] >= s.start or not closed):
            link, note = BUSY, occupied[1]  # busy until it started (or nothing else)
        else:
            link = CALENDAR if closed else IDLE
    return ChainStep(s, link, cause, ready, setup, after, note)


def job_chain(
    shop: Shop,
    schedule: Sequence[ScheduledOperation],
    job: int,
    windows: Windows | None = None,
    busy: Busy | None = None,
    *,
    index: _Index | None = None,
) -> JobChain:
    """The chain that ends with job ``job``'s last operation, and its bottleneck.

    ``windows``: sorted working windows ``[start, end)`` per machine index, for machines
    with a calendar (the others are open around the clock).  ``busy``: other occupations
    of machines (maintenance tasks, ...) that operations may have waited for.  ``index``:
    the schedule's lookups, when many chains of one schedule are built.
    """
    index = index or _Index(schedule)
    windows = windows or {}
    last = len(shop.jobs[job].operations) - 1
    current = index.by_key.get((job, last))
    steps: list[ChainStep] = []
    seen: set[tuple[int, int]] = set()
    while current is not None and (current.job, current.operation) not in seen:
        seen.add((current.job, current.operation))
        step = _step(shop, index, current, windows, busy or {})
        steps.append(step)
        current = step.after
    steps.reverse()
    completion = completion_times(shop, schedule)[job]
    due = shop.jobs[job].due
    lateness = max(0, completion - due) if due is not None else 0
    time = machine_time(steps)
    return JobChain(job, completion, lateness, tuple(steps), time, bottleneck(steps, time))


def machine_time(steps: Sequence[ChainStep]) -> dict[int, int]:
    """Per machine: processing + changeover + shift waits of the chain's steps on it."""
    time: dict[int, int] = {}
    for step in steps:
        extra = step.setup + (step.wait if step.link in (CALENDAR, BUSY) else 0)
        time[step.op.machine] = time.get(step.op.machine, 0) + step.op.end - step.op.start + extra
    return time


def bottleneck(steps: Sequence[ChainStep], time: Mapping[int, int] | None = None) -> int | None:
    """The machine with the most chain time; ties go to the one met latest in the chain."""
    time = machine_time(steps) if time is None else time
    if not time:
        return None
    last_seen = {step.op.machine: i for i, step in enumerate(steps)}
    return max(time, key=lambda m: (time[m], last_seen[m]))


def late_chains(
    shop: Shop,
    schedule: Sequence[ScheduledOperation],
    windows: Windows | None = None,
    limit: int | None = None,
    busy: Busy | None = None,
) -> list[JobChain]:
    """Chains of the late jobs with weight > 0, most weighted lateness first."""
    done = completion_times(shop, schedule)
    late = [
        j for j, job in enumerate(shop.jobs)
        if job.due is not None and job.weight > 0 and done[j] > job.due
    ]
    late.sort(key=lambda j: (-shop.jobs[j].weight * (done[j] - (shop.jobs[j].due or 0)), j))
    if limit is not None:
        late = late[:limit]
    index = _Index(schedule)
    return [job_chain(shop, schedule, j, windows, busy, index=index) for j in late]


def chain_to_dict(shop: Shop, chain: JobChain) -> dict[str, Any]:
    """A chain as JSON-ready data (ids, not indices)."""
    job = shop.jobs[chain.job]
    steps = []
    for step in chain.steps:
        entry: dict[str, Any] = {
            "job": shop.jobs[step.op.job].id,
            "operation": step.op.operation,
            "machine": shop.machines[step.op.machine].id,
            "start": step.op.start,
            "end": step.op.end,
            "link": step.link,
            "cause": step.cause,
            "ready": step.ready,
        }
        if step.setup:
            entry["setup"] = step.setup
        if step.wait:
            entry["wait"] = step.wait
        if step.note:
            entry["busy_with"] = step.note
        if step.after is not None:
            entry["after"] = {"job": shop.jobs[step.after.job].id,
                              "operation": step.after.operation}
        steps.append(entry)
    return {
        "job": job.id,
        "due": job.due,
        "completion": chain.completion,
        "lateness": chain.lateness,
        "weighted_lateness": job.weight * chain.lateness,
        "bottleneck": None if chain.bottleneck is None else shop.machines[chain.bottleneck].id,
        "machine_time": {shop.machines[m].id: t for m, t in sorted(chain.machine_time.items())},
        "chain": steps,
        "text": chain_text(shop, chain),
    }


def chain_text(shop: Shop, chain: JobChain, max_groups: int = 6) -> str:
    """``PRESS1 (O2, setup 3, O5) -> WELD1 -> PAINT``: machines in chain order; in
    brackets the queue on a machine (jobs in the order they ran, changeovers) and waits."""
    unit = time_unit(shop)

    def span(amount: int) -> str:
        return duration_text(amount, unit)

    groups: list[tuple[str, list[tuple[str, str, int]]]] = []  # machine, (kind, text, value)
    for step in chain.steps:
        machine = shop.machines[step.op.machine].id
        items: list[tuple[str, str, int]] = []
        if step.cause == RELEASE and step is chain.steps[0]:
            items.append(("wait", f"released {step.ready}", 0))
        if step.link == CALENDAR:
            items.append(("wait", f"closed {span(step.wait)}", step.wait))
        elif step.link == BUSY:
            items.append(("wait", f"{step.note} {span(step.wait)}", step.wait))
        elif step.link == IDLE:
            items.append(("wait", f"idle {span(step.wait)}", step.wait))
        if step.setup:
            items.append(("setup", f"setup {span(step.setup)}", step.setup))
        label = shop.jobs[step.op.job].id
        if not (groups and groups[-1][0] == machine and not items
                and groups[-1][1][-1][:2] == ("job", label)):
            items.append(("job", label, 0))  # the same job again on the machine: once
        if groups and groups[-1][0] == machine:  # the queue on one machine
            groups[-1][1].extend(items)
        else:
            groups.append((machine, items))
    late = shop.jobs[chain.job].id
    parts = [_group_text(machine, items, late, unit) for machine, items in groups]
    if len(parts) > max_groups:
        parts = ["...", *parts[-max_groups:]]
    return " -> ".join(parts)


def _group_text(machine: str, items: list[tuple[str, str, int]], late: str,
                unit: str | None) -> str:
    """One machine of a chain: ``PRESS1 (O1, setup 3, O3)``; long queues are shortened
    to their first and last two jobs, with the changeovers added up."""
    if items == [("job", late, 0)]:
        return machine
    jobs = [text for kind, text, _ in items if kind == "job"]
    if len(jobs) <= 4:
        texts = [text for _kind, text, _value in items]
    else:
        setups = sum(value for kind, _text, value in items if kind == "setup")
        texts = [text for kind, text, _ in items if kind == "wait"]
        texts += [*jobs[:2], f"{len(jobs) - 4} more", *jobs[-2:]]
        texts += [f"setups {duration_text(setups, unit)}"] if setups else []
    return f"{machine} ({', '.join(texts)})"


UNIT_ABBREVIATIONS = {"second": "s", "minute": "min", "hour": "h", "day": "d"}


def machine_windows(shop: Shop, horizon: int) -> dict[int, list[tuple[int, int]]]:
    """Working windows up to ``horizon`` of the machines that have a calendar."""
    windows: dict[int, list[tuple[int, int]]] = {}
    for m in range(len(shop.machines)):
        calendar = shop.calendar(m)
        if calendar is not None:
            windows[m] = calendar.working_windows(horizon)
    return windows


def time_unit(shop: Shop) -> str | None:
    """The shop's time unit (second, minute, hour, day) when its document gives a clock."""
    return shop.clock.unit if shop.clock is not None else None


def duration_text(amount: float, unit: str | None) -> str:
    """``40 min`` with a known time unit, else ``40`` (time units)."""
    text = f"{amount:g}"
    return f"{text} {UNIT_ABBREVIATIONS.get(unit, unit)}" if unit else text


def why_late(
    shop: Shop,
    schedule: Sequence[ScheduledOperation],
    limit: int | None = None,
    busy: Busy | None = None,
) -> list[dict[str, Any]]:
    """The chains of the late jobs (weight > 0), most weighted lateness first, as data."""
    horizon = max((s.end for s in schedule), default=0) + 1
    chains = late_chains(shop, schedule, machine_windows(shop, horizon), limit, busy)
    return [chain_to_dict(shop, chain) for chain in chains]


def why_late_lines(entries: Sequence[Mapping[str, Any]], unit: str | None) -> list[str]:
    """One line per entry of :func:`why_late`:
    ``O5 late by 40 min: PRESS1 (O2, setup 3, O5) -> WELD1 -> PAINT; bottleneck PAINT``."""
    lines = []
    for e in entries:
        weight = e["weighted_lateness"] / e["lateness"] if e["lateness"] else 1.0
        weighted = "" if weight == 1 else f" (weight {weight:g})"
        lines.append(
            f"{e['job']} late by {duration_text(e['lateness'], unit)}{weighted}: "
            f"{e['text']}; bottleneck {e['bottleneck']}"
        )
    return lines


def payload_busy(shop: Shop, payload: Mapping[str, Any]) -> dict[int, list[tuple[int, int, str]]]:
    """Machine occupations besides ``operations`` in a payload: entries of its other lists
    with a known ``machine`` and integer ``start``/``end`` (``maintenance[]``, ...),
    labelled ``maintenance refractory-repair``."""
    index = shop.machine_index
    busy: dict[int, list[tuple[int, int, str]]] = {}
    for key, entries in payload.items():
        if key == "operations" or not isinstance(entries, list):
            continue
        for e in entries:
            if not isinstance(e, Mapping) or str(e.get("machine")) not in index:
                continue
            a, b = e.get("start"), e.get("end")
            if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool):
                name = e.get("task", e.get("id", ""))
                label = f"{key} {name}".strip()
                busy.setdefault(index[str(e["machine"])], []).append((a, b, label))
    return busy


#: Late jobs named in a summary (``optikit why-late`` lists them all).
SUMMARY_JOBS = 3


def summary_rows(
    shop: Shop,
    schedule: Sequence[ScheduledOperation],
    unit: str | None = None,
    busy: Busy | None = None,
) -> list[tuple[str, str]]:
    """``why late`` summary rows of any scheduling type: the worst late jobs' chains
    (none when no job with weight > 0 is late).  ``unit``: the time unit's name, default
    the clock's."""
    entries = why_late(shop, schedule, busy=busy)
    if not entries:
        return []
    rows = [("why late", f"worst {min(len(entries), SUMMARY_JOBS)} of {len(entries)}: "
                         "chain of machines (queue, setups, waits); bottleneck")]
    lines = why_late_lines(entries[:SUMMARY_JOBS], unit or time_unit(shop))
    if len(entries) > SUMMARY_JOBS:
        lines.append("... all of them, and the overtime what-if: optikit why-late")
    return rows + [("", line) for line in lines]
