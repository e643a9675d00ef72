"""The flexible job-shop data model shared by every scheduling problem type.

``fjsp``, ``energy-scheduling``, ``maintenance`` and vendor scheduling plugins parse the
common part of a document (machines, jobs, operations, modes, setups) with
:func:`parse_shop`.  Type-specific fields stay in each element's ``raw`` mapping so that
other types can read them without this module knowing about them; a type that needs
typed extra fields subclasses :class:`Machine` or :class:`Job` (keyword-only fields).

Index conventions: machines, jobs and operations are referred to by position (0-based) in
the model; ids appear only at the edges (documents and payloads).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit.scheduling.calendar import (
    Calendar,
    CalendarExhausted,
    CalendarTooFine,
    Clock,
    parse_calendars,
    parse_clock,
    time_value,
)
from optikit.types import InvalidProblem


@dataclass(frozen=True)
class Mode:
    """One way to run an operation: on ``machine`` (index) for ``duration`` time units."""

    machine: int
    duration: int
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Operation:
    """Operation ``index`` of job ``job`` (indices), run in one of its ``modes``."""

    job: int
    index: int
    modes: tuple[Mode, ...]
    # May pause over non-working time of its machine's calendar and resume.
    interruptible: bool = False

    @property
    def min_duration(self) -> int:
        return min(m.duration for m in self.modes)


@dataclass(frozen=True)
class Job:
    """A job: operations in processing order, its product family, release, due, weight."""

    id: str
    operations: tuple[Operation, ...]
    product: str | None = None
    release: int = 0
    due: int | None = None
    weight: float = 1.0
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Machine:
    """A machine; a type's own fields stay in ``raw`` or in a subclass."""

    id: str
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Shop:
    """Machines, jobs and sequence-dependent setups of a flexible job shop."""

    machines: tuple[Machine, ...]
    jobs: tuple[Job, ...]
    # (machine index, from product, to product) -> setup time; missing pairs are 0.
    setups: Mapping[tuple[int, str, str], int] = field(default_factory=dict)
    # Working-time calendar per machine (None: always available); empty: no calendars.
    calendars: tuple[Calendar | None, ...] = ()
    # Clock time of t = 0 and the time unit, when the document gives ``start``.
    clock: Clock | None = None

    @property
    def has_calendars(self) -> bool:
        return any(c is not None for c in self.calendars)

    def calendar(self, machine: int) -> Calendar | None:
        """The working-time calendar of ``machine`` (None: always available)."""
        return self.calendars[machine] if self.calendars else None

    @property
    def machine_index(self) -> dict[str, int]:
        return {m.id: i for i, m in enumerate(self.machines)}

    @property
    def job_index(self) -> dict[str, int]:
        return {j.id: i for i, j in enumerate(self.jobs)}

    @property
    def has_setups(self) -> bool:
        return any(v > 0 for v in self.setups.values())

    @property
    def num_operations(self) -> int:
        return sum(len(j.operations) for j in self.jobs)

    def operations(self) -> Iterable[Operation]:
        for job in self.jobs:
            yield from job.operations

    def setup_time(self, machine: int, before_job: int, after_job: int) -> int:
        """Changeover on ``machine`` when ``after_job`` follows ``before_job`` directly."""
        a, b = self.jobs[before_job].product, self.jobs[after_job].product
        if a is None or b is None:
            return 0
        return self.setups.get((machine, a, b), 0)

    def horizon(self) -> int:
        """A safe upper bound on any sensible schedule's makespan."""
        total = sum(max(m.duration for m in op.modes) for op in self.operations())
        max_setup = max(self.setups.values(), default=0)
        release = max((j.release for j in self.jobs), default=0)
        if self.has_calendars:
            return self._calendar_horizon(release, max_setup)
        return release + total + max_setup * self.num_operations + 1

    def _calendar_horizon(self, release: int, max_setup: int) -> int:
        """End of all operations run one after another, each as early as it fits.

        Every earliest-fit end is non-decreasing in the ready time, so any chain of a
        semi-active schedule ends no later than this serial one.  A calendar that runs
        out (no ``repeat``) caps it with the end of its last window.
        """
        t = release
        cap = 0
        for op in self.operations():
            ends = []
            for mode in op.modes:
                cal = self.calendar(mode.machine)
                ready = t + max_setup
                if cal is None:
                    ends.append(ready + mode.duration)
                    continue
                s = cal.earliest_start(ready, mode.duration, op.interruptible)
                if s is None:
                    windows = cal.working_windows(1 << 62)
                    cap = max(cap, windows[-1][1] if windows else 0)
                    continue
                try:
                    ends.append(cal.finish(s, mode.duration) if op.interruptible
                                else s + mode.duration)
                except CalendarExhausted:  # pragma: no cover - earliest_start checked it
                    continue
            t = max(ends, default=t)
        return max(t, cap) + 1


