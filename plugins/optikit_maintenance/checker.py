"""The independent checker of maintenance solutions.

It reads the payload, never a solver's internals, and recomputes everything: that each
operation and task is placed once with the right machine and duration, releases,
precedences (for operations both by the kernel, :mod:`optikit.scheduling`), windows,
RUL deadlines, the horizon, no overlap on any machine, crews on shift and never over
their size, and the cost parts (which must match the payload's
``costs`` when it states them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from optikit import scheduling
from optikit.types import CheckReport, Violation
from optikit_maintenance.costs import (
    Schedule,
    ScheduledTask,
    completion_times,
    evaluate,
)
from optikit_maintenance.model import Problem

COST_RTOL = 1e-6
COST_ATOL = 1e-6


def _as_int(value: Any) -> int | None:
    """An integral number as int (3.0 counts); None for anything else."""
    if isinstance(value, int | float) and not isinstance(value, bool) and \
            math.isfinite(value) and int(value) == value:
        return int(value)
    return None


def _read_tasks(problem: Problem, payload: Mapping[str, Any], schedule: Schedule,
                out: list[Violation]) -> None:
    entries, skipped = payload.get("maintenance"), payload.get("skipped", [])
    if not isinstance(entries, list) or not isinstance(skipped, list):
        out.append(Violation("payload", "maintenance and skipped must be lists"))
        return
    tasks = {t.id: i for i, t in enumerate(problem.tasks)}
    for n, e in enumerate(entries):
        where = f"maintenance[{n}]"
        if not isinstance(e, Mapping) or e.get("task") not in tasks:
            out.append(Violation("payload", f"{where}: not a known task"))
            continue
        t = tasks[e["task"]]
        task = problem.tasks[t]
        if t in schedule.tasks:
            out.append(Violation("payload", f"{where}: task {task.id} placed twice"))
            continue
        start, end = _as_int(e.get("start")), _as_int(e.get("end"))
        if start is None or end is None:
            out.append(Violation("payload", f"{where}: start and end must be integers"))
            continue
        machine = problem.machines[task.machine].id
        if e.get("machine", machine) != machine:
            out.append(Violation("eligibility", f"task {task.id} is on {machine}, "
                                                f"not {e.get('machine')!r}"))
        crew = problem.crews[task.crew].id
        if e.get("crew", crew) != crew:
            out.append(Violation("eligibility", f"task {task.id} is for crew {crew}, "
                                                f"not {e.get('crew')!r}"))
        if end - start != task.duration:
            out.append(Violation(
                "duration", f"task {task.id}: end - start = {end - start}, "
                f"it takes {task.duration}", float(abs(end - start - task.duration))))
        schedule.tasks[t] = ScheduledTask(t, start, end)
    for n, name in enumerate(skipped):
        if name not in tasks:
            out.append(Violation("payload", f"skipped[{n}]: unknown task {name!r}"))
            continue
        t = tasks[name]
        if t in schedule.tasks or t in schedule.skipped:
            out.append(Violation("payload", f"task {name} is both placed and skipped "
                                            "or skipped twice"))
        elif not problem.tasks[t].optional:
            out.append(Violation("mandatory", f"task {name} is not optional"))
        elif problem.must_perform(t):
            out.append(Violation("rul", f"task {name} cannot be skipped: the RUL of "
                                        f"{problem.machines[problem.tasks[t].machine].id} "
                                        "ends before the horizon"))
        else:
            schedule.skipped.add(t)
    for t, task in enumerate(problem.tasks):
        if t not in schedule.tasks and t not in schedule.skipped and task.id not in skipped:
            out.append(Violation("payload", f"task {task.id} is neither placed nor skipped"))


def _check_times(problem: Problem, schedule: Schedule, out: list[Violation]) -> None:
    h = problem.horizon
    for s in schedule.operations:
        job = problem.jobs[s.job]
        if s.start < 0 or s.end > h:
            out.append(Violation("horizon", f"job {job.id} op {s.operation} runs "
                                            f"[{s.start}, {s.end}) outside [0, {h}]"))
    out.extend(scheduling.check_job_times(problem.shop, schedule.operations))
    out.extend(scheduling.check_calendars(problem.shop, schedule.operations))
    for t, done in schedule.tasks.items():
        task = problem.tasks[t]
        if done.start < task.earliest or done.end > task.latest_end:
            out.append(Violation("window", f"task {task.id} runs [{done.start}, {done.end}) "
                                           f"outside its window [{task.earliest}, "
                                           f"{task.latest_end}]"))
        if done.start < 0 or done.end > h:
            out.append(Violation("horizon", f"task {task.id} runs [{done.start}, {done.end}) "
                                            f"outside [0, {h}]"))
        deadline = problem.machines[task.machine].deadline
        if task.renews and deadline is not None and done.start > deadline:
            out.append(Violation("rul", f"task {task.id} starts at {done.start}, after the RUL "
                                        f"deadline {deadline}", float(done.start - deadline)))


def _check_machines(problem: Problem, schedule: Schedule, out: list[Violation]) -> None:
    busy: dict[int, list[tuple[int, int, str]]] = {}
    for s in schedule.operations:
        busy.setdefault(s.machine, []).append(
            (s.start, s.end, f"job {problem.jobs[s.job].id} op {s.operation}"))
    for t, done in schedule.tasks.items():
        task = problem.tasks[t]
        busy.setdefault(task.machine, []).append((done.start, done.end, f"task {task.id}"))
    for m, items in busy.items():
        items.sort()
        latest_end, latest_name = None, ""
        for start, end, name in items:
            if latest_end is not None and start < latest_end:
                out.append(Violation("machine", f"on {problem.machines[m].id}: {name} overlaps "
                                                f"{latest_name}", float(latest_end - start)))
            if latest_end is None or end > latest_end:
                latest_end, latest_name = end, name


def _check_crews(problem: Problem, schedule: Schedule, out: list[Violation]) -> None:
    for c, crew in enumerate(problem.crews):
        mine = [(s.start, s.end, problem.tasks[t]) for t, s in schedule.tasks.items()
                if problem.tasks[t].crew == c]
        for start, end, task in mine:
            if not crew.covers(start, end):
                out.append(Violation("shift", f"task {task.id} runs [{start}, {end}) outside "
                                              f"crew {crew.id}'s shifts"))
        for start, _, _ in mine:
            load = sum(task.technicians for s, e, task in mine if s <= start < e)
            if load > crew.size:
                out.append(Violation("crew", f"crew {crew.id} needs {load} technicians at "
                                             f"time {start}, has {crew.size}",
                                     float(load - crew.size)))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= COST_ATOL + COST_RTOL * max(abs(a), abs(b))


def check(problem: Problem, payload: Mapping[str, Any]) -> CheckReport:
    violations: list[Violation] = []
    schedule = Schedule()
    schedule.operations, read = scheduling.schedule_from_payload(problem.shop, payload)
    violations.extend(read)
    _read_tasks(problem, payload, schedule, violations)
    _check_times(problem, schedule, violations)
    _check_machines(problem, schedule, violations)
    _check_crews(problem, schedule, violations)
    costs = evaluate(problem, schedule)
    recomputed = costs.as_payload(problem)
    stated = payload.get("costs")
    if stated is not None:
        if not isinstance(stated, Mapping):
            violations.append(Violation("costs", "costs must be a mapping"))
        else:
            for key, value in stated.items():
                if key not in recomputed:
                    violations.append(Violation("costs", f"unknown cost part {key!r}"))
                elif not isinstance(value, int | float) or not _close(value, recomputed[key]):
                    violations.append(Violation(
                        "costs", f"{key} is stated as {value!r}, recomputed {recomputed[key]}"))
    done = completion_times(problem, schedule)
    late = sum(1 for job, c in zip(problem.jobs, done, strict=True)
               if job.due is not None and c is not None and c > job.due)
    figures: dict[str, Any] = {**recomputed, "late_jobs": late,
                               "tasks_done": len(schedule.tasks),
                               "tasks_skipped": len(schedule.skipped)}
    return CheckReport(float(costs.objective(problem)), violations, figures)
