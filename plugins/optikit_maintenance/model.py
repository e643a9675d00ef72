"""The maintenance problem as Python objects, and the rules a schema cannot say.

Money and probabilities are kept as exact fractions (read from the decimal text of each
number), so the checker's objective is exact and the CP-SAT model can be scaled to
integers without rounding.  Machines, crews, tasks and jobs are referred to by position;
ids appear only in documents and payloads.

The model: production jobs are flexible job-shop jobs (the kernel's
:class:`optikit.scheduling.Job`, with an exact weight) on the same machines as the
maintenance tasks; nothing overlaps on a machine; a task needs
``technicians`` of its crew, while the crew is on shift; a machine's *renewing* task
resets its health, so it must start by ``rul - rul_safety`` when an RUL is given, and
the expected breakdown cost is ``P(breakdown before its start) x (repair_cost +
repair_time x downtime_cost)``, with the start taken as the horizon if it is skipped.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from optikit import scheduling
from optikit.scheduling import Mode, Operation
from optikit.scheduling.calendar import Calendar, Clock, parse_calendars, parse_clock
from optikit.types import InvalidProblem
from optikit.units import currency_of


def exact(value: Any) -> Fraction:
    """A document number as the fraction its decimal text means (0.1 -> 1/10)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(repr(float(value)))


@dataclass(frozen=True)
class Curve:
    """A piecewise-linear function of time through ``points`` (constant outside them)."""

    times: tuple[int, ...]
    values: tuple[Fraction, ...]

    def at(self, t: int) -> Fraction:
        i = bisect.bisect_right(self.times, t)
        if i == 0:
            return self.values[0]
        if i == len(self.times):
            return self.values[-1]
        t0, t1 = self.times[i - 1], self.times[i]
        v0, v1 = self.values[i - 1], self.values[i]
        return v0 + (v1 - v0) * Fraction(t - t0, t1 - t0)


@dataclass(frozen=True)
class Failure:
    probability: Curve
    repair_time: int
    repair_cost: Fraction


@dataclass(frozen=True, kw_only=True)
class Machine(scheduling.Machine):
    """A kernel machine with its downtime cost, RUL estimate and breakdown risk."""

    downtime_cost: Fraction
    rul: int | None = None
    rul_safety: int = 0
    failure: Failure | None = None

    @property
    def deadline(self) -> int | None:
        """Latest start of the renewing task implied by the RUL estimate."""
        return None if self.rul is None else self.rul - self.rul_safety

    @property
    def breakdown_cost(self) -> Fraction:
        if self.failure is None:
            return Fraction(0)
        return self.failure.repair_cost + self.failure.repair_time * self.downtime_cost

    def expected_failure_cost(self, renewal_start: int) -> Fraction:
        """Expected breakdown cost when the machine is renewed at ``renewal_start``."""
        if self.failure is None:
            return Fraction(0)
        return self.failure.probability.at(renewal_start) * self.breakdown_cost


@dataclass(frozen=True)
class Crew:
    id: str
    size: int
    # Merged on-duty blocks [start, end); None: always on duty.
    shifts: tuple[tuple[int, int], ...] | None = None

    def covers(self, start: int, end: int) -> bool:
        """True when [start, end) lies inside one on-duty block."""
        if self.shifts is None:
            return True
        return any(a <= start and end <= b for a, b in self.shifts)


@dataclass(frozen=True)
class Task:
    id: str
    machine: int
    duration: int
    crew: int
    technicians: int
    earliest: int
    latest_end: int
    renews: bool
    optional: bool
    skip_cost: Fraction


@dataclass(frozen=True, kw_only=True)
class Job(scheduling.Job):
    """A kernel job whose tardiness weight is also kept exact (``weight`` is its float)."""

    exact_weight: Fraction = Fraction(1)


@dataclass(frozen=True)
class Weights:
    downtime_cost: Fraction = Fraction(1)
    tardiness: Fraction = Fraction(1)
    makespan: Fraction = Fraction(0)


