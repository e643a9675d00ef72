"""The CP-SAT formulation (backend ``cpsat``): intervals on machines, crews as cumulatives.

- Each production operation has a start and an end; one optional fixed-size interval per
  mode, exactly one present; job precedences and releases.
- Each maintenance task has a fixed-size interval, optional when the task may be skipped;
  its start domain holds the window, the horizon and, for a renewing task, the RUL
  deadline.
- ``add_no_overlap`` per machine over its operation modes and its tasks.
- Per crew ``add_cumulative`` of the tasks' technicians, plus fixed full-size blocks where
  the crew is off shift (so no task can straddle a break).
- Expected breakdown cost: ``add_element`` over the start of the machine's renewing task,
  a table of the piecewise-linear cost at every start (the horizon's value when skipped).
- Weighted tardiness and, if weighted, the production makespan.

Costs are scaled to integers exactly (see :mod:`optikit_maintenance.scaling`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from optikit.paradigms import CpSatSolver
from optikit.scheduling import Operation, ScheduledOperation
from optikit.scheduling.calendar_cpsat import CalendarTerms
from optikit.types import Outcome, SolveContext, Status
from optikit_maintenance.costs import Schedule, ScheduledTask, to_payload
from optikit_maintenance.model import Problem
from optikit_maintenance.scaling import Scale, choose_scale


@dataclass
class _Terms:
    """Objective terms with exact coefficients, scaled once everything is known."""

    linear: list[tuple[Fraction, Any, int]] = field(default_factory=list)  # coef, var, ub
    tables: list[tuple[list[Fraction], Any, Any, Fraction, Any]] = field(default_factory=list)
    constant: Fraction = Fraction(0)

    def magnitude(self) -> Fraction:
        total = abs(self.constant)
        total += sum((abs(c) * ub for c, _, ub in self.linear), Fraction(0))
        for values, *_, skipped_value, _ in self.tables:
            total += max([*values, skipped_value], key=abs)
        return total

    def values(self) -> list[Fraction]:
        out = [c for c, _, _ in self.linear]
        for values, *_, skipped_value, _ in self.tables:
            out += [*values, skipped_value]
        return out


@dataclass
class CpModel:
    model: Any
    scale: Scale
    offset: Fraction
    error: Fraction  # largest |scaled objective - true objective| (0 when exact)
    objective: Any  # the scaled objective expression
    op_start: list[list[Any]]
    op_mode: list[list[list[Any]]]
    task_start: list[Any]
    task_present: list[Any]
    # Operation ends (calendar pauses lengthen interruptible operations); empty: none.
    op_end: list[list[Any]] = field(default_factory=list)


def build(problem: Problem,
          blocked: Mapping[int, Sequence[tuple[int, int]]] | None = None) -> CpModel:
    """The model; ``blocked``: per machine, windows ``[start, end)`` nothing may overlap
    (re-planning: machines down, interrupted work)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    h = problem.horizon
    machine_intervals: list[list[Any]] = [[] for _ in problem.machines]
    terms = _Terms()

    op_start: list[list[Any]] = []
    op_mode: list[list[list[Any]]] = []
    op_end: list[list[Any]] = []
    last_end: list[Any] = []
    calendar = CalendarTerms(problem.calendars, h) if problem.calendars else None
    for job in problem.jobs:
        starts, modes_of_job, ends = [], [], []
        previous_end: Any = None
        for o, op in enumerate(job.operations):
            modes = op.modes
            shortest = min(m.duration for m in modes)
            lo = job.release if o == 0 else 0
            start = model.new_int_var(lo, max(lo, h - shortest), f"s[{job.id},{o}]")
            end = model.new_int_var(0, h, f"e[{job.id},{o}]")
            lits: list[Any] = []
            if calendar is not None:
                calendar_modes(model, calendar, op, start, end, lo, h, machine_intervals,
                                lits, f"{job.id},{o}")
            elif len(modes) == 1:
                machine_intervals[modes[0].machine].append(model.new_fixed_size_interval_var(
                    start, modes[0].duration, f"i[{job.id},{o}]"))
                model.add(end == start + modes[0].duration)
            else:
                for k, mode in enumerate(modes):
                    lit = model.new_bool_var(f"m[{job.id},{o},{k}]")
                    machine_intervals[mode.machine].append(
                        model.new_optional_fixed_size_interval_var(
                            start, mode.duration, lit, f"i[{job.id},{o},{k}]"))
                    lits.append(lit)
                model.add_exactly_one(lits)
                model.add(end == start + sum(m.duration * lit
                                             for m, lit in zip(modes, lits, strict=True)))
            if previous_end is not None:
                model.add(start >= previous_end)
            previous_end = end
            starts.append(start)
            ends.append(end)
            modes_of_job.append(lits)
        op_start.append(starts)
        op_end.append(ends)
        op_mode.append(modes_of_job)
        last_end.append(previous_end)
        if job.due is not None and job.exact_weight > 0:
            late = model.new_int_var(0, h, f"late[{job.id}]")
            # Exact (not just >=), so every incumbent's objective is its true cost.
            model.add_max_equality(late, [previous_end - job.due, 0])
            terms.linear.append((problem.weights.tardiness * job.exact_weight, late, h))

    if problem.weights.makespan > 0 and last_end:
        makespan = model.new_int_var(0, h, "makespan")
        model.add_max_equality(makespan, last_end)
        terms.linear.append((problem.weights.makespan, makespan, h))

    w_down = problem.weights.downtime_cost
    crew_intervals: list[list[tuple[Any, int]]] = [[] for _ in problem.crews]
    task_start, task_present = [], []
    for t, task in enumerate(problem.tasks):
        machine = problem.machines[task.machine]
        last = problem.latest_start(t)
        start = model.new_int_var(task.earliest, max(task.earliest, last), f"s[{task.id}]")
        mandatory = problem.must_perform(t)
        if mandatory:
            present = None
            model.add(start <= last)
            interval = model.new_fixed_size_interval_var(start, task.duration, f"pm[{task.id}]")
        else:
            present = model.new_bool_var(f"do[{task.id}]")
            model.add(start <= last).only_enforce_if(present)
            interval = model.new_optional_fixed_size_interval_var(
                start, task.duration, present, f"pm[{task.id}]")
        machine_intervals[task.machine].append(interval)
        crew_intervals[task.crew].append((interval, task.technicians))
        planned = w_down * task.duration * machine.downtime_cost
        skip = w_down * task.skip_cost
        if mandatory:
            terms.constant += planned
        else:
            terms.constant += skip
            terms.linear.append((planned - skip, present, 1))
        task_start.append(start)
        task_present.append(present)

    for m, machine in enumerate(problem.machines):
        if machine.failure is None:
            continue
        r = problem.renewing_task(m)
        at_horizon = w_down * machine.expected_failure_cost(h)
        if r is None:
            terms.constant += at_horizon
            continue
        lo = problem.tasks[r].earliest
        hi = max(lo, problem.latest_start(r))
        table = [w_down * machine.expected_failure_cost(s) for s in range(lo, hi + 1)]
        terms.tables.append((table, task_start[r], lo, at_horizon, task_present[r]))

    for c, crew in enumerate(problem.crews):
        items = list(crew_intervals[c])
        if not items:
            continue
        if crew.shifts is not None:
            edges = [0, *(x for block in crew.shifts for x in block), h]
            for a, b in zip(edges[::2], edges[1::2], strict=True):
                if b > a:
                    items.append((model.new_fixed_size_interval_var(a, b - a, f"off[{crew.id}]"),
                                  crew.size))
        model.add_cumulative([i for i, _ in items], [d for _, d in items], crew.size)

    for m, windows in (blocked or {}).items():
        machine_intervals[m] += [model.new_fixed_size_interval_var(a, b - a, f"down[{m}]")
                                 for a, b in windows if b > a]
    for intervals in machine_intervals:
        if len(intervals) > 1:
            model.add_no_overlap(intervals)

    scale = choose_scale(terms.values(), terms.magnitude())
    objective: list[Any] = []
    error = Fraction(0)
    for coef, var, ub in terms.linear:
        objective.append(scale.integer(coef) * var)
        error += scale.error(coef) * ub
    for table, start, lo, at_horizon, present in terms.tables:
        ints = [scale.integer(v) for v in table]
        cost = model.new_int_var(min([*ints, scale.integer(at_horizon)]),
                                 max([*ints, scale.integer(at_horizon)]), "failure")
        if present is None:
            model.add_element(start - lo, ints, cost)
        else:
            chosen = model.new_int_var(min(ints), max(ints), "failure_if_done")
            model.add_element(start - lo, ints, chosen)
            model.add(cost == chosen).only_enforce_if(present)
            model.add(cost == scale.integer(at_horizon)).only_enforce_if(~present)
        objective.append(cost)
        error += max([scale.error(v) for v in [*table, at_horizon]])
    expression = sum(objective)
    model.minimize(expression)
    return CpModel(model, scale, terms.constant, error, expression, op_start, op_mode,
                   task_start, task_present, op_end if calendar is not None else [])


