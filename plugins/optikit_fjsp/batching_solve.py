"""Formulation ``cpsat`` on problems with batch machines: dispatch, then global CP-SAT.

The unit-capacity machinery of :mod:`optikit_fjsp.cpsat` (the tabu search, the LNS, the
machine-load bound, the dispatching rule) assumes one operation at a time per machine,
so with batch machines a solve takes this path instead:

1. :func:`dispatch` builds a batch-aware schedule greedily (an operation joins an
   earlier batch of its family on the machine when there is room and it does not
   lengthen the batch, else opens a new batch after the machine's last one); it is the
   answer if nothing better is found in time, and the hint;
2. one CP-SAT solve of :func:`optikit_fjsp.cpsat_model.build` (heads and tails, machine
   load cuts, setup circuits) with batches named by their leader
   (:mod:`optikit_fjsp.batching_model`) and, for the makespan, a load cut per batch
   machine (its batch lengths add up to at most the makespan), through the project's
   backend and deadline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optikit.scheduling import operations_payload
from optikit.scheduling.calendar import Calendar
from optikit.types import Outcome, SolveContext, Status
from optikit_fjsp import batching_model, cpsat_model
from optikit_fjsp.batching import BatchPlan, batch_horizon, schedule_of
from optikit_fjsp.model import FjspProblem

# Share of the time limit for the global solve; the rest goes to the batch LNS.
GLOBAL_SHARE = 0.4


def plan_value(problem: FjspProblem, plan: BatchPlan) -> float:
    value, _ms, _twt = problem.evaluate(schedule_of(problem.flat, plan))
    return value


def plan_payload(problem: FjspProblem, plan: BatchPlan) -> dict[str, Any]:
    """The contract's payload; operations on batch machines carry ``batch`` ids.

    A batch id is the machine id and the batch's number on it in time order (OVEN-3).
    """
    flat, shop = problem.flat, problem.shop
    names: dict[int, str] = {}
    per_machine: dict[int, list[int]] = {}
    for g in range(flat.num_ops):
        b = plan.batch[g]
        if b >= 0 and b not in names:
            names[b] = ""
            per_machine.setdefault(flat.modes[g][plan.modes[g]][0], []).append(g)
    for m, firsts in per_machine.items():
        firsts.sort(key=lambda g: plan.starts[g])
        for i, g in enumerate(firsts, start=1):
            names[plan.batch[g]] = f"{shop.machines[m].id}-{i}"
    entries = operations_payload(shop.jobs, shop.machines, schedule_of(flat, plan))
    number = {(flat.op_job[g], flat.op_index[g]): g for g in range(flat.num_ops)}
    index = shop.job_index
    for e in entries:
        g = number[(index[e["job"]], e["operation"])]
        if plan.batch[g] >= 0:
            e["batch"] = names[plan.batch[g]]
    return {"operations": entries}


def dispatch(problem: FjspProblem) -> BatchPlan:
    """A greedy batch-aware schedule (see the module docstring).

    An operation may also join the last batch on its machine and lengthen it, as long
    as no member's job has gone on (the batch is not *sealed*): the members then simply
    wait longer, which fills batches that a strict rule would leave half empty.  With
    calendars every start is the earliest the machine's working time allows, and a
    batch (also when it grows) must fit one working window.
    """
    flat = problem.flat
    spec = problem.batching
    assert spec is not None
    shop = problem.shop
    n = flat.num_ops
    modes, starts, ends, batch = [0] * n, [0] * n, [0] * n, [-1] * n
    free = [0] * flat.num_machines
    last_job = [-1] * flat.num_machines
    # Batches as [start, end, load, sealed, id]; members by batch id.
    open_batches: dict[tuple[int, int], list[list[int]]] = {}
    last_batch: dict[int, list[int]] = {}
    members: list[list[int]] = []
    record: dict[int, list[int]] = {}
    position = [0] * flat.num_jobs
    ready = list(flat.release)
    remaining = [sum(min(d for _m, d in flat.modes[g]) for g in ops) for ops in flat.job_ops]
    for _step in range(n):
        best: tuple[tuple[int, int, int], int, int, int, int, list[int] | None] | None = None
        for j, ops in enumerate(flat.job_ops):
            if position[j] == len(ops):
                continue
            g = ops[position[j]]
            for k, (m, d) in enumerate(flat.modes[g]):
                join: list[int] | None = None
                cal = shop.calendar(m)
                if spec.is_batch(m):
                    length = spec.duration(m, [d])
                    found = _fit(cal, max(ready[j], free[m]), length, False)
                    if found is None:
                        continue
                    s, e = found
                    room = spec.machines[m].capacity - spec.size[g]
                    for rec in open_batches.get((m, spec.family[g]), ()):
                        if rec[0] < ready[j] or rec[2] > room:
                            continue
                        longer = rec[0] + length > rec[1]
                        if longer and (rec[3] or rec is not last_batch[m]):
                            continue
                        grown = max(rec[1], rec[0] + length)
                        if grown <= e and (cal is None or cal.fits(rec[0], grown)):
                            s, e, join = rec[0], grown, rec
                            break
                else:
                    gap = flat.setup_between(m, last_job[m], j) if last_job[m] >= 0 else 0
                    interruptible = shop.jobs[j].operations[flat.op_index[g]].interruptible
                    found = _fit(cal, max(ready[j], free[m] + gap), d, interruptible)
                    if found is None:
                        continue
                    s, e = found
                key = (s, e, -remaining[j])
                if best is None or key < best[0]:
                    best = (key, g, k, s, e, join)
        assert best is not None
        _key, g, k, s, e, join = best
        j = flat.op_job[g]
        m = flat.modes[g][k][0]
        before = flat.prev_op(g)
        if before >= 0 and before in record:
            record[before][3] = 1  # a member's job goes on: its batch keeps its length
        modes[g], starts[g], ends[g] = k, s, e
        if join is not None:
            join[2] += spec.size[g]
            batch[g] = join[4]
            record[g] = join
            if e > join[1]:  # lengthened: the other members wait with it
                join[1] = free[m] = e
                for h in members[join[4]]:
                    ends[h] = e
                    ready[flat.op_job[h]] = e
            members[join[4]].append(g)
        elif spec.is_batch(m):
            rec = [s, e, spec.size[g], 0, len(members)]
            batch[g] = rec[4]
            members.append([g])
            record[g] = rec
            free[m] = e
            last_batch[m] = rec
            open_batches.setdefault((m, spec.family[g]), []).append(rec)
        else:
            free[m] = e
            last_job[m] = j
        position[j] += 1
        ready[j] = e
        remaining[j] -= min(d for _m, d in flat.modes[g])
    return BatchPlan(tuple(modes), tuple(starts), tuple(ends), tuple(batch))


def _fit(cal: Calendar | None, t: int, work: int, interruptible: bool
         ) -> tuple[int, int] | None:
    """Earliest (start, end) from ``t`` in the calendar's working time (None: never)."""
    from optikit.scheduling.replan_repair import place as _place

    return _place(cal, [], t, work, interruptible)


