"""Why a maintenance plan is infeasible: the windows, deadlines and crews that conflict.

The relaxable hard limits of a maintenance instance are: each task's window (its
``window.start`` and its latest end, the horizon when no window is given), each RUL
deadline (a renewing task must start by ``rul - rul_safety``, and happen at all when that
falls inside the plan), each crew's size and its shifts, and every production job ending
by the horizon.  Durations, releases, precedences and one thing at a time per machine are
the plant itself and stay hard.  The method, on a small CP-SAT model built only for this:

1. **Guarded model.**  Each limit holds only if an assumption literal does; time runs on
   past the horizon so that dropping a limit always leaves a plan possible.
2. **Core** from ``sufficient_assumptions_for_infeasibility`` with every assumption on.
3. **Deletion filter**: each member is dropped in turn and kept only when the rest is
   then feasible, so the set left is irreducible.
4. **Single relaxations**, with every other limit held (or, when that is not enough, the
   other members of the conflict; the entry's ``scope`` says which): how late a task or
   job must be allowed to end, how early a window must open, how much later the RUL
   deadline must be, how many more technicians a crew needs.

Machine calendars of production operations are modelled as the formulations model them
(the kernel's :class:`~optikit.scheduling.calendar_cpsat.CalendarTerms`: starts in working
time, an interruptible operation's end after its pauses).  Every solve shares the run's
deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from optikit.conflicts import AssumptionProber, diagnose_guarded, never_raising
from optikit.scheduling.calendar_cpsat import CalendarTerms
from optikit.types import SolveContext
from optikit_maintenance.cp import calendar_modes
from optikit_maintenance.model import Problem


@dataclass(eq=False)  # compared by identity: a literal's == builds a constraint
class Guard:
    """One relaxable limit: its assumption, what it says, and how to measure a move.

    ``measure`` is minimised (with ``require`` assumed) to find the least move: the
    relaxation is ``sign * (optimum - limit)``.
    """

    constraint: str
    kind: str  # job, window_end, window_start, rul, crew_size, shifts
    literal: Any
    text: str
    limit: int
    measure: Any = None
    sign: int = 1
    require: Any = None  # a literal the measure needs (the task is performed)


@dataclass
class GuardedModel:
    model: Any
    guards: list[Guard]


def _task_guards(m: Any, problem: Problem, t: int, start: Any, present: Any,
                 end_of_time: int) -> list[Guard]:
    task = problem.tasks[t]
    h = problem.horizon
    name = f"task {task.id}"
    guards: list[Guard] = []
    cond = [] if present is True else [present]
    need = None if present is True else present
    # The window's end and the horizon are separate limits: a window may be moved up to
    # the horizon, the horizon only by planning further ahead.
    ends = [("horizon", h)] + ([("window", task.latest_end)] if task.latest_end < h else [])
    for which, limit in ends:
        lit = m.new_bool_var(f"{which}{t}")
        m.add(start + task.duration <= limit).only_enforce_if([lit, *cond])
        path = f"tasks[{t}].window.end" if which == "window" else f"tasks[{t}]"
        bound = "its window's end" if which == "window" else "the horizon"
        guards.append(Guard(path, "window_end", lit, f"{name} must end by {bound} ({limit})",
                            limit, start + task.duration, 1, need))
    if task.earliest > 0:
        lit = m.new_bool_var(f"open{t}")
        m.add(start >= task.earliest).only_enforce_if([lit, *cond])
        guards.append(Guard(f"tasks[{t}].window.start", "window_start", lit,
                            f"{name} may not start before {task.earliest}", task.earliest,
                            -start, -1, need))
    machine = problem.machines[task.machine]
    deadline = machine.deadline
    if task.renews and deadline is not None and deadline < min(
            task.latest_end - task.duration, end_of_time):
        lit = m.new_bool_var(f"rul{t}")
        m.add(start <= deadline).only_enforce_if([lit, *cond])
        if present is not True:
            m.add_implication(lit, present)  # a machine past its RUL must be renewed
        # Measured as the RUL it would need: the start plus the safety margin.
        guards.append(Guard(f"machines[{task.machine}].rul", "rul", lit,
                            f"{name} must start by {machine.id}'s RUL deadline {deadline} "
                            f"(rul {machine.rul} - safety {machine.rul_safety})",
                            int(machine.rul or 0), start + machine.rul_safety, 1, need))
    return guards


def build(problem: Problem) -> GuardedModel:
    """The guarded CP-SAT model of the instance's hard limits (no objective)."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    h = problem.horizon
    # Past every limit: production run one operation at a time (through the calendars
    # when there are some), then every task one after another.
    production = (problem.shop.horizon() if problem.calendars else sum(
        max(md.duration for md in op.modes) for job in problem.jobs for op in job.operations))
    end_of_time = h + sum(t.duration for t in problem.tasks) + production
    calendar = CalendarTerms(problem.calendars, end_of_time) if problem.calendars else None
    machine_intervals: list[list[Any]] = [[] for _ in problem.machines]
    guards: list[Guard] = []
    for j, job in enumerate(problem.jobs):
        previous: Any = job.release
        for o, op in enumerate(job.operations):
            modes = op.modes
            start = m.new_int_var(job.release, end_of_time, f"s{j}_{o}")
            end = m.new_int_var(job.release, end_of_time, f"e{j}_{o}")
            if calendar is not None:  # as the CP formulation models them
                calendar_modes(m, calendar, op, start, end, job.release, end_of_time,
                               machine_intervals, [], f"{j},{o}")
            else:
                lits = [m.new_bool_var(f"x{j}_{o}_{k}") for k in range(len(modes))]
                m.add_exactly_one(lits)
                for mode, lit in zip(modes, lits, strict=True):
                    machine_intervals[mode.machine].append(
                        m.new_optional_fixed_size_interval_var(start, mode.duration, lit, "op"))
                m.add(end == start + sum(md.duration * lit for md, lit in zip(modes, lits,
                                                                              strict=True)))
            m.add(start >= previous)
            previous = end
        lit = m.new_bool_var(f"job{j}")
        m.add(previous <= h).only_enforce_if(lit)
        guards.append(Guard(f"jobs[{j}]", "job", lit, f"job {job.id} must end by the "
                            f"horizon ({h})", h, previous))

    crew_items: list[list[tuple[Any, int, Any, Any]]] = [[] for _ in problem.crews]
    for t, task in enumerate(problem.tasks):
        start = m.new_int_var(0, end_of_time - task.duration, f"s_task{t}")
        if task.optional:
            present: Any = m.new_bool_var(f"do{t}")
            interval = m.new_optional_fixed_size_interval_var(start, task.duration, present,
                                                              "pm")
        else:
            present = True
            interval = m.new_fixed_size_interval_var(start, task.duration, "pm")
        machine_intervals[task.machine].append(interval)
        crew_items[task.crew].append((interval, task.technicians, start, present))
        guards += _task_guards(m, problem, t, start, present, end_of_time)

    for intervals in machine_intervals:
        if len(intervals) > 1:
            m.add_no_overlap(intervals)
    for c, crew in enumerate(problem.crews):
        items = crew_items[c]
        if not items:
            continue
        need = sum(d for _, d, _, _ in items)
        capacity = m.new_int_var(0, max(need, crew.size), f"cap{c}")
        m.add_cumulative([iv for iv, *_ in items], [d for _, d, *_ in items], capacity)
        lit = m.new_bool_var(f"size{c}")
        m.add(capacity <= crew.size).only_enforce_if(lit)
        guards.append(Guard(f"crews[{c}].size", "crew_size", lit,
                            f"crew {crew.id} has {crew.size} technician"
                            f"{'s' if crew.size != 1 else ''}", crew.size, capacity))
        if crew.shifts is not None:
            lit = m.new_bool_var(f"shifts{c}")
            # Off duty between shifts and after the last one (beyond the horizon too).
            edges = [0, *(x for block in crew.shifts for x in block), end_of_time]
            off = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if b > a]
            for interval, _, start, present in items:
                cond = [lit] if present is True else [lit, present]
                size = interval.size_expr()
                for a, b in off:
                    before = m.new_bool_var("before_break")
                    m.add(start + size <= a).only_enforce_if([*cond, before])
                    m.add(start >= b).only_enforce_if([*cond, ~before])
            guards.append(Guard(f"crews[{c}].shifts", "shifts", lit,
                                f"crew {crew.id} works only within its shifts", 0))
    return GuardedModel(m, guards)


