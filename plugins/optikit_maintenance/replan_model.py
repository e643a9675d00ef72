"""Formulation ``cpsat-replan``: the maintenance CP-SAT model with the events built in.

The model of :mod:`optikit_maintenance.cp` on the amended problem, with the blocked
windows (machine down, interrupted work) in each machine's no-overlap, started
operations and tasks frozen (mode and start; a frozen task is performed), every other
operation and performed task starting at ``now`` or later, and the stability stages of
:mod:`optikit.scheduling.replan_cpsat` (operations and tasks: start shift; operations:
machine changes).  No repair fallback: without a plan in time the answer is ``unknown``.
"""

from __future__ import annotations

from typing import Any

from optikit.scheduling.replan_cpsat import no_plan, solve_stages, stability_terms
from optikit.types import Outcome, SolveContext, Status
from optikit_maintenance import cp
from optikit_maintenance.costs import evaluate, to_payload
from optikit_maintenance.replan import ReplanTask


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


def solve(task: ReplanTask, backend: Any, ctx: SolveContext) -> Outcome:
    p = task.problem
    cm, shift, changes = build(task)
    stages = solve_stages(cm.model, cm.objective, 1.0 / cm.scale.factor, float(cm.offset),
                          shift, changes, task.stability, backend, ctx, cm.scale.exact)
    first = stages.first
    failed = no_plan(stages)
    if failed is not None:
        return failed
    chosen = stages.second or first
    schedule = cp._schedule(p, cm, chosen.value)
    value = float(evaluate(p, schedule).objective(p))
    bound = None
    if task.stability.mode != "weighted" and first.bound is not None and cm.scale.exact:
        bound = min(first.bound, value)
    optimal = stages.proven and bound is not None and value <= bound + 1e-6 * max(1.0, value)
    return Outcome(Status.OPTIMAL if optimal else Status.FEASIBLE,
                   payload=to_payload(p, schedule), objective=value, bound=bound,
                   stats=stages.stats)