def calendar_modes(
    model: Any, calendar: CalendarTerms, op: Operation, start: Any, end: Any, lo: int,
    h: int, machine_intervals: list[list[Any]], lits: list[Any], name: str,
) -> None:
    """An operation's modes with machine calendars (start domains; pauses extend ends)."""
    hi = max(lo, h - min(m.duration for m in op.modes))
    if len(op.modes) == 1:
        mode = op.modes[0]
        if calendar.constrained(mode.machine, mode.duration):
            interval, extra = calendar.add(model, start, True, mode.machine, mode.duration,
                                           op.interruptible, lo, hi, f"i[{name}]")
        else:
            interval, extra = model.new_fixed_size_interval_var(
                start, mode.duration, f"i[{name}]"), 0
        machine_intervals[mode.machine].append(interval)
        model.add(end == start + mode.duration + extra)
        return
    terms = []
    for k, mode in enumerate(op.modes):
        lit = model.new_bool_var(f"m[{name},{k}]")
        if calendar.constrained(mode.machine, mode.duration):
            interval, extra = calendar.add(model, start, lit, mode.machine, mode.duration,
                                           op.interruptible, lo, hi, f"i[{name},{k}]")
            if isinstance(extra, int):
                extra = extra * lit
        else:
            interval = model.new_optional_fixed_size_interval_var(
                start, mode.duration, lit, f"i[{name},{k}]")
            extra = 0
        machine_intervals[mode.machine].append(interval)
        lits.append(lit)
        terms.append(mode.duration * lit + extra)
    model.add_exactly_one(lits)
    model.add(end == start + sum(terms))


