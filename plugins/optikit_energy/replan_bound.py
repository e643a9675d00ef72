"""A lower bound (and often the optimum) of a small energy re-plan from the time-indexed model.

Why: the interval model's LP bound hardly sees idle power and start-ups, so it proves a
re-plan slowly (the toy sample's: its optimum found in about 4 s, proven after about
30 s).  The time-indexed model of :mod:`optikit_energy.timeindexed` has a strong LP
bound and solves small instances to optimality on CP-SAT in about a second; here it
gets the events by column bounds:

- a frozen operation keeps only its column (old mode, old start);
- every other operation keeps only starts at ``now`` or later whose ``[start, end)``
  meets no blocked window (machine down, interrupted work) of its machine;
- a switchable machine is switched on before ``now`` only where the old plan did.

Every plan the re-planning rules accept is a point of this model at no higher cost (the
same map as for any schedule; the rule that a re-planned run is switched on again at
``now`` or later is left out, which only lowers the optimum), so the model's optimum and
CP-SAT's bound on it are lower bounds of the re-plan.  Its plan is also a re-plan when
the re-planning check accepts it (with its switch-ons as the model chose them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from optikit.scheduling import ScheduledOperation
from optikit.scheduling.replan_cpsat import integer_pair
from optikit.types import SolveContext, Status, UsageError
from optikit_energy import replan, switching, timeindexed, timeindexed_points
from optikit_energy.model import EnergyProblem, Infeasible
from optikit_energy.replan import ReplanTask
from optikit_energy.run import evaluate

# Use the model up to this many start columns, where it settles a re-plan in about a
# second (the toy sample has 347).  On the generated 'small' instances (2,000 to 2,500)
# its bound was tighter (gap 4.9 % -> 1.5 %, 2.2 % -> 0.7 %) but its share of the time
# cost the interval model's plans as much as it gave (benchmarks/replan/README.md).
MAX_START_COLUMNS = 1_000


@dataclass(frozen=True)
class Found:
    """The bound, and the model's plan when the re-planning checks accept it."""

    bound: float | None
    schedule: list[ScheduledOperation] | None = None
    switch_on: dict[int, list[int]] | None = None
    value: float | None = None
    proven: bool = False  # the bound is the model's optimum
    solved: _Solved | None = None  # the model and its assignment, for the second stage

    @property
    def optimal(self) -> bool:
        """A checked plan at the bound: the re-plan's optimum."""
        return (self.value is not None and self.bound is not None
                and self.value <= self.bound + 1e-6 * max(1.0, abs(self.value)))


@dataclass(frozen=True)
class _Solved:
    ti: timeindexed.TimeIndexed
    conv: Any  # linear_to_cpsat.Converted
    values: list[int]


def applies(problem: EnergyProblem) -> bool:
    """Small enough, and no sequence-dependent setups (the model has none)."""
    if problem.shop.has_setups:
        return False
    cols, nnz = timeindexed.size_estimate(problem)
    return cols <= MAX_START_COLUMNS and nnz <= 20 * MAX_START_COLUMNS


def restricted(task: ReplanTask) -> timeindexed.TimeIndexed:
    """The time-indexed model of the amended problem with the events as column bounds."""
    p = task.problem
    situ = task.situation
    ti = timeindexed.build(p)
    upper = ti.model.col_upper
    index = {(p.shop.jobs[op.job].id, op.index): g for g, op in enumerate(p.ops)}
    frozen = {index[k]: f for k, f in situ.frozen.items()}
    midx = p.shop.machine_index
    windows: dict[int, list[tuple[int, int]]] = {}
    for w in situ.blocked:
        windows.setdefault(midx[w.machine], []).append((w.start, w.end))
    for blk in ti.blocks:
        f = frozen.get(blk.op)
        if f is not None:
            keep = (blk.starts == f.start) & (blk.mode == f.mode)
        else:
            keep = blk.starts >= situ.now
            machine = p.ops[blk.op].modes[blk.mode].machine
            for a, b in windows.get(machine, []):
                keep &= ~((blk.starts < b) & (blk.ends > a))
        cols = blk.first_col + np.flatnonzero(~keep)
        upper[cols] = 0.0
    for m, first in ti.su_cols.items():
        past = set(task.past_switch_on.get(p.shop.machines[m].id, ()))
        for t in range(min(situ.now, p.horizon)):
            if t not in past:
                upper[first + t] = 0.0
    return ti


