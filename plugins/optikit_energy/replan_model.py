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

Stage 1 is hinted with the old plan repaired by :mod:`optikit_energy.replan_repair`
(when the checks accept it; else with the old plan: frozen operations, the rest at its
old start or ``now``), and the repaired plan is the answer (``feasible``) when CP-SAT
finds nothing better in time.  A repair the checks refuse (a peak cap, the horizon) is
named in the message and the answer stays ``unknown``.

On small instances the time-indexed model (:mod:`optikit_energy.replan_bound`, at most
``BOUND_SHARE`` of the time) comes first: its bound is the run's when higher than
CP-SAT's and bounds stage 1's objective from below, and its plan, when checked and
cheaper than the repair, is stage 1's complete hint (the toy sample's re-plan is then
proven in well under a second of solving instead of about 30 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from optikit.scheduling import ScheduledOperation
from optikit.scheduling.replan_cpsat import (
    fallback,
    solve_stages,
    stability_terms,
    unless_planned,
)
from optikit.types import Outcome, SolveContext, Status
from optikit_energy import cpsat_solutions, switching
from optikit_energy.cpsat_model import BuildStopped, EnergyCpModel
from optikit_energy.model import Infeasible
from optikit_energy.replan import ReplanTask
from optikit_energy.replan_repair import Repaired, checked
from optikit_energy.run import all_values, evaluate, solve_fixed

# Of the remaining time, at most this share for the time-indexed bound (small instances;
# the toy sample's takes a third of a second).
BOUND_SHARE = 0.3
HINT_SECONDS = 2.0  # at most, to complete the hint of the time-indexed plan


def _index(task: ReplanTask) -> dict[tuple[str, int], int]:
    """(job id, operation index) -> the model's operation number."""
    p = task.problem
    return {(p.shop.jobs[op.job].id, op.index): g for g, op in enumerate(p.ops)}


def build(task: ReplanTask, cm: EnergyCpModel) -> tuple[Any, Any]:
    """Add the situation to the energy model ``cm``; return (total shift, machine changes)."""
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
    moves: list[tuple[Any, int, int]] = []
    same: list[list[Any]] = []
    for key, old in situ.old.items():
        h = index.get(key)
        if h is None or h in frozen:
            continue
        moves.append((cm.start[h], old.start, p.horizon))
        same.append([lit for k, lit in enumerate(cm.lits[h])
                     if lit is not None and p.shop.machines[p.ops[h].modes[k].machine].id
                     == old.machine])
    return stability_terms(m_, moves, same)


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


def _hint(task: ReplanTask, cm: EnergyCpModel, repaired: Repaired | None) -> None:
    """The repaired plan (or a better checked one) as a hint, else the old plan: old modes,
    old starts not before ``now``."""
    situ = task.situation
    if repaired is not None:  # modes, starts and switch-ons
        _hint_decisions(cm, cpsat_solutions.decision_hint(cm, repaired.schedule,
                                                          repaired.switch_on))
        return
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


def _complete_hint(cm: EnergyCpModel, plan: Repaired, backend: Any, ctx: SolveContext
                   ) -> None:
    """``plan`` as a complete hint: its decisions fixed in a clone, the auxiliaries (cost
    pieces, spans) solved to their true values, so that CP-SAT starts at its cost (a
    small model only: cloning a large one takes seconds)."""
    decisions = cpsat_solutions.decision_hint(cm, plan.schedule, plan.switch_on)
    remaining = ctx.remaining()
    result = solve_fixed(cm, decisions, backend, ctx,
                         None if remaining is None else min(remaining, HINT_SECONDS))
    if not result.status.has_solution:
        _hint_decisions(cm, decisions)
        return
    cpsat_solutions.set_hint(cm.model, all_values(cm, result))


def _hint_decisions(cm: EnergyCpModel, decisions: dict[int, int]) -> None:
    model = cm.model
    for i, v in decisions.items():
        model.add_hint(model.get_int_var_from_proto_index(i), v)


def _read(task: ReplanTask, cm: EnergyCpModel, result: Any
          ) -> tuple[list[ScheduledOperation], dict[int, list[int]], float]:
    schedule, switch_on = cpsat_solutions.extract(cm, result.value, result.boolean_value)
    switch_on = switching.normalize(task.problem, schedule, switch_on)
    return schedule, switch_on, evaluate(task.problem, schedule, switch_on)


@dataclass(frozen=True)
class _Lower:
    """The time-indexed model's bound, and its plan when that passed the checks."""

    bound: float
    plan: Repaired | None
    found: Any  # replan_bound.Found