_REACHED = {
    "job": "it ends at {v}",
    "window_end": "it ends at {v}",
    "window_start": "it starts at {v}",
    "rul": "the rul would have to be at least {v}",
    "crew_size": "the plan needs {v} technicians at once",
}
_UNIT = {"crew_size": "technicians"}


def relax(prober: AssumptionProber, gm: GuardedModel, guard: Guard,
          members: list[Guard]) -> dict[str, Any]:
    """The conflict entry of ``guard``, with how far it alone must move."""
    entry: dict[str, Any] = {"constraint": guard.constraint, "limit": guard.limit}
    if guard.measure is None:  # shifts: on or off, no amount
        entry.update(message=f"{guard.text}; work outside the shifts would be needed",
                     relaxation=None)
        return entry
    scope = "instance"
    best = prober.minimum(guard.measure, [g for g in gm.guards if g is not guard],
                          guard.require)
    if best is None:
        scope = "conflict"
        best = prober.minimum(guard.measure, [g for g in members if g is not guard],
                              guard.require)
    if best is None:
        entry.update(message=f"{guard.text}; moving it alone is not enough", relaxation=None)
        return entry
    value, proven = best
    reached = guard.sign * value
    amount = max(0, guard.sign * (reached - guard.limit))
    held = ("every other limit held" if scope == "instance"
            else "the rest of this conflict held (other limits still conflict)")
    best_text = _REACHED[guard.kind].format(v=reached)
    if proven and guard.kind not in ("crew_size", "rul"):
        best_text += " at the earliest" if guard.sign > 0 else " at the latest"
    moved = guard.limit + guard.sign * amount
    entry.update(message=f"{guard.text}; with {held} {best_text}", relaxation=amount,
                 relaxed_limit=moved, scope=scope)
    if guard.kind in _UNIT:
        entry["unit"] = _UNIT[guard.kind]
    return entry


