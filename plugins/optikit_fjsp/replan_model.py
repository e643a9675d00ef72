"""Formulation ``cpsat-replan``: the fjsp CP-SAT model with the events built in.

The shop model of :mod:`optikit_fjsp.cpsat_model` with: started operations frozen (mode
and start fixed), every other start at or after ``now``, blocked windows (machine down,
interrupted work) as fixed intervals in each machine's no-overlap (with calendars, an
interruptible operation's interval spans its pauses, so it never pauses over a blocked
window; working-time calendars come with the shop model), and the
stability terms: per operation of the old plan ``|start - old start|`` and a literal for
"not on its old machine".  ``stability.mode``:

- ``lexicographic`` (default): stage 1 minimises the type's objective (its bound is the
  run's bound; at most 80 % of the time, less once its incumbent stalls); stage 2 keeps
  the objective within ``tolerance`` of stage 1's best and minimises
  ``shift * total shift + machine_change * machine changes`` (with no tolerance, behind
  the objective itself, which it may still improve);
- ``weighted``: one stage, objective + the same disruption cost;
- ``none``: stage 1 only (re-planning from scratch, for comparison).

Both stages are hinted (the old plan repaired by :mod:`optikit_fjsp.replan_repair`, then
stage 1's best), and the repaired plan is the answer if CP-SAT finds nothing in time.
With batch machines the shop model is the batch model of
:mod:`optikit_fjsp.batching_solve` and plans are batch plans
(:class:`optikit_fjsp.replan_batches.BatchPlans`); the rest is the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from optikit.scheduling.replan_task import remembered
from optikit.types import Outcome, SolveContext, Status
from optikit_fjsp import cpsat_model
from optikit_fjsp.cpsat import is_valid, payload
from optikit_fjsp.global_solve import StallWatch
from optikit_fjsp.model import integer_weights
from optikit_fjsp.replan import ReplanTask, check
from optikit_fjsp.replan_repair import FlatSituation, flat_situation, repair
from optikit_fjsp.timetable import Solution, makespan, objective_value

STAGE1_SHARE = 0.8  # at most, of the remaining time, in the lexicographic mode
STALL_SECONDS = 2.0  # and less once its incumbent has not improved for this long


@dataclass
class _Model:
    cm: cpsat_model.CpShopModel
    objective: Any  # the type's objective, scaled to integers
    disruption: Any  # shift and machine-change cost, scaled to integers
    weighted: Any  # objective and disruption in one integer expression
    max_objective: int  # bounds of the two integer expressions (for lexicographic sums)
    max_disruption: int
    batches: Any = None  # the BatchCpModel around ``cm`` when the shop has batch machines


class _UnitPlans:
    """Plans of shops without batch machines: :class:`Solution`."""

    def __init__(self, task: ReplanTask) -> None:
        self.problem = task.problem

    def repair(self, fs: FlatSituation) -> Solution:
        return repair(self.problem, fs)

    def end(self, plan: Solution) -> int:
        return makespan(self.problem.flat, plan)

    def valid(self, plan: Solution, fs: FlatSituation) -> bool:
        return is_valid(self.problem, plan) and fs.respects(plan)

    def value(self, plan: Solution) -> float:
        return objective_value(self.problem, plan)

    def hint(self, built: _Model, plan: Solution) -> None:
        built.cm.add_hint(self.problem, plan)

    def read(self, built: _Model, result: Any) -> Solution:
        return built.cm.solution(result.value, result.boolean_value)

    def payload(self, plan: Solution) -> dict[str, Any]:
        return payload(self.problem, plan)


def _plans(task: ReplanTask) -> Any:
    if task.problem.batching is None:
        return _UnitPlans(task)
    from optikit_fjsp.replan_batches import BatchPlans

    return BatchPlans(task)


@dataclass(frozen=True)
class Repaired:
    """The repaired old plan, checked by the type's checker and the re-planning rules."""

    value: float
    payload: dict[str, Any]