@dataclass(frozen=True)
class Problem:
    horizon: int
    machines: tuple[Machine, ...]
    crews: tuple[Crew, ...]
    tasks: tuple[Task, ...]
    jobs: tuple[Job, ...]
    weights: Weights
    time_unit: str = ""
    # Working-time calendar per machine for production operations (empty: none).
    calendars: tuple[Calendar | None, ...] = ()
    currency: str = ""  # of money amounts, for reports (optikit.units)
    clock: Clock | None = None  # `start` and `time_unit`: clock times in reports

    def renewing_task(self, machine: int) -> int | None:
        for i, task in enumerate(self.tasks):
            if task.machine == machine and task.renews:
                return i
        return None

    def latest_start(self, task_index: int) -> int:
        """Last start allowed by the window, the horizon and (if renewing) the RUL."""
        task = self.tasks[task_index]
        last = task.latest_end - task.duration
        deadline = self.machines[task.machine].deadline
        if task.renews and deadline is not None:
            last = min(last, deadline)
        return last

    def must_perform(self, task_index: int) -> bool:
        """Mandatory tasks, and optional renewals of machines whose RUL ends too early."""
        task = self.tasks[task_index]
        if not task.optional:
            return True
        deadline = self.machines[task.machine].deadline
        return task.renews and deadline is not None and deadline < self.horizon

    @property
    def shop(self) -> scheduling.Shop:
        """The production part as the kernel's shop (no setups), for its payload and checks."""
        return scheduling.Shop(self.machines, self.jobs, calendars=self.calendars,
                               clock=self.clock)

    @property
    def num_operations(self) -> int:
        return sum(len(j.operations) for j in self.jobs)


# -- parsing --------------------------------------------------------------------------------


def _unique_ids(items: Sequence[Mapping[str, Any]], key: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, item in enumerate(items):
        if item["id"] in index:
            raise InvalidProblem(f"{key}[{i}].id", f"duplicate id {item['id']!r}")
        index[item["id"]] = i
    return index


def _reference(index: Mapping[str, int], name: str, field: str, what: str) -> int:
    if name not in index:
        raise InvalidProblem(field, f"unknown {what} {name!r}")
    return index[name]


def _curve(points: Sequence[Sequence[Any]], field: str) -> Curve:
    times = [int(p[0]) for p in points]
    values = [exact(p[1]) for p in points]
    for k in range(1, len(points)):
        if times[k] <= times[k - 1]:
            raise InvalidProblem(f"{field}[{k}]", "times must increase strictly")
        if values[k] < values[k - 1]:
            raise InvalidProblem(
                f"{field}[{k}]", "a breakdown probability by time t cannot decrease"
            )
    return Curve(tuple(times), tuple(values))


def _machine(raw: Mapping[str, Any], i: int) -> Machine:
    field = f"machines[{i}]"
    failure = None
    if "failure" in raw:
        f = raw["failure"]
        failure = Failure(
            _curve(f["probability"], f"{field}.failure.probability"),
            int(f.get("repair_time", 0)),
            exact(f.get("repair_cost", 0)),
        )
    if "rul_safety" in raw and "rul" not in raw:
        raise InvalidProblem(f"{field}.rul_safety", "needs rul")
    return Machine(
        id=raw["id"],
        raw=dict(raw),
        downtime_cost=exact(raw.get("downtime_cost", 0)),
        rul=raw.get("rul"),
        rul_safety=int(raw.get("rul_safety", 0)),
        failure=failure,
    )


def _crew(raw: Mapping[str, Any], i: int, horizon: int) -> Crew:
    if "shifts" not in raw:
        return Crew(raw["id"], int(raw["size"]))
    blocks: list[tuple[int, int]] = []
    for k, shift in enumerate(raw["shifts"]):
        field = f"crews[{i}].shifts[{k}]"
        start, end = int(shift["start"]), int(shift["end"])
        if end <= start:
            raise InvalidProblem(f"{field}.end", f"must be after start {start}")
        if end > horizon:
            raise InvalidProblem(f"{field}.end", f"must be <= horizon {horizon}")
        if blocks and start < blocks[-1][1]:
            raise InvalidProblem(f"{field}.start", "shifts must be sorted and not overlap")
        if blocks and start == blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], end)  # back-to-back shifts form one block
        else:
            blocks.append((start, end))
    return Crew(raw["id"], int(raw["size"]), tuple(blocks))


def _task(
    raw: Mapping[str, Any], i: int, horizon: int, machines: Mapping[str, int],
    crews: Mapping[str, int], crew_sizes: Sequence[int],
) -> Task:
    field = f"tasks[{i}]"
    machine = _reference(machines, raw["machine"], f"{field}.machine", "machine")
    crew = _reference(crews, raw["crew"], f"{field}.crew", "crew")
    duration = int(raw["duration"])
    technicians = int(raw.get("technicians", 1))
    if technicians > crew_sizes[crew]:
        raise InvalidProblem(
            f"{field}.technicians",
            f"needs {technicians} but crew {raw['crew']!r} has {crew_sizes[crew]}",
        )
    window = raw.get("window", {"start": 0, "end": horizon})
    earliest, latest_end = int(window["start"]), int(window["end"])
    if latest_end > horizon:
        raise InvalidProblem(f"{field}.window.end", f"must be <= horizon {horizon}")
    if latest_end - earliest < duration:
        where = f"{field}.window" if "window" in raw else f"{field}.duration"
        raise InvalidProblem(where, f"leaves less than the task's duration {duration}")
    optional = bool(raw.get("optional", False))
    if "skip_cost" in raw and not optional:
        raise InvalidProblem(f"{field}.skip_cost", "only an optional task can be skipped")
    return Task(
        raw["id"], machine, duration, crew, technicians, earliest, latest_end,
        bool(raw.get("renews", True)), optional, exact(raw.get("skip_cost", 0)),
    )