def diagnose(problem: Problem, ctx: SolveContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """``analysis["diagnosis"]`` for an infeasible instance, and stats; never raises for
    lack of time (the diagnosis then says what it found so far)."""
    started = time.monotonic()
    gm = build(problem)

    def explain(prober: AssumptionProber, members: list[Guard],
                conflicts: list[dict[str, Any]]) -> str:
        names = ", ".join(g.constraint for g in members)
        summary = (f"these {len(members)} limits cannot all hold ({names}); dropping any "
                   "one of them removes this conflict" if len(members) > 1
                   else f"{members[0].constraint} cannot hold on its own")
        for guard in members:
            conflicts.append(relax(prober, gm, guard, members))
        fixes = [f"{c['constraint']} -> {c['relaxed_limit']}" for c in conflicts
                 if c.get("scope") == "instance"]
        if fixes:
            summary += "; each of these alone makes the plan feasible: " + ", ".join(fixes)
        return summary

    return diagnose_guarded(
        gm.model, gm.guards, ctx, explain=explain, started=started,
        method="CP-SAT assumptions, deletion filter, single relaxations",
        no_conflict="no conflict among windows, deadlines, crews and the horizon was found; "
        "the infeasibility comes from limits this diagnosis does not model",
    )


def diagnosis_analysis(problem: Problem, ctx: SolveContext,
                       stats: dict[str, Any]) -> dict[str, Any]:
    """The diagnosis for an outcome's analysis; a failure never hides the verdict."""
    return never_raising(lambda: diagnose(problem, ctx), stats)
