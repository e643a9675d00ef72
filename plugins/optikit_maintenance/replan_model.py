"""Formulation ``cpsat-replan``: the maintenance CP-SAT model with the events built in.

The model of :mod:`optikit_maintenance.cp` on the amended problem, with the blocked
windows (machine down, interrupted work) in each machine's no-overlap, started
operations and tasks frozen (mode and start; a frozen task is performed), every other
operation and performed task starting at ``now`` or later, and the stability stages of
:mod:`optikit.scheduling.replan_cpsat` (operations and tasks: start shift; operations:
machine changes).  Stage 1 is hinted with the old plan repaired by
:mod:`optikit_maintenance.replan_repair`, which is the answer (``feasible``) when CP-SAT
finds nothing better in time; a repair the checks refuse is named in the message and
the answer stays ``unknown``.
"""

from __future__ import annotations

from typing import Any

from optikit.scheduling.replan_cpsat import (
    fallback,
    solve_stages,
    stability_terms,
    unless_planned,
)
from optikit.types import Outcome, SolveContext, Status
from optikit_maintenance import cp
from optikit_maintenance.costs import evaluate, to_payload
from optikit_maintenance.replan import ReplanTask
from optikit_maintenance.replan_repair import Repaired, checked


def build(task: ReplanTask) -> tuple[cp.CpModel, Any, Any]:
    """The model with the situation; (model, total shift, machine changes)."""
    p = task.problem
    situ = task.situation
    midx = {m.id: i for i, m in enumerate(p.machines)}
    blocked: dict[int, list[tuple[int, int]]] = {}
    for w in situ.blocked:
        a, b = max(0, w.start), min(w.end, p.horizon)
        if a < b:
            blocked.setdefault(midx[w.machine], []).append((a, b))
    cm = cp.build(p, blocked)
    m = cm.model
    moves: list[tuple[Any, int, int]] = []
    same: list[list[Any]] = []
    for j, job in enumerate(p.jobs):
        for o, op in enumerate(job.operations):
            start, lits = cm.op_start[j][o], cm.op_mode[j][o]
            key = (job.id, o)
            frozen = situ.frozen.get(key)
            if frozen is not None:
                m.add(start == frozen.start)
                if lits:
                    m.add(lits[frozen.mode] == 1)
                continue
            m.add(start >= situ.now)
            old = situ.old.get(key)
            if old is None:
                continue
            moves.append((start, old.start, p.horizon))
            on_old = [k for k, md in enumerate(op.modes) if p.machines[md.machine].id
                      == old.machine]
            same.append([lits[k] for k in on_old] if lits else [1] * len(on_old))
    for t, tk in enumerate(p.tasks):
        start, present = cm.task_start[t], cm.task_present[t]
        if tk.id in task.frozen_tasks:
            m.add(start == task.frozen_tasks[tk.id])
            if present is not None:
                m.add(present == 1)
            continue
        after = m.add(start >= situ.now)
        if present is not None:
            after.only_enforce_if(present)
        if tk.id in task.old_tasks:
            moves.append((start, task.old_tasks[tk.id], p.horizon))
    shift, changes = stability_terms(m, moves, same)
    return cm, shift, changes


def _hint(p: Any, cm: cp.CpModel, repaired: Repaired) -> None:
    """The repaired plan's modes and starts, and which tasks it performs."""
    m = cm.model
    for s in repaired.schedule.operations:
        m.add_hint(cm.op_start[s.job][s.operation], s.start)
        for k, lit in enumerate(cm.op_mode[s.job][s.operation]):
            m.add_hint(lit, k == s.mode)
    for t in range(len(p.tasks)):
        done = repaired.schedule.tasks.get(t)
        if cm.task_present[t] is not None:
            m.add_hint(cm.task_present[t], done is not None)
        if done is not None:
            m.add_hint(cm.task_start[t], done.start)


def solve(task: ReplanTask, backend: Any, ctx: SolveContext) -> Outcome:
    p = task.problem
    repaired = checked(task)
    stats: dict[str, Any] = {}
    if not isinstance(repaired, str):
        stats["repair_objective"] = repaired.value
        ctx.report(repaired.value, None, "repair")
        if ctx.expired():  # no time left for a model
            return fallback(repaired, stats, Status.UNKNOWN, "stopped")
    cm, shift, changes = build(task)
    if not isinstance(repaired, str):
        _hint(p, cm, repaired)
    stages = solve_stages(cm.model, cm.objective, 1.0 / cm.scale.factor, float(cm.offset),
                          shift, changes, task.stability, backend, ctx, cm.scale.exact)
    failed = unless_planned(stages, repaired, stats)
    if failed is not None:
        return failed
    first = stages.first
    chosen = stages.second or first
    schedule = cp._schedule(p, cm, chosen.value)
    value = float(evaluate(p, schedule).objective(p))
    bound = None
    if task.stability.mode != "weighted" and first.bound is not None and cm.scale.exact:
        bound = min(first.bound, value)
    if (not isinstance(repaired, str) and task.stability.mode != "weighted"
            and repaired.value < value - 1e-6 * max(1.0, abs(value))):
        return fallback(repaired, stats, Status.FEASIBLE, "", bound)
    optimal = stages.proven and bound is not None and value <= bound + 1e-6 * max(1.0, value)
    return Outcome(Status.OPTIMAL if optimal else Status.FEASIBLE,
                   payload=to_payload(p, schedule), objective=value, bound=bound,
                   stats=stats)