@dataclass(frozen=True)
class ScheduledOperation:
    """One operation of a schedule, by index (job, operation, mode, machine)."""

    job: int
    operation: int
    mode: int
    machine: int
    start: int
    end: int


def _require(doc: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in doc:
        raise InvalidProblem(f"{path}.{key}" if path else key, "is required")
    return doc[key]


def _nonempty_list(doc: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = _require(doc, key, path)
    if not isinstance(value, list) or not value:
        raise InvalidProblem(f"{path}.{key}" if path else key, "must be a non-empty list")
    return value


def _int(value: Any, path: str, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise InvalidProblem(path, f"must be an integer, not {value!r}")
    if minimum is not None and value < minimum:
        raise InvalidProblem(path, f"must be >= {minimum}")
    return int(value)


def parse_shop(doc: Mapping[str, Any], clock: Clock | None = None) -> Shop:
    """Build a :class:`Shop` from a document's ``machines``, ``jobs`` and ``setups``.

    Schema validation has run before this; here the cross-references are checked
    (unique ids, known machines, products named in setups).  ``clock``: a type whose
    time unit is not ``time_unit`` (energy's ``time_step``) passes its own; by default
    it is read from ``start`` and ``time_unit``.
    """
    clock = parse_clock(doc) if clock is None else clock
    machines_doc = _nonempty_list(doc, "machines", "")
    machines: list[Machine] = []
    seen: dict[str, int] = {}
    for i, m in enumerate(machines_doc):
        mid = str(_require(m, "id", f"machines[{i}]"))
        if mid in seen:
            raise InvalidProblem(f"machines[{i}].id", f"duplicate machine id {mid!r}")
        seen[mid] = i
        machines.append(Machine(mid, dict(m)))

    jobs_doc = _nonempty_list(doc, "jobs", "")
    jobs: list[Job] = []
    job_ids: set[str] = set()
    for j, jd in enumerate(jobs_doc):
        path = f"jobs[{j}]"
        jid = str(_require(jd, "id", path))
        if jid in job_ids:
            raise InvalidProblem(f"{path}.id", f"duplicate job id {jid!r}")
        job_ids.add(jid)
        ops_doc = _nonempty_list(jd, "operations", path)
        ops: list[Operation] = []
        for o, od in enumerate(ops_doc):
            opath = f"{path}.operations[{o}]"
            modes_doc = _nonempty_list(od, "modes", opath)
            modes: list[Mode] = []
            for k, md in enumerate(modes_doc):
                mpath = f"{opath}.modes[{k}]"
                mname = str(_require(md, "machine", mpath))
                if mname not in seen:
                    raise InvalidProblem(f"{mpath}.machine", f"unknown machine {mname!r}")
                dur = _int(_require(md, "duration", mpath), f"{mpath}.duration")
                modes.append(Mode(seen[mname], dur, dict(md)))
            ops.append(Operation(j, o, tuple(modes), bool(od.get("interruptible", False))))
        release = time_value(jd.get("release", 0), f"{path}.release", clock)
        due = jd.get("due")
        due_int = None if due is None else time_value(due, f"{path}.due", clock)
        weight = jd.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise InvalidProblem(f"{path}.weight", "must be a number >= 0")
        product = jd.get("product")
        jobs.append(
            Job(
                id=jid,
                operations=tuple(ops),
                product=None if product is None else str(product),
                release=release,
                due=due_int,
                weight=float(weight),
                raw=dict(jd),
            )
        )

    setups: dict[tuple[int, str, str], int] = {}
    setups_doc = doc.get("setups") or {}
    if not isinstance(setups_doc, Mapping):
        raise InvalidProblem("setups", "must be a mapping machine -> from -> to -> time")
    products = {j.product for j in jobs if j.product is not None}
    for mname, table in setups_doc.items():
        if str(mname) not in seen:
            raise InvalidProblem(f"setups.{mname}", f"unknown machine {mname!r}")
        if not isinstance(table, Mapping):
            raise InvalidProblem(f"setups.{mname}", "must be a mapping from -> to -> time")
        for a, row in table.items():
            if str(a) not in products:
                raise InvalidProblem(f"setups.{mname}.{a}", f"no job has product {a!r}")
            if not isinstance(row, Mapping):
                raise InvalidProblem(f"setups.{mname}.{a}", "must be a mapping to -> time")
            for b, t in row.items():
                if str(b) not in products:
                    raise InvalidProblem(f"setups.{mname}.{a}.{b}", f"no job has product {b!r}")
                setups[(seen[str(mname)], str(a), str(b))] = _int(t, f"setups.{mname}.{a}.{b}")
    calendars = parse_calendars(doc, machines_doc, clock)
    if not any(c is not None for c in calendars):
        calendars = ()
    shop = Shop(tuple(machines), tuple(jobs), setups, calendars, clock)
    try:
        _check_fits(jobs, machines, calendars)
        shop.horizon()  # the models need it: refuse a calendar too fine for it here
    except CalendarTooFine as exc:
        raise InvalidProblem("calendars", str(exc)) from None
    return shop


def _check_fits(
    jobs: Sequence[Job], machines: Sequence[Machine], calendars: Sequence[Calendar | None]
) -> None:
    """Every operation must fit its machine's working time in at least one mode."""
    if not calendars:
        return
    for j, job in enumerate(jobs):
        for o, op in enumerate(job.operations):
            why = []
            for mode in op.modes:
                cal = calendars[mode.machine]
                if cal is None or cal.can_ever_fit(mode.duration, op.interruptible):
                    break
                what = (
                    "working time" if op.interruptible
                    else f"its longest working window {cal.longest_window()}"
                )
                why.append(
                    f"{machines[mode.machine].id} (calendar {cal.name!r}): {mode.duration} > {what}"
                )
            else:
                raise InvalidProblem(
                    f"jobs[{j}].operations[{o}]",
                    "can never fit any working window: " + "; ".join(why)
                    + ("" if op.interruptible else " (or mark it `interruptible: true`)"),
                )


def completion_times(shop: Shop, schedule: Sequence[ScheduledOperation]) -> list[int]:
    """End of each job's last operation (0 for a job with nothing scheduled)."""
    done = [0] * len(shop.jobs)
    for s in schedule:
        if s.operation == len(shop.jobs[s.job].operations) - 1:
            done[s.job] = max(done[s.job], s.end)
    return done


def makespan(schedule: Sequence[ScheduledOperation]) -> int:
    """The latest end of the schedule (0 when it is empty)."""
    return max((s.end for s in schedule), default=0)


def weighted_tardiness(shop: Shop, schedule: Sequence[ScheduledOperation]) -> float:
    """Sum over jobs with a due date of ``weight x max(0, completion - due)``."""
    total = 0.0
    for job, c in zip(shop.jobs, completion_times(shop, schedule), strict=True):
        if job.due is not None and c > job.due:
            total += job.weight * (c - job.due)
    return total