@dataclass
class BatchCpModel:
    """The shop model of :func:`optikit_fjsp.cpsat_model.build` plus the batches."""

    cm: cpsat_model.CpShopModel
    slots: list[batching_model.Slots]
    completion: dict[int, Any]

    def plan(self, problem: FjspProblem, result: Any) -> BatchPlan:
        sol = self.cm.solution(result.value, result.boolean_value)
        return batching_model.read_plan(
            problem, list(sol.modes), list(sol.starts), self.slots, result.boolean_value,
            sol.ends,
        )


def build(
    problem: FjspProblem,
    horizon: int,
    *,
    allowed: Sequence[Sequence[int]] | None = None,
    chains: Sequence[Sequence[int]] | None = None,
    may_share: Callable[[int, int], bool] | None = None,
    frozen: dict[int, int] | None = None,
    blocked: Mapping[int, Sequence[tuple[int, int]]] | None = None,
) -> BatchCpModel:
    """The main model; ``allowed``, ``chains``, ``frozen`` and ``blocked`` as in
    :func:`cpsat_model.build` (``blocked`` also for batch machines), ``may_share`` as in
    :func:`batching_model.add_leader_batches`."""
    spec = problem.batching
    assert spec is not None
    flat = problem.flat
    cm = cpsat_model.build(
        problem, horizon, allowed=allowed, chains=chains, batch_machines=frozenset(spec.machines),
        frozen=frozen, blocked=blocked,
    )
    model = cm.model
    by_machine = batching_model.candidates(problem, lambda g, k: cm.literals[g].get(k))
    completion: dict[int, Any] = {}
    for cands in by_machine.values():
        for g, _k, _lit in cands:
            if g in completion:
                continue
            c = model.new_int_var(0, horizon, f"c{g}")
            completion[g] = c
            model.add(c >= cm.ends[g])
            nxt = flat.next_op(g)
            if nxt >= 0:
                model.add(cm.starts[nxt] >= c)
                continue
            j = flat.op_job[g]
            if cm.makespan is not None:
                model.add(cm.makespan >= c)
            if j in cm.tardiness:
                model.add(cm.tardiness[j] >= c - (flat.due[j] or 0))
    slots = batching_model.add_leader_batches(
        model, problem, cm.starts, completion, by_machine, horizon, may_share, blocked
    )
    if cm.makespan is not None:
        for sl in slots:  # a machine's batches follow each other: a load cut
            model.add(cm.makespan >= sum(sl.length))
    return BatchCpModel(cm, slots, completion)


