"""Re-planning of ``maintenance`` plans: the type's :class:`~optikit.types.Replanning`.

Production operations follow the kernel's rules (:mod:`optikit.scheduling.replan`).
Maintenance tasks follow the same ones, as machine occupants without a job: a task
whose old start is before ``now`` has started and is frozen (same start), unless a
machine-down window meets it, which interrupts it (its machine stays occupied from its
old start to the breakdown; the task is re-planned from scratch, or skipped if it may
be); every other task starts at ``now`` or later and meets no blocked window.
``check`` is the type's independent checker on the amended problem plus these rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from optikit import scheduling
from optikit.lazy import lazy
from optikit.scheduling import replan_task
from optikit.scheduling.replan_events import Window
from optikit.types import CheckReport, Replanning, Violation
from optikit_maintenance import checker, model, summary


@dataclass(frozen=True)
class ReplanTask(replan_task.Task[model.Problem]):
    """The kernel's task plus the maintenance tasks' part of the situation."""

    frozen_tasks: Mapping[str, int] = field(default_factory=dict)  # task id -> start
    old_tasks: Mapping[str, int] = field(default_factory=dict)  # task id -> old start
    interrupted_tasks: tuple[str, ...] = ()


def old_tasks(payload: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Task id -> (start, end) of the performed tasks of a checked payload."""
    return {str(e["task"]): (int(e["start"]), int(e["end"]))
            for e in payload.get("maintenance") or []}


def prepare(
    problem: model.Problem, document: Mapping[str, Any], payload: Mapping[str, Any],
    events_doc: Mapping[str, Any],
) -> ReplanTask:
    """Apply the events to the old plan (whose payload passed the checker)."""
    old_ops, _ = scheduling.schedule_from_payload(problem.shop, payload)
    events, amended, new_problem, situ = replan_task.situation_after(
        document, events_doc, problem.shop, old_ops, model.parse, lambda p: p.shop,
        checker.check(problem, payload).objective)
    frozen: dict[str, int] = {}
    interrupted: list[str] = []
    tasks = old_tasks(payload)
    for tid, (start, end) in sorted(tasks.items(), key=lambda item: item[1]):
        if start >= events.now:
            continue
        machine = next(problem.machines[t.machine].id for t in problem.tasks if t.id == tid)
        hit = next((w for w in events.down if w.machine == machine
                    and w.start < end and start < w.end), None)
        if hit is None:
            frozen[tid] = start
            continue
        interrupted.append(tid)
        if start < hit.start:
            situ.blocked.append(Window(machine, start, hit.start, f"interrupted task {tid}"))
    return ReplanTask(new_problem, amended, situ, events.stability, frozen,
                      {tid: s for tid, (s, _e) in tasks.items()}, tuple(interrupted))


def task_violations(task: ReplanTask, payload: Mapping[str, Any]) -> list[Violation]:
    """Started tasks kept, the others not before ``now`` and clear of blocked windows."""
    out: list[Violation] = []
    placed = old_tasks(payload)
    now = task.situation.now
    for tid, start in task.frozen_tasks.items():
        if placed.get(tid, (None, None))[0] != start:
            out.append(Violation("frozen", f"task {tid} started at {start}, before now, and "
                                           f"must stay there"))
    machines = {t.id: task.problem.machines[t.machine].id for t in task.problem.tasks}
    for tid, (start, end) in placed.items():
        if tid not in task.frozen_tasks and start < now:
            out.append(Violation("now", f"task {tid} starts at {start}, before now ({now})",
                                 float(now - start)))
        for w in task.situation.windows_on(machines.get(tid, "")):
            if w.start < end and start < w.end:
                out.append(Violation(
                    "blocked", f"task {tid} at [{start}, {end}) overlaps {w.reason} "
                    f"[{w.start}, {w.end})", float(min(end, w.end) - max(start, w.start))))
    return out


def task_disruption(task: ReplanTask, payload: Mapping[str, Any]) -> dict[str, Any]:
    placed = old_tasks(payload)
    moved = sorted(t for t, s in task.old_tasks.items() if placed.get(t, (None,))[0] != s)
    return {"tasks_moved": moved, "tasks_frozen": len(task.frozen_tasks),
            "tasks_interrupted": list(task.interrupted_tasks)}


def check(task: ReplanTask, payload: Mapping[str, Any]) -> CheckReport:
    """The maintenance checker on the amended problem, plus the re-planning rules."""
    report = checker.check(task.problem, payload)
    schedule, _ = scheduling.schedule_from_payload(task.problem.shop, payload)
    report.violations.extend(task_violations(task, payload))
    replan_task.add_replan_checks(report, task.problem.shop, schedule, task.situation, payload)
    report.figures["replan"].update(task_disruption(task, payload))
    return report


def summarize(task: ReplanTask, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The disruption rows (tasks included), then the maintenance summary."""
    payload = document.get("solution")
    if not isinstance(payload, Mapping):
        return summary.summarize(task.problem, document)
    schedule, _ = scheduling.schedule_from_payload(task.problem.shop, payload)
    moved = task_disruption(task, payload)
    rows = [("maintenance moved", f"{len(moved['tasks_moved'])} of {len(task.old_tasks)} "
                                  f"task(s); {moved['tasks_frozen']} started kept"
             + (f"; interrupted: {', '.join(moved['tasks_interrupted'])}"
                if moved["tasks_interrupted"] else ""))]
    return replan_task.disruption_summary(task.problem.shop, schedule, task.situation,
                                          document, rows + summary.summarize(task.problem,
                                                                             document))


MODEL = ("CP-SAT (the cp model) with started operations and tasks frozen and the machines "
         "blocked; expected downtime cost and tardiness, then least disruption")


def capability() -> Replanning:
    from optikit_maintenance.schema import SCHEMA

    solve = lazy("optikit_maintenance.replan_model:solve")
    job = SCHEMA["properties"]["jobs"]["items"]
    return replan_task.cpsat_capability("maintenance", job, prepare, solve, MODEL, check,
                                        summarize,
                                        lazy("optikit_maintenance.replan_repair:checked"))