def _job(raw: Mapping[str, Any], j: int, horizon: int, machines: Mapping[str, int]) -> Job:
    field = f"jobs[{j}]"
    operations = []
    for o, op in enumerate(raw["operations"]):
        modes = []
        for k, mode in enumerate(op["modes"]):
            where = f"{field}.operations[{o}].modes[{k}].machine"
            modes.append(Mode(_reference(machines, mode["machine"], where, "machine"),
                              int(mode["duration"]), dict(mode)))
        operations.append(Operation(j, o, tuple(modes), bool(op.get("interruptible", False))))
    release = int(raw.get("release", 0))
    if release >= horizon:
        raise InvalidProblem(f"{field}.release", f"must be before the horizon {horizon}")
    due = raw.get("due")
    weight = exact(raw.get("weight", 1))
    return Job(
        id=raw["id"], operations=tuple(operations), release=release,
        due=None if due is None else int(due), weight=float(weight), raw=dict(raw),
        exact_weight=weight,
    )


def parse(document: Mapping[str, Any]) -> Problem:
    """Document -> :class:`Problem`; the JSON Schema has been checked before."""
    horizon = int(document["horizon"])
    machine_index = _unique_ids(document["machines"], "machines")
    crew_index = _unique_ids(document["crews"], "crews")
    _unique_ids(document["tasks"], "tasks")
    _unique_ids(document["jobs"], "jobs")
    if not document["tasks"] and not document["jobs"]:
        raise InvalidProblem("tasks", "nothing to schedule: no tasks and no jobs")
    machines = tuple(_machine(m, i) for i, m in enumerate(document["machines"]))
    crews = tuple(_crew(c, i, horizon) for i, c in enumerate(document["crews"]))
    sizes = [c.size for c in crews]
    tasks = tuple(
        _task(t, i, horizon, machine_index, crew_index, sizes)
        for i, t in enumerate(document["tasks"])
    )
    renewing: dict[int, int] = {}
    for i, task in enumerate(tasks):
        if task.renews:
            if task.machine in renewing:
                raise InvalidProblem(
                    f"tasks[{i}].renews",
                    f"machine {machines[task.machine].id!r} already has a renewing task "
                    f"({tasks[renewing[task.machine]].id!r}); mark others renews: false",
                )
            renewing[task.machine] = i
    for m, machine in enumerate(machines):
        if machine.rul is not None and m not in renewing:
            raise InvalidProblem(f"machines[{m}].rul", "needs a renewing maintenance task")
    jobs = tuple(_job(j, k, horizon, machine_index) for k, j in enumerate(document["jobs"]))
    w = document.get("objective", {})
    weights = Weights(
        exact(w.get("downtime_cost", 1)), exact(w.get("tardiness", 1)),
        exact(w.get("makespan", 0)),
    )
    clock = parse_clock(document)
    calendars = parse_calendars(document, document["machines"], clock)
    if not any(c is not None for c in calendars):
        calendars = ()
    problem = Problem(horizon, machines, crews, tasks, jobs, weights,
                      str(document.get("time_unit", "")), calendars,
                      currency=currency_of(document), clock=clock)
    _check_fits(problem)
    return problem


def _check_fits(problem: Problem) -> None:
    """Every operation must fit its machine's working time before the horizon."""
    if not problem.calendars:
        return
    for j, job in enumerate(problem.jobs):
        for o, op in enumerate(job.operations):
            if not any(_fits(problem, mode, op.interruptible, job.release) for mode in op.modes):
                raise InvalidProblem(
                    f"jobs[{j}].operations[{o}]",
                    f"can never fit any working window of its machines before the horizon "
                    f"{problem.horizon}" + ("" if op.interruptible else
                                           " (or mark it `interruptible: true`)"),
                )


def _fits(problem: Problem, mode: Mode, interruptible: bool, release: int) -> bool:
    cal = problem.calendars[mode.machine]
    if cal is None:
        return True
    start = cal.earliest_start(release, mode.duration, interruptible)
    if start is None:
        return False
    end = cal.finish(start, mode.duration) if interruptible else start + mode.duration
    return end <= problem.horizon