def _schedule(problem: Problem, cm: CpModel, value: Any) -> Schedule:
    schedule = Schedule()
    for j, job in enumerate(problem.jobs):
        for o, op in enumerate(job.operations):
            modes = op.modes
            lits = cm.op_mode[j][o]
            k = next(i for i, lit in enumerate(lits) if value(lit)) if lits else 0
            start = value(cm.op_start[j][o])
            mode = modes[k]
            end = value(cm.op_end[j][o]) if cm.op_end else start + mode.duration
            schedule.operations.append(
                ScheduledOperation(j, o, k, mode.machine, start, end))
    for t, task in enumerate(problem.tasks):
        present = cm.task_present[t]
        if present is None or value(present):
            start = value(cm.task_start[t])
            schedule.tasks[t] = ScheduledTask(t, start, start + task.duration)
        else:
            schedule.skipped.add(t)
    return schedule


def solve(problem: Problem, backend: CpSatSolver, ctx: SolveContext) -> Outcome:
    cm = build(problem)
    stats: dict[str, Any] = {"objective_scale": cm.scale.factor,
                             "exact_scaling": cm.scale.exact}
    result = backend.solve(cm.model, ctx, objective_scale=1.0 / cm.scale.factor,
                           objective_offset=float(cm.offset))
    stats.update(result.stats)
    if result.status is Status.INFEASIBLE:
        from optikit_maintenance.diagnosis import diagnosis_analysis

        diagnosis = diagnosis_analysis(problem, ctx, stats)
        return Outcome(result.status, message=result.message, stats=stats,
                       analysis={"diagnosis": diagnosis})
    if not result.status.has_solution or result.value is None:
        return Outcome(result.status, message=result.message, stats=stats)
    schedule = _schedule(problem, cm, result.value)
    # The model's objective at the returned assignment.  CP-SAT's own objective value can
    # sit above it after a time limit (postsolved variables are not re-optimised).
    claimed = result.value(cm.objective) / cm.scale.factor + float(cm.offset)
    bound = result.bound
    if not cm.scale.exact:
        # Rounded costs: every schedule's true cost is at least its rounded cost minus the
        # largest rounding error, so this bound stays valid; the runner keeps "optimal"
        # only if the gap it leaves is within the requested one.
        stats["scaling_error"] = float(cm.error)
        if bound is not None:
            bound -= float(cm.error)
    return Outcome(result.status, payload=to_payload(problem, schedule),
                   objective=claimed, bound=bound, stats=stats,
                   message=result.message)