def solve(task: ReplanTask, backend: Any, ctx: SolveContext, time_limit: float | None
          ) -> Found:
    """The bound within ``time_limit`` (None when the model cannot be built or solved)."""
    from optikit_energy.cpsat_model import BuildStopped
    from optikit_energy.linear_to_cpsat import NotIntegral, convert

    try:
        ti = restricted(task)
        conv = convert(ti.model, should_stop=ctx.expired)
    except (Infeasible, UsageError, NotIntegral, BuildStopped):
        # BuildStopped: Ctrl-C or the limit arrived while converting; the caller still
        # holds the repaired plan and answers with it.
        return Found(None)
    threads = max(1, ctx.options.threads)
    parameters: dict[str, Any] = (
        {"subsolvers": ["max_lp", "default_lp"]} if threads > 1 else {"linearization_level": 2}
    )
    result = backend.solve(conv.model, ctx, time_limit=time_limit,
                           objective_scale=conv.objective_scale,
                           objective_offset=conv.objective_offset, parameters=parameters,
                           workers=threads, report_progress=False)
    proven = result.status is Status.OPTIMAL
    bound = result.objective if proven else result.bound
    if bound is None or not math.isfinite(bound):
        return Found(None)
    if not result.status.has_solution:
        return Found(bound)
    values = [int(result.value(v)) for v in conv.variables]
    return _plan(task, Found(bound, proven=proven, solved=_Solved(ti, conv, values)))


def _plan(task: ReplanTask, found: Found) -> Found:
    """``found`` with its assignment's plan, when the re-planning checks accept it."""
    assert found.solved is not None
    p = task.problem
    x = np.asarray(found.solved.values, dtype=np.float64)
    schedule, switch_on = timeindexed_points.extract(p, found.solved.ti, x)
    switch_on = switching.normalize(p, schedule, switch_on)
    payload, _figures = switching.build_payload(p, schedule, switch_on)
    if not replan.check(task, payload).feasible:
        return found
    return replace(found, schedule=schedule, switch_on=switch_on,
                   value=evaluate(p, schedule, switch_on))


def least_disruption(task: ReplanTask, found: Found, backend: Any, ctx: SolveContext,
                     time_limit: float | None) -> Found | None:
    """The lexicographic second stage on the same model: least disruption (start shift
    and machine changes, as the interval model counts them) with the energy objective
    within ``tolerance`` of ``found``'s optimal plan.  Every re-plan within that
    objective is a point of it, so a checked plan proven optimal here is the re-plan's
    least disruptive one.  None when there is no checked plan within the objective."""
    from ortools.sat.python import cp_model

    assert found.solved is not None and found.value is not None
    p = task.problem
    situ = task.situation
    ti, conv, values = found.solved.ti, found.solved.conv, found.solved.values
    lm = ti.model
    model = conv.model.clone()
    scale = round(1.0 / conv.objective_scale)
    coefs = np.round(lm.c * scale).astype(np.int64)
    nz = np.flatnonzero(coefs)
    energy = cp_model.LinearExpr.weighted_sum([conv.variables[j] for j in nz],
                                              [int(c) for c in coefs[nz]])
    cap = found.value * (1.0 + task.stability.tolerance) + 1e-9 * max(1.0, abs(found.value))
    model.add(energy <= math.floor((cap - lm.offset) * scale + 1e-6))
    a, b = integer_pair(task.stability.shift, task.stability.machine_change)
    index = {g: (p.shop.jobs[op.job].id, op.index) for g, op in enumerate(p.ops)}
    cols: list[Any] = []
    cost: list[int] = []
    for blk in ti.blocks:
        old = situ.old.get(index[blk.op])
        if old is None or index[blk.op] in situ.frozen:
            continue
        moved = a * np.abs(blk.starts - old.start)
        if p.shop.machines[p.ops[blk.op].modes[blk.mode].machine].id != old.machine:
            moved = moved + b
        for i in np.flatnonzero(moved):
            cols.append(conv.variables[blk.first_col + int(i)])
            cost.append(int(moved[i]))
    model.minimize(cp_model.LinearExpr.weighted_sum(cols, cost))
    model.clear_hints()
    for var, v in zip(conv.variables, values, strict=True):
        model.add_hint(var, v)
    result = backend.solve(model, ctx, time_limit=time_limit, report_progress=False,
                           workers=max(1, ctx.options.threads))
    if not result.status.has_solution:
        return None
    second = _plan(task, replace(found, schedule=None, value=None, proven=(
        result.status is Status.OPTIMAL), solved=_Solved(ti, conv, [
            int(result.value(v)) for v in conv.variables])))
    if second.value is None or second.value > cap:
        return None
    return second
