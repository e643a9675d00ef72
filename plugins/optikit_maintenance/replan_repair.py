"""The old maintenance plan repaired after events: the re-plan's hint and last resort.

Operations and maintenance tasks are machine occupants alike: frozen ones stay, the
others are placed in the order of their old starts (rush jobs last) by the kernel's
:class:`~optikit.scheduling.replan_repair.ShopRepair`, a task as early as its machine,
its window, the blocked windows and its crew (technicians free, on shift) allow.  Tasks
the old plan skipped stay skipped; an interrupted optional task that no longer fits is
skipped.  The plan is used only when the checker and the re-planning rules accept it
(:func:`checked`); otherwise the reason is said.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from optikit.scheduling.replan_repair import ShopRepair, clear
from optikit.scheduling.replan_task import remembered
from optikit_maintenance import replan
from optikit_maintenance.costs import Schedule, ScheduledTask, evaluate, to_payload
from optikit_maintenance.model import Crew
from optikit_maintenance.replan import ReplanTask

Busy = list[tuple[int, int, int]]  # (start, end, technicians) of a crew's tasks


@dataclass(frozen=True)
class Repaired:
    """A checked repaired plan."""

    schedule: Schedule
    value: float
    payload: dict[str, Any]


def _crew_start(crew: Crew, busy: Busy, windows: list[tuple[int, int]], t: int, d: int,
                need: int) -> int | None:
    """The earliest start >= t with ``need`` technicians free and on shift throughout,
    clear of the machine's blocked windows (None: the shifts run out)."""
    if need > crew.size:
        return None
    while True:
        t = clear(windows, t, d)
        if crew.shifts is not None:
            shift = next(((a, b) for a, b in sorted(crew.shifts) if b - max(a, t) >= d), None)
            if shift is None:
                return None
            t = max(t, shift[0])
            if clear(windows, t, d) != t:
                continue
        over = [(s, e, n) for s, e, n in busy if s < t + d and t < e]
        if sum(n for _s, _e, n in over) + need <= crew.size:
            return t
        t = min(e for _s, e, _n in over)


def repair(task: ReplanTask) -> Schedule | str:
    """The repaired plan, or why there is none."""
    p = task.problem
    r = ShopRepair(p.shop, task.situation, p.horizon)
    busy: dict[int, Busy] = {}
    schedule = Schedule()
    index = {tk.id: t for t, tk in enumerate(p.tasks)}
    for tid, fixed in task.frozen_tasks.items():
        t = index[tid]
        tk = p.tasks[t]
        schedule.tasks[t] = ScheduledTask(t, fixed, fixed + tk.duration)
        r.occupy(tk.machine, fixed, fixed + tk.duration)
        busy.setdefault(tk.crew, []).append((fixed, fixed + tk.duration, tk.technicians))
    items: list[tuple[float, int, str, Any]] = [(o, 0, k[0], k) for o, k in r.free_keys()]
    for tid, old in task.old_tasks.items():
        if tid not in task.frozen_tasks:
            items.append((old, 1, tid, tid))
    skipped = {t for t, tk in enumerate(p.tasks) if tk.id not in task.old_tasks}
    for _order, kind, _name, what in sorted(items, key=lambda i: (i[0], i[1], i[2])):
        if kind == 0:
            if not r.place_operation(what):
                return f"job {what[0]} op {what[1]} no longer fits before the horizon"
            continue
        t = index[what]
        tk = p.tasks[t]
        earliest = max(task.situation.now, tk.earliest, r.ready_at(tk.machine))
        start = _crew_start(p.crews[tk.crew], busy.setdefault(tk.crew, []),
                            r.windows.get(tk.machine, []), earliest, tk.duration,
                            tk.technicians)
        if start is None or start > p.latest_start(t):
            if tk.optional and not p.must_perform(t):
                skipped.add(t)
                continue
            return f"task {tk.id} no longer fits its window"
        schedule.tasks[t] = ScheduledTask(t, start, start + tk.duration)
        r.occupy(tk.machine, start, start + tk.duration)
        busy[tk.crew].append((start, start + tk.duration, tk.technicians))
    schedule.operations = sorted(r.schedule(), key=lambda s: (s.job, s.operation))
    schedule.skipped = skipped
    return schedule


def checked(task: ReplanTask) -> Repaired | str:
    """The repaired plan if the checks accept it, else why not (one line); worked out once
    per task."""
    return remembered(task, "repaired", lambda: _checked(task))


def _checked(task: ReplanTask) -> Repaired | str:
    schedule = repair(task)
    if isinstance(schedule, str):
        return f"no repaired old plan: {schedule}"
    payload = to_payload(task.problem, schedule)
    report = replan.check(task, payload)
    if not report.feasible:
        v = report.violations[0]
        return f"the repaired old plan breaks {v.constraint}: {v.message}"
    value = float(evaluate(task.problem, schedule).objective(task.problem))
    return Repaired(schedule, value if math.isfinite(value) else math.inf, payload)
