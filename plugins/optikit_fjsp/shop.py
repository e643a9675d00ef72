"""The flexible job-shop data model shared by every scheduling problem type.

``fjsp``, ``energy-scheduling`` and vendor scheduling plugins parse the common part of a
document (machines, jobs, operations, modes, setups) with :func:`parse_shop`, and check
the common part of a schedule with :func:`check_schedule`.  Type-specific fields stay in
each element's ``raw`` mapping so that other types can read them without this module
knowing about them.

Index conventions: machines, jobs and operations are referred to by position (0-based) in
the model; ids appear only at the edges (documents and payloads).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit.types import InvalidProblem, Violation


@dataclass(frozen=True)
class Mode:
    """One way to run an operation: on ``machine`` (index) for ``duration`` time units."""

    machine: int
    duration: int
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Operation:
    job: int
    index: int
    modes: tuple[Mode, ...]

    @property
    def min_duration(self) -> int:
        return min(m.duration for m in self.modes)


@dataclass(frozen=True)
class Job:
    id: str
    operations: tuple[Operation, ...]
    product: str | None = None
    release: int = 0
    due: int | None = None
    weight: float = 1.0
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Machine:
    id: str
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Shop:
    """Machines, jobs and sequence-dependent setups of a flexible job shop."""

    machines: tuple[Machine, ...]
    jobs: tuple[Job, ...]
    # (machine index, from product, to product) -> setup time; missing pairs are 0.
    setups: Mapping[tuple[int, str, str], int] = field(default_factory=dict)

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
        return release + total + max_setup * self.num_operations + 1


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


def _int(value: Any, path: str, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise InvalidProblem(path, f"must be an integer, not {value!r}")
    if minimum is not None and value < minimum:
        raise InvalidProblem(path, f"must be >= {minimum}")
    return int(value)


def parse_shop(doc: Mapping[str, Any]) -> Shop:
    """Build a :class:`Shop` from a document's ``machines``, ``jobs`` and ``setups``.

    Schema validation has run before this; here the cross-references are checked
    (unique ids, known machines, products named in setups).
    """
    machines_doc = _require(doc, "machines", "")
    if not isinstance(machines_doc, list) or not machines_doc:
        raise InvalidProblem("machines", "must be a non-empty list")
    machines: list[Machine] = []
    seen: dict[str, int] = {}
    for i, m in enumerate(machines_doc):
        mid = str(_require(m, "id", f"machines[{i}]"))
        if mid in seen:
            raise InvalidProblem(f"machines[{i}].id", f"duplicate machine id {mid!r}")
        seen[mid] = i
        machines.append(Machine(mid, dict(m)))

    jobs_doc = _require(doc, "jobs", "")
    if not isinstance(jobs_doc, list) or not jobs_doc:
        raise InvalidProblem("jobs", "must be a non-empty list")
    jobs: list[Job] = []
    job_ids: set[str] = set()
    for j, jd in enumerate(jobs_doc):
        path = f"jobs[{j}]"
        jid = str(_require(jd, "id", path))
        if jid in job_ids:
            raise InvalidProblem(f"{path}.id", f"duplicate job id {jid!r}")
        job_ids.add(jid)
        ops_doc = _require(jd, "operations", path)
        if not isinstance(ops_doc, list) or not ops_doc:
            raise InvalidProblem(f"{path}.operations", "must be a non-empty list")
        ops: list[Operation] = []
        for o, od in enumerate(ops_doc):
            opath = f"{path}.operations[{o}]"
            modes_doc = _require(od, "modes", opath)
            if not isinstance(modes_doc, list) or not modes_doc:
                raise InvalidProblem(f"{opath}.modes", "must be a non-empty list")
            modes: list[Mode] = []
            for k, md in enumerate(modes_doc):
                mpath = f"{opath}.modes[{k}]"
                mname = str(_require(md, "machine", mpath))
                if mname not in seen:
                    raise InvalidProblem(f"{mpath}.machine", f"unknown machine {mname!r}")
                dur = _int(_require(md, "duration", mpath), f"{mpath}.duration")
                modes.append(Mode(seen[mname], dur, dict(md)))
            ops.append(Operation(j, o, tuple(modes)))
        release = _int(jd.get("release", 0), f"{path}.release")
        due = jd.get("due")
        due_int = None if due is None else _int(due, f"{path}.due")
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
    return Shop(tuple(machines), tuple(jobs), setups)


def schedule_from_payload(
    shop: Shop, payload: Mapping[str, Any]
) -> tuple[list[ScheduledOperation], list[Violation]]:
    """Read ``payload['operations']`` into indexed form, reporting malformed entries.

    Every operation of every job must appear exactly once.  ``machine`` must be the
    machine of the chosen ``mode``; ``end - start`` must equal the mode's duration.
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
        except (KeyError, TypeError, ValueError) as exc:
            violations.append(Violation("payload", f"{where}: missing or unknown {exc}"))
            continue
        if not all(isinstance(v, int | float) and int(v) == v for v in (start, end)):
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
        if int(end) - int(start) != mode.duration:
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


def check_schedule(shop: Shop, schedule: Sequence[ScheduledOperation]) -> list[Violation]:
    """Release, precedence, machine capacity and setups of an indexed schedule."""
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


def completion_times(shop: Shop, schedule: Sequence[ScheduledOperation]) -> list[int]:
    """End of each job's last operation (0 for a job with nothing scheduled)."""
    done = [0] * len(shop.jobs)
    for s in schedule:
        if s.operation == len(shop.jobs[s.job].operations) - 1:
            done[s.job] = max(done[s.job], s.end)
    return done


def makespan(schedule: Sequence[ScheduledOperation]) -> int:
    return max((s.end for s in schedule), default=0)


def weighted_tardiness(shop: Shop, schedule: Sequence[ScheduledOperation]) -> float:
    total = 0.0
    for job, c in zip(shop.jobs, completion_times(shop, schedule), strict=True):
        if job.due is not None and c > job.due:
            total += job.weight * (c - job.due)
    return total


def schedule_to_payload(shop: Shop, schedule: Sequence[ScheduledOperation]) -> dict[str, Any]:
    """The contract's ``operations[]`` payload, sorted by machine then start."""
    ordered = sorted(schedule, key=lambda s: (s.start, s.machine, s.job, s.operation))
    return {
        "operations": [
            {
                "job": shop.jobs[s.job].id,
                "operation": s.operation,
                "mode": s.mode,
                "machine": shop.machines[s.machine].id,
                "start": s.start,
                "end": s.end,
            }
            for s in ordered
        ]
    }
