"""A time-indexed MILP of the same problem, for any linear backend (``highs``, ``cbc``...).

One binary per (activity, start time): each operation picks one mode and start, each
mandatory task one start, each optional task at most one.  Per machine and time unit at
most one activity runs; per crew and time unit the technicians on duty stay within the
crew's size; precedence and lateness are linear in the start-time binaries; the breakdown
cost of a start is just the column's cost (any curve is linear this way).

It is exact but grows with the horizon, so it refuses instances with more than
``max_columns`` start variables (``--option max_columns=N``).  Its purpose is to certify
the CP-SAT model on small instances with an independent formulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from optikit.paradigms import LinearSolver
from optikit.scheduling import ScheduledOperation
from optikit.types import Outcome, SolveContext, Status, UsageError
from optikit_maintenance.costs import Schedule, ScheduledTask, to_payload
from optikit_maintenance.model import Problem
from optikit_maintenance.options import MILP_OPTIONS


@dataclass(frozen=True)
class _Activity:
    """An operation mode or a task, with the starts it may take."""

    kind: str  # "op" or "task"
    key: tuple[int, ...]  # (job, operation, mode) or (task,)
    machine: int
    duration: int
    starts: range | list[int]


def activities(problem: Problem) -> list[_Activity]:
    h = problem.horizon
    out: list[_Activity] = []
    for j, job in enumerate(problem.jobs):
        shortest = [min(m.duration for m in op.modes) for op in job.operations]
        for o, op in enumerate(job.operations):
            modes = op.modes
            lo = job.release + sum(shortest[:o])
            tail = sum(shortest[o + 1:])
            for k, mode in enumerate(modes):
                out.append(_Activity("op", (j, o, k), mode.machine, mode.duration,
                                     range(lo, h - mode.duration - tail + 1)))
    for t, task in enumerate(problem.tasks):
        crew = problem.crews[task.crew]
        starts = [s for s in range(task.earliest, problem.latest_start(t) + 1)
                  if crew.covers(s, s + task.duration)]
        out.append(_Activity("task", (t,), task.machine, task.duration, starts))
    return out


def _task_cost(problem: Problem, t: int, start: int | None) -> Fraction:
    """What task t costs (downtime weight applied) if done at ``start`` or skipped (None)."""
    task = problem.tasks[t]
    machine = problem.machines[task.machine]
    renewal = task.renews and machine.failure is not None
    if start is None:
        cost = task.skip_cost + (machine.expected_failure_cost(problem.horizon) if renewal
                                 else 0)
    else:
        cost = task.duration * machine.downtime_cost + (
            machine.expected_failure_cost(start) if renewal else 0)
    return problem.weights.downtime_cost * cost


def solve(problem: Problem, backend: LinearSolver, ctx: SolveContext) -> Outcome:
    import numpy as np

    from optikit.paradigms import LinearModelBuilder

    if problem.calendars:
        raise UsageError(
            "maintenance (time-indexed) does not model machine calendars; use the cp "
            "formulation (--solver cpsat)"
        )
    max_columns = int(ctx.options_for(MILP_OPTIONS)["max_columns"])
    acts = activities(problem)
    n_columns = sum(len(a.starts) for a in acts)
    if n_columns > max_columns:
        raise UsageError(
            f"maintenance (time-indexed): {n_columns} start variables exceed max_columns="
            f"{max_columns}; use the cp formulation (--solver cpsat) or raise the limit "
            "with --option max_columns=N"
        )
    for a in acts:
        if a.kind == "task" and not a.starts and problem.must_perform(a.key[0]):
            task = problem.tasks[a.key[0]]
            return Outcome(Status.INFEASIBLE, message=f"task {task.id} has no start that "
                           "respects its window, RUL deadline and crew shifts")

    h = problem.horizon
    b = LinearModelBuilder("min")
    columns: list[Any] = []
    for a in acts:
        if a.kind == "task":
            t = a.key[0]
            done = [_task_cost(problem, t, s) for s in a.starts]
            if problem.must_perform(t):
                cost = [float(c) for c in done]
            else:
                skipped = _task_cost(problem, t, None)
                b.offset += float(skipped)
                cost = [float(c - skipped) for c in done]
        else:
            cost = [0.0] * len(a.starts)
        columns.append(b.add_columns(len(a.starts), cost=cost, upper=1.0, integer=True))

    # Machines without a renewing task carry their breakdown risk to the horizon.
    for m, machine in enumerate(problem.machines):
        if problem.renewing_task(m) is None:
            b.offset += float(problem.weights.downtime_cost * machine.expected_failure_cost(h))

    def terms(index: int, weight: Any = 1.0) -> dict[int, float]:
        return {int(c): float(w) for c, w in zip(columns[index], np.broadcast_to(
            np.asarray(weight, dtype=float), (len(columns[index]),)), strict=True)}

    by_key = {(a.kind, a.key): i for i, a in enumerate(acts)}
    # Each operation one mode and start; each task once (or at most once if optional).
    for j, job in enumerate(problem.jobs):
        for o, op in enumerate(job.operations):
            modes = op.modes
            row: dict[int, float] = {}
            for k in range(len(modes)):
                row.update(terms(by_key[("op", (j, o, k))]))
            b.add_row(row, lower=1.0, upper=1.0, name=f"assign[{job.id},{o}]")
    for t in range(len(problem.tasks)):
        i = by_key[("task", (t,))]
        if acts[i].starts:
            lower = 1.0 if problem.must_perform(t) else 0.0
            b.add_row(terms(i), lower=lower, upper=1.0, name=f"do[{problem.tasks[t].id}]")

    # Capacity per machine and time unit, and per crew and time unit.
    rows, cols, vals = [], [], []
    for i, a in enumerate(acts):
        for s, col in zip(a.starts, columns[i], strict=True):
            for u in range(s, s + a.duration):
                rows.append(a.machine * h + u)
                cols.append(int(col))
                vals.append(1.0)
    b.add_rows_coo(len(problem.machines) * h, rows, cols, vals, upper=1.0)
    for c, crew in enumerate(problem.crews):
        mine = [i for i, a in enumerate(acts) if a.kind == "task"
                and problem.tasks[a.key[0]].crew == c]
        if sum(problem.tasks[acts[i].key[0]].technicians for i in mine) <= crew.size:
            continue
        rows, cols, vals = [], [], []
        for i in mine:
            need = float(problem.tasks[acts[i].key[0]].technicians)
            for s, col in zip(acts[i].starts, columns[i], strict=True):
                for u in range(s, s + acts[i].duration):
                    rows.append(u)
                    cols.append(int(col))
                    vals.append(need)
        b.add_rows_coo(h, rows, cols, vals, upper=float(crew.size))

    def end_terms(j: int, o: int, sign: float) -> dict[int, float]:
        out: dict[int, float] = {}
        for k, mode in enumerate(problem.jobs[j].operations[o].modes):
            i = by_key[("op", (j, o, k))]
            for s, col in zip(acts[i].starts, columns[i], strict=True):
                out[int(col)] = sign * (s + mode.duration)
        return out

    def start_terms(j: int, o: int) -> dict[int, float]:
        out: dict[int, float] = {}
        for k in range(len(problem.jobs[j].operations[o].modes)):
            i = by_key[("op", (j, o, k))]
            for s, col in zip(acts[i].starts, columns[i], strict=True):
                out[int(col)] = float(s)
        return out

    w = problem.weights
    makespan = b.add_column(cost=float(w.makespan), upper=float(h), name="makespan") \
        if w.makespan > 0 else None
    for j, job in enumerate(problem.jobs):
        for o in range(1, len(job.operations)):
            b.add_row({**start_terms(j, o), **end_terms(j, o - 1, -1.0)}, lower=0.0,
                      name=f"prec[{job.id},{o}]")
        last = len(job.operations) - 1
        if job.due is not None and job.exact_weight > 0:
            late = b.add_column(cost=float(w.tardiness * job.exact_weight), name=f"late[{job.id}]")
            b.add_row({late: 1.0, **end_terms(j, last, -1.0)}, lower=-float(job.due))
        if makespan is not None:
            b.add_row({makespan: 1.0, **end_terms(j, last, -1.0)}, lower=0.0)

    result = backend.solve(b.build(), ctx)
    if not result.status.has_solution or result.x is None:
        return Outcome(result.status, message=result.message, stats=dict(result.stats))
    x = np.asarray(result.x)
    schedule = Schedule()
    for i, a in enumerate(acts):
        chosen = [s for s, col in zip(a.starts, columns[i], strict=True) if x[col] > 0.5]
        if a.kind == "op":
            if chosen:
                j, o, k = a.key
                schedule.operations.append(
                    ScheduledOperation(j, o, k, a.machine, chosen[0], chosen[0] + a.duration))
        elif chosen:
            schedule.tasks[a.key[0]] = ScheduledTask(a.key[0], chosen[0],
                                                     chosen[0] + a.duration)
    schedule.skipped = {t for t in range(len(problem.tasks)) if t not in schedule.tasks}
    stats = {**result.stats, "start_variables": n_columns}
    return Outcome(result.status, payload=to_payload(problem, schedule),
                   objective=result.objective, bound=result.bound, stats=stats,
                   message=result.message)