def _time_indexed(task: ReplanTask, backend: Any, ctx: SolveContext,
                  repaired: Repaired | str, stats: dict[str, Any]) -> _Lower | None:
    """The bound of :mod:`optikit_energy.replan_bound` on small instances (a share of the
    time), or None.  A bound above the checked repaired plan would be wrong: dropped."""
    from optikit_energy import replan_bound

    remaining = ctx.remaining()
    if not replan_bound.applies(task.problem) or ctx.expired():
        return None
    share = BOUND_SHARE * remaining if remaining is not None else None
    found = replan_bound.solve(task, backend, ctx, share)
    stats["time_indexed"] = {"bound": found.bound, "optimal": found.proven,
                             "plan": found.value}
    if found.bound is None:
        return None
    ctx.report(found.value, found.bound, "time-indexed")
    if not isinstance(repaired, str) and found.bound > repaired.value + 1e-6 * max(
            1.0, abs(repaired.value)):
        stats["time_indexed"]["dropped"] = "above the repaired plan"
        return None
    plan = None
    if found.schedule is not None and found.switch_on is not None and found.value is not None:
        payload, _figures = switching.build_payload(task.problem, found.schedule,
                                                    found.switch_on)
        plan = Repaired(found.schedule, found.switch_on, found.value, payload)
        if not isinstance(repaired, str) and repaired.value <= plan.value:
            plan = None  # the repair is as good: hint with it
    return _Lower(found.bound, plan, found)


def _decided(task: ReplanTask, lower: _Lower | None, backend: Any, ctx: SolveContext,
             stats: dict[str, Any]) -> Outcome | None:
    """The answer when the time-indexed model settles the re-plan: its checked plan at its
    bound (mode ``none``), then (``lexicographic``) its least disruptive checked plan
    within the objective, proven; else None (the interval model goes on)."""
    from optikit_energy import replan_bound

    mode = task.stability.mode
    if lower is None or mode == "weighted" or not lower.found.optimal:
        return None
    found = lower.found
    if mode == "lexicographic":
        remaining = ctx.remaining()
        second = replan_bound.least_disruption(
            task, found, backend, ctx, None if remaining is None else remaining * BOUND_SHARE)
        stats["time_indexed"]["stage2"] = "none" if second is None else (
            "optimal" if second.proven else "feasible")
        if second is None or not second.proven:
            return None
        found = second
    payload, _figures = switching.build_payload(task.problem, found.schedule, found.switch_on)
    value = float(found.value)
    stats.update(answer="time-indexed", bound_source="time-indexed")
    optimal = value <= lower.bound + 1e-6 * max(1.0, abs(value))
    return Outcome(Status.OPTIMAL if optimal else Status.FEASIBLE, payload=payload,
                   objective=value, bound=lower.bound, stats=stats)


def solve(task: ReplanTask, backend: Any, ctx: SolveContext) -> Outcome:
    repaired = checked(task)
    stats: dict[str, Any] = {}
    if not isinstance(repaired, str):
        stats["repair_objective"] = repaired.value
        ctx.report(repaired.value, None, "repair")
    if ctx.expired() and not isinstance(repaired, str):  # no time left for a model
        return fallback(repaired, stats, Status.UNKNOWN, "stopped")
    lower = _time_indexed(task, backend, ctx, repaired, stats)
    decided = _decided(task, lower, backend, ctx, stats)
    if decided is not None:
        return decided
    try:
        cm = EnergyCpModel(task.problem, should_stop=ctx.expired)
        shift, changes = build(task, cm)
    except BuildStopped:
        return fallback(repaired, stats, Status.UNKNOWN, "stopped while the model was built")
    except Infeasible as exc:
        return Outcome(Status.INFEASIBLE, message=str(exc))
    if lower is not None and lower.plan is not None:
        _complete_hint(cm, lower.plan, backend, ctx)
    else:
        _hint(task, cm, None if isinstance(repaired, str) else repaired)
    if lower is not None and cm.info.exact:  # no plan costs less: CP-SAT stops there
        cm.model.add(cm.objective_expr >= math.ceil(
            lower.bound / cm.objective_scale - 1e-9 * max(1.0, lower.bound)))
    stages = solve_stages(cm.model, cm.objective_expr, cm.objective_scale, 0.0, shift, changes,
                          task.stability, backend, ctx, cm.info.exact)
    failed = unless_planned(stages, repaired, stats)
    if failed is not None:
        return failed
    first = stages.first
    best = _read(task, cm, first)
    if stages.second is not None:
        found = _read(task, cm, stages.second)
        if found[2] <= best[2] * (1.0 + task.stability.tolerance) + 1e-6 * max(1.0, abs(best[2])):
            best = found
    schedule, switch_on, value = best
    weighted = task.stability.mode == "weighted"
    bound = first.bound if not weighted and cm.info.exact else None
    if lower is not None and not weighted and (bound is None or lower.bound >= bound):
        bound = lower.bound
        stats["bound_source"] = "time-indexed"
    if (not isinstance(repaired, str) and not weighted
            and repaired.value < value - 1e-6 * max(1.0, abs(value))):
        return fallback(repaired, stats, Status.FEASIBLE, "", bound)
    payload, _figures = switching.build_payload(task.problem, schedule, switch_on)
    if bound is not None and (not math.isfinite(bound) or bound > value):
        bound = value if stages.proven else None
    # a lower bound this close proves the plan (CP-SAT's on stage 1, or the time-indexed one)
    optimal = bound is not None and value <= bound + 1e-6 * max(1.0, value)
    return Outcome(Status.OPTIMAL if optimal else Status.FEASIBLE, payload=payload,
                   objective=value, bound=bound, stats=stats)