def job_bound(problem: FjspProblem) -> float:
    """A solver-free lower bound: every job alone, each operation in the mode that ends
    first (with calendars: as early as its machine's working time allows, which is
    monotone in the ready time, so the greedy chain is the job's earliest completion).

    (The machine-load bound of unit machines does not hold on batch machines.)
    """
    flat = problem.flat
    spec = problem.batching
    assert spec is not None
    shop = problem.shop
    done = []
    for j, ops in enumerate(flat.job_ops):
        t = flat.release[j]
        for g in ops:
            interruptible = shop.jobs[j].operations[flat.op_index[g]].interruptible
            ends = [
                _fit(shop.calendar(m), t, spec.duration(m, [d]), False) if spec.is_batch(m)
                else _fit(shop.calendar(m), t, d, interruptible)
                for m, d in flat.modes[g]
            ]
            t = min((e for _s, e in filter(None, ends)), default=t)
        done.append(t)
    late = sum(
        flat.weight[j] * max(0, c - due)
        for j, c in enumerate(done)
        if (due := flat.due[j]) is not None
    )
    return problem.objective.value(max(done), late)


def solve(problem: FjspProblem, backend: Any, ctx: SolveContext) -> Outcome:
    spec = problem.batching
    assert spec is not None
    start = dispatch(problem)
    start_value = plan_value(problem, start)
    ctx.report(start_value, None, "dispatch")
    first_bound = job_bound(problem)
    ctx.report(None, first_bound, "relaxation")
    if problem.objective.is_makespan:
        horizon = max(start.ends)  # no better schedule ends later
    else:
        horizon = batch_horizon(problem.shop, spec)
    bm = build(problem, horizon)
    hint(problem, bm, start)
    remaining = ctx.remaining()
    limit = None if remaining is None else max(1.0, GLOBAL_SHARE * remaining)
    result = backend.solve(bm.cm.model, ctx, time_limit=limit,
                           objective_scale=bm.cm.objective_scale)
    stats: dict[str, Any] = {"dispatch_objective": start_value, "batch_machines": len(bm.slots),
                             "global_status": result.status.value}
    best, best_value, proven = start, start_value, False
    if result.status.has_solution:
        plan = bm.plan(problem, result)
        value = plan_value(problem, plan)
        if value <= best_value:
            best, best_value = plan, value
        proven = (
            result.status is Status.OPTIMAL
            and bm.cm.exact_objective
            and math.isclose(best_value, result.objective or math.inf, rel_tol=1e-9)
        )
    bound = result.bound if bm.cm.exact_objective and result.bound is not None else None
    if bound is None or not math.isfinite(bound) or bound < first_bound:
        bound = first_bound
    if not proven and not ctx.expired() and ctx.remaining() is not None:
        from optikit_fjsp import batching_lns

        best, best_value, lns_stats = batching_lns.improve(
            problem, backend, ctx, best, best_value, bound
        )
        stats.update(lns_stats)
    if bound is not None and best_value - bound <= ctx.options.gap * max(abs(best_value), 1e-9):
        proven = True
    return Outcome(
        status=Status.OPTIMAL if proven else Status.FEASIBLE,
        payload=plan_payload(problem, best),
        objective=best_value,
        bound=bound,
        stats=stats,
    )


def hint(problem: FjspProblem, bm: BatchCpModel, plan: BatchPlan) -> None:
    """Hint the whole model with ``plan``: modes, starts, ends, batches, objective terms."""
    from optikit_fjsp.timetable import Solution

    flat = problem.flat
    cm, slots, completion = bm.cm, bm.slots, bm.completion
    model = cm.model
    # The shop part (starts, modes, setup circuits) as for unit machines; the objective
    # terms it hints use the mode durations, so they are corrected below.
    spec = problem.batching
    assert spec is not None
    own_ends = tuple(  # a batch member's own end; the batch end is its completion
        plan.starts[g] + flat.modes[g][plan.modes[g]][1]
        if spec.is_batch(flat.modes[g][plan.modes[g]][0]) else plan.ends[g]
        for g in range(flat.num_ops)
    )
    cm.add_hint(problem, Solution(plan.modes, plan.starts, own_ends))
    done = [plan.ends[ops[-1]] for ops in flat.job_ops]
    corrections: dict[int, int] = {}
    if cm.makespan is not None:
        corrections[cm.makespan.index] = max(done)
    for j, var in cm.tardiness.items():
        corrections[var.index] = max(0, done[j] - (flat.due[j] or 0))
    hint = model.proto.solution_hint
    for i, var in enumerate(hint.vars):
        if var in corrections:
            hint.values[i] = corrections[var]
    for g, c in completion.items():
        model.add_hint(c, plan.ends[g])
    batching_model.hint_slots(model, problem, slots, plan)