def checked(task: ReplanTask) -> Repaired | str:
    """The repaired plan if the checks accept it, else why not (one line); worked out once
    per task (the core's answer of last resort)."""
    return remembered(task, "repaired", lambda: _checked(task))


def _checked(task: ReplanTask) -> Repaired | str:
    plans = _plans(task)
    plan = plans.repair(flat_situation(task))
    found = plans.payload(plan)
    report = check(task, found)
    if not report.feasible:
        v = report.violations[0]
        return f"the repaired old plan breaks {v.constraint}: {v.message}"
    return Repaired(plans.value(plan), found)


def build(task: ReplanTask, fs: FlatSituation) -> _Model:
    """The re-planning model (objective set to the type's objective)."""
    problem = task.problem
    flat = problem.flat
    horizon = fs.horizon
    allowed = [[fs.frozen[g][0]] if g in fs.frozen else list(range(len(flat.modes[g])))
               for g in range(flat.num_ops)]
    frozen = {g: s for g, (_k, s) in fs.frozen.items()}
    batches = None
    if problem.batching is not None:
        from optikit_fjsp import batching_solve, replan_batches

        batches = batching_solve.build(problem, horizon, allowed=allowed, frozen=frozen,
                                       blocked=fs.blocked,
                                       may_share=replan_batches.may_share(task, frozen))
        cm = batches.cm
    else:
        cm = cpsat_model.build(problem, horizon, allowed=allowed, frozen=frozen,
                               blocked=fs.blocked)
    m = cm.model
    for g in range(flat.num_ops):
        if g not in fs.frozen:
            m.add(cm.starts[g] >= fs.now)
    objective_terms, objective_weights = _objective_terms(task, cm)
    shifts, changes = [], []
    shift_room = 0  # the largest total shift
    for g, (old_mode, old_start) in fs.old.items():
        if g in fs.frozen:
            continue
        room = max(horizon, old_start)  # an old plan may start later than this horizon
        shift_room += room
        shift = m.new_int_var(0, room, f"shift{g}")
        m.add_abs_equality(shift, cm.starts[g] - old_start)
        shifts.append(shift)
        old_machine = flat.modes[g][old_mode][0]
        same = [lit for k, lit in cm.literals[g].items() if flat.modes[g][k][0] == old_machine]
        if not same:
            changes.append(1)
        elif all(lit is not True for lit in same):
            changes.append(1 - sum(same))
    stab = task.stability
    ints, _scale, _exact = integer_weights([stab.shift, stab.machine_change])
    disruption = ints[0] * sum(shifts) + ints[1] * sum(changes)
    weights = [*objective_weights, stab.shift, stab.machine_change]
    wints, _wscale, _wexact = integer_weights(weights)
    n = len(objective_terms)
    weighted = (sum(c * v for c, v in zip(wints[:n], objective_terms, strict=True))
                + wints[n] * sum(shifts) + wints[n + 1] * sum(changes))
    oints, _oscale, _oexact = integer_weights(objective_weights)
    objective = sum(c * v for c, v in zip(oints, objective_terms, strict=True))
    return _Model(cm, objective, disruption, weighted, sum(oints) * horizon,
                  ints[0] * shift_room + ints[1] * len(changes), batches)


def _objective_terms(task: ReplanTask, cm: cpsat_model.CpShopModel
                     ) -> tuple[list[Any], list[float]]:
    """The type's objective as (variables, weights), as the shop model built it."""
    obj = task.problem.objective
    flat = task.problem.flat
    terms: list[Any] = []
    weights: list[float] = []
    if cm.makespan is not None:
        terms.append(cm.makespan)
        weights.append(obj.makespan_weight)
    for j, var in cm.tardiness.items():
        terms.append(var)
        weights.append(obj.tardiness_weight * flat.weight[j])
    return terms, weights


