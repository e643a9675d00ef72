"""Formulation ``cpsat-replan``: the energy interval model with the events built in.

The CP-SAT interval model of :mod:`optikit_energy.cpsat_model` on the amended problem,
with: started operations frozen (mode and start fixed), every other start at or after
``now``, blocked windows (machine down, interrupted work) as fixed intervals beside each
machine's operations in a second no-overlap (an interruptible operation's interval spans
its pauses, so it never pauses over a blocked window), and switch-ons either the old
plan's (before ``now``, frozen operations only) or at ``now`` or later.  Stability terms
per operation of the old plan: ``|start - old start|`` and "not on its old machine".
``stability.mode`` as for fjsp: ``lexicographic`` (stage 1 the energy objective, stage 2
least disruption with the objective kept within ``tolerance`` of stage 1's best),
``weighted`` (one stage, objective + disruption) or ``none`` (stage 1 only).

Stage 1 is hinted with the old plan (frozen operations, the rest at its old start
or ``now``); there is no repair fallback: if CP-SAT finds nothing in time the answer
is ``unknown``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from optikit.scheduling import ScheduledOperation
from optikit.types import Outcome, SolveContext, Status
from optikit_energy import cpsat_solutions, switching
from optikit_energy.cpsat_model import BuildStopped, EnergyCpModel
from optikit_energy.model import Infeasible
from optikit_energy.replan import ReplanTask
from optikit_energy.run import evaluate

STAGE1_SHARE = 0.7  # of the remaining time, in the lexicographic mode


@dataclass
class _Built:
    cm: EnergyCpModel
    disruption: Any  # shift and machine-change cost (integer weights)
    weighted: Any  # scaled objective + disruption


def _index(task: ReplanTask) -> dict[tuple[str, int], int]:
    """(job id, operation index) -> the model's operation number."""
    p = task.problem
    return {(p.shop.jobs[op.job].id, op.index): g for g, op in enumerate(p.ops)}


def build(task: ReplanTask, cm: EnergyCpModel) -> _Built:
    """Add the situation and the stability terms to the energy model ``cm``."""
    p = task.problem
    situ = task.situation
    m_ = cm.model
    index = _index(task)
    midx = p.shop.machine_index
    frozen = {index[k]: f for k, f in situ.frozen.items()}
    for g in range(len(p.ops)):
        if g not in frozen:
            m_.add(cm.start[g] >= situ.now)
    for (job, o), f in situ.frozen.items():
        g = index[(job, o)]
        if cm.lits[g][f.mode] is None:
            raise Infeasible(f"job {job} op {o} started at {f.start} but no longer fits its "
                             f"mode before the horizon")
        for k, lit in enumerate(cm.lits[g]):
            if lit is not None:
                m_.add(lit == int(k == f.mode))
        m_.add(cm.start[g] == f.start)
    by_machine: dict[int, list[Any]] = {}
    for w in situ.blocked:
        a, b = max(0, w.start), min(w.end, p.horizon)
        if a < b:
            by_machine.setdefault(midx[w.machine], []).append(
                m_.new_fixed_size_interval_var(a, b - a, f"down{w.machine}_{a}"))
    for m, windows in by_machine.items():
        ivs = [cm.mode_intervals[g][k] for g, k in p.machine_modes[m]
               if cm.mode_intervals[g][k] is not None]
        m_.add_no_overlap(ivs + windows)
    _switch_ons(task, cm, frozen)
    shifts: list[Any] = []
    changes: list[Any] = []
    for key, old in situ.old.items():
        h = index.get(key)
        if h is None or h in frozen:
            continue
        shift = m_.new_int_var(0, max(p.horizon, old.start), f"shift{h}")
        m_.add_abs_equality(shift, cm.start[h] - old.start)
        shifts.append(shift)
        same = [lit for k, lit in enumerate(cm.lits[h])
                if lit is not None and p.shop.machines[p.ops[h].modes[k].machine].id
                == old.machine]
        changes.append(1 - sum(same) if same else 1)
    stab = task.stability
    w_shift, w_change = _integer_pair(stab.shift, stab.machine_change)
    disruption = w_shift * sum(shifts) + w_change * sum(changes)
    q = round(1.0 / cm.objective_scale)
    weighted = cm.objective_expr + round(q * stab.shift) * sum(shifts) + round(
        q * stab.machine_change) * sum(changes)
    return _Built(cm, disruption, weighted)


def _integer_pair(a: float, b: float) -> tuple[int, int]:
    """Two non-negative weights as integers in about the same ratio."""
    scale = 1000 / max(a, b, 1e-9)
    return round(a * scale), round(b * scale)