def solve(task: ReplanTask, backend: Any, ctx: SolveContext) -> Outcome:
    problem = task.problem
    plans = _plans(task)
    fs = flat_situation(task)
    start = plans.repair(fs)
    if problem.shop.has_calendars or problem.batching is not None:
        # room for the repaired plan, whose calendars or batch cycles may wait
        fs = flat_situation(task, min_horizon=plans.end(start) + 1)
    best: Any = start if plans.valid(start, fs) else None
    stats: dict[str, Any] = {"repair_objective": plans.value(start)}
    if best is not None:
        ctx.report(plans.value(best), None, "repair")
    built = build(task, fs)
    cm = built.cm
    mode = task.stability.mode
    if mode == "weighted":
        cm.model.minimize(built.weighted)
    plans.hint(built, best or start)
    remaining = ctx.remaining()
    lexicographic = mode == "lexicographic"
    stage1_limit = remaining * STAGE1_SHARE if remaining is not None and lexicographic else (
        remaining)
    known = plans.value(best) if best is not None else math.inf
    # Stage 1 of the lexicographic mode hands over to stage 2 once its incumbent stalls.
    with StallWatch(ctx, stage1_limit, False, STALL_SECONDS if lexicographic else None,
                     lambda: known) as watch:
        first = backend.solve(cm.model, watch.ctx, time_limit=stage1_limit,
                              objective_scale=cm.objective_scale if mode != "weighted" else 1.0,
                              report_progress=mode != "weighted")
    stats["stage1_status"] = first.status.value
    proven = False
    bound: float | None = None
    if first.status.has_solution:
        found = plans.read(built, first)
        if best is None or mode == "weighted" or plans.value(found) <= plans.value(best):
            best = found  # weighted: CP-SAT minimised the combined cost, hinted with best
        if mode != "weighted":
            proven = first.status is Status.OPTIMAL and cm.exact_objective
            if cm.exact_objective and first.bound is not None and math.isfinite(first.bound):
                bound = first.bound
    if mode == "lexicographic" and best is not None and not ctx.expired():
        best, stage2, improved_proof = _stage2(task, built, backend, ctx, best, plans)
        stats["stage2_status"] = stage2
        if improved_proof:
            proven, bound = True, plans.value(best)
    if best is None:
        return Outcome(Status.UNKNOWN, stats=stats,
                       message="no re-plan found within the limits")
    value = plans.value(best)
    optimal = proven and bound is not None and value <= bound + 1e-9
    return Outcome(
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        payload=plans.payload(best),
        objective=value,
        bound=bound,
        stats=stats,
    )


def _stage2(task: ReplanTask, built: _Model, backend: Any, ctx: SolveContext,
            best: Any, plans: Any) -> tuple[Any, str, bool]:
    """Least disruption among plans whose objective is within the tolerance of ``best``.

    With no tolerance, and when the sum fits in 62 bits, the objective stays in front
    (``big * objective + disruption``): the search keeps improving the objective, and
    an optimal answer proves it optimal (third value).
    """
    cm = built.cm
    value = plans.value(best)
    _ints, scale, _exact = integer_weights(_objective_terms(task, cm)[1])
    limit = value * (1.0 + task.stability.tolerance)
    cm.model.add(built.objective <= math.floor(limit * scale + 1e-6))
    big = built.max_disruption + 1
    both = task.stability.tolerance == 0 and big * (built.max_objective + 1) < 1 << 62
    cm.model.minimize(big * built.objective + built.disruption if both else built.disruption)
    plans.hint(built, best)
    result = backend.solve(cm.model, ctx, time_limit=ctx.remaining(), report_progress=False)
    if result.status.has_solution:
        found = plans.read(built, result)
        if plans.value(found) <= limit + 1e-9:
            proof = both and result.status is Status.OPTIMAL and cm.exact_objective
            return found, result.status.value, proof
    return best, result.status.value, False