def _switch_ons(task: ReplanTask, cm: EnergyCpModel, frozen: dict[int, Any]) -> None:
    """A switch-on before ``now`` only as in the old plan; the others from ``now`` on."""
    from ortools.sat.python import cp_model

    p = task.problem
    for m, nodes in cm.nodes.items():
        past = task.past_switch_on.get(p.shop.machines[m].id, ())
        for node in nodes:
            if node.op not in frozen:
                cm.model.add(node.idle_start >= task.situation.now).only_enforce_if(node.new)
            elif past:
                cm.model.add_linear_expression_in_domain(
                    node.idle_start, cp_model.Domain.from_values(list(past))
                ).only_enforce_if(node.new)
            else:
                cm.model.add(node.new == 0)


def _hint(task: ReplanTask, cm: EnergyCpModel) -> None:
    """The old plan as a (partial) hint: old modes, old starts not before ``now``."""
    situ = task.situation
    for key, g in _index(task).items():
        old = situ.old.get(key)
        if old is None:
            continue
        lit = cm.lits[g][old.mode]
        if lit is None:
            continue
        cm.model.add_hint(lit, True)
        start = old.start if key in situ.frozen else max(old.start, situ.now)
        cm.model.add_hint(cm.start[g], start)


def _read(task: ReplanTask, cm: EnergyCpModel, result: Any
          ) -> tuple[list[ScheduledOperation], dict[int, list[int]], float]:
    schedule, switch_on = cpsat_solutions.extract(cm, result.value, result.boolean_value)
    switch_on = switching.normalize(task.problem, schedule, switch_on)
    return schedule, switch_on, evaluate(task.problem, schedule, switch_on)


def solve(task: ReplanTask, backend: Any, ctx: SolveContext) -> Outcome:
    stats: dict[str, Any] = {}
    try:
        cm = EnergyCpModel(task.problem, should_stop=ctx.expired)
        built = build(task, cm)
    except BuildStopped:
        return Outcome(Status.UNKNOWN, message="stopped while the model was built")
    except Infeasible as exc:
        return Outcome(Status.INFEASIBLE, message=str(exc))
    mode = task.stability.mode
    if mode == "weighted":
        cm.model.minimize(built.weighted)
    _hint(task, cm)
    remaining = ctx.remaining()
    limit = remaining * STAGE1_SHARE if remaining is not None and mode == "lexicographic" else (
        remaining)
    first = backend.solve(cm.model, ctx, time_limit=limit,
                          objective_scale=cm.objective_scale if mode != "weighted" else 1.0,
                          report_progress=mode != "weighted")
    stats["stage1_status"] = first.status.value
    if first.status is Status.INFEASIBLE:
        return Outcome(Status.INFEASIBLE, stats=stats,
                       message="no plan keeps the started operations and the events")
    if not first.status.has_solution:
        return Outcome(Status.UNKNOWN, stats=stats, message="no re-plan found within the limits")
    best = _read(task, cm, first)
    proven = mode != "weighted" and first.status is Status.OPTIMAL and cm.info.exact
    bound = first.bound if proven or (mode != "weighted" and cm.info.exact) else None
    if mode == "lexicographic" and not ctx.expired():
        best, stats["stage2_status"] = _stage2(task, built, backend, ctx, first, best)
    schedule, switch_on, value = best
    payload, _figures = switching.build_payload(task.problem, schedule, switch_on)
    if bound is not None and (not math.isfinite(bound) or bound > value):
        bound = value if proven else None
    return Outcome(
        status=Status.OPTIMAL if proven and bound is not None and value <= bound + 1e-6
        else Status.FEASIBLE,
        payload=payload, objective=value, bound=bound, stats=stats,
    )


def _stage2(task: ReplanTask, built: _Built, backend: Any, ctx: SolveContext, first: Any,
            best: tuple[list[ScheduledOperation], dict[int, list[int]], float]
            ) -> tuple[tuple[list[ScheduledOperation], dict[int, list[int]], float], str]:
    """Least disruption among plans whose objective is within the tolerance of stage 1's."""
    cm = built.cm
    reached = int(first.value(cm.objective_expr))
    cm.model.add(cm.objective_expr <= math.floor(reached * (1.0 + task.stability.tolerance)))
    cm.model.minimize(built.disruption)
    cm.model.clear_hints()
    for var in cpsat_solutions.all_variables(cm):
        cm.model.add_hint(var, first.value(var))
    result = backend.solve(cm.model, ctx, time_limit=ctx.remaining(), report_progress=False)
    if result.status.has_solution:
        found = _read(task, cm, result)
        if found[2] <= best[2] * (1.0 + task.stability.tolerance) + 1e-6 * max(1.0, abs(best[2])):
            return found, result.status.value
    return best, result.status.value
