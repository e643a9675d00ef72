"""Large-neighbourhood search for shops with batch machines.

After the global solve, until the deadline: free the operations of a few jobs (chosen
at random, or the jobs busy around a random moment of the schedule) and re-solve the
main model (:func:`optikit_fjsp.batching_solve.build`) with everything else kept as it
is: fixed operations keep their mode, their order on ordinary machines (chains), and on
batch machines their batch (fixed members of one batch start together) and the order
of their batches.  The freed operations may change machine, join any batch of their
family with room, or open new ones.  A sub-solve's answer is a schedule of the whole
problem, so it is taken when it is better; its bound means nothing and is dropped.
The neighbourhood grows when sub-solves finish and shrinks when they time out.
"""

from __future__ import annotations

import random
import time
from typing import Any

from optikit.types import SolveContext, Status
from optikit_fjsp.batching import BatchPlan, batch_horizon
from optikit_fjsp.model import FjspProblem

SUB_TIME = 2.0  # seconds per sub-solve at most
SUB_DTIME = 0.5  # and CP-SAT deterministic time (the same work on a busy machine)


def _free_jobs(problem: FjspProblem, plan: BatchPlan, k: int, rng: random.Random) -> set[int]:
    flat = problem.flat
    if rng.random() < 0.5:
        return set(rng.sample(range(flat.num_jobs), k))
    order = sorted(range(flat.num_ops), key=lambda g: plan.starts[g])
    i = rng.randrange(len(order))
    free: set[int] = set()
    for g in order[i:] + order[:i]:
        free.add(flat.op_job[g])
        if len(free) >= k:
            break
    return free


def _sub_model(problem: FjspProblem, plan: BatchPlan, free: set[int], horizon: int) -> Any:
    from optikit_fjsp import batching_solve

    flat = problem.flat
    spec = problem.batching
    assert spec is not None
    fixed = [g for g in range(flat.num_ops) if flat.op_job[g] not in free]
    allowed = [
        (plan.modes[g],) if flat.op_job[g] not in free else tuple(range(len(flat.modes[g])))
        for g in range(flat.num_ops)
    ]
    chains: list[list[int]] = [[] for _ in range(flat.num_machines)]
    groups: dict[int, list[int]] = {}
    for g in sorted(fixed, key=lambda g: (plan.starts[g], g)):
        m = flat.modes[g][plan.modes[g]][0]
        if spec.is_batch(m):
            groups.setdefault(plan.batch[g], []).append(g)
        else:
            chains[m].append(g)

    def may_share(h: int, g: int) -> bool:
        if flat.op_job[h] in free or flat.op_job[g] in free:
            return True
        return plan.batch[h] == plan.batch[g]

    bm = batching_solve.build(
        problem, horizon, allowed=allowed, chains=chains, may_share=may_share
    )
    model, starts = bm.cm.model, bm.cm.starts
    last: dict[int, int] = {}
    for members in sorted(groups.values(), key=lambda gs: plan.starts[gs[0]]):
        head = members[0]
        for g in members[1:]:
            model.add(starts[g] == starts[head])
        m = flat.modes[head][plan.modes[head]][0]
        if m in last:
            model.add(starts[head] >= bm.completion[last[m]])
        last[m] = head
    batching_solve.hint(problem, bm, plan)
    return bm


def improve(
    problem: FjspProblem,
    backend: Any,
    ctx: SolveContext,
    plan: BatchPlan,
    value: float,
    bound: float | None,
) -> tuple[BatchPlan, float, dict[str, Any]]:
    """The best plan found by the deadline, its value and the search's statistics."""
    from optikit_fjsp.batching_solve import plan_value

    flat = problem.flat
    spec = problem.batching
    assert spec is not None
    rng = random.Random(ctx.options.seed * 7919 + 11)
    size = max(2.0, flat.num_jobs / 5)
    iterations = improvements = 0
    started = time.monotonic()
    build_s = 0.0
    while not ctx.expired() and not ctx.stop.is_set():
        if bound is not None and value - bound <= 1e-9 * max(1.0, abs(value)):
            break
        remaining = ctx.remaining()
        if remaining is None or remaining < 0.2 + 2 * build_s:
            break  # no time left to build and solve another sub-model
        k = max(1, min(flat.num_jobs, round(size)))
        free = _free_jobs(problem, plan, k, rng)
        if problem.objective.is_makespan:
            horizon = max(plan.ends)
        else:
            horizon = batch_horizon(problem.shop, spec)
        built = time.monotonic()
        bm = _sub_model(problem, plan, free, horizon)
        build_s = time.monotonic() - built
        remaining = ctx.remaining() or 0.0
        limit = min(SUB_TIME, remaining)
        sub_ctx = ctx.narrowed(limit)
        result = backend.solve(
            bm.cm.model,
            sub_ctx,
            time_limit=limit,
            workers=max(1, ctx.options.threads),
            objective_scale=bm.cm.objective_scale,
            parameters={
                "random_seed": rng.randrange(1 << 30),
                "max_deterministic_time": SUB_DTIME,
                # Short sub-solves: presolve probing and LP relaxations cost more than
                # they return here.
                "cp_model_probing_level": 0,
                "linearization_level": 0,
            },
        )
        iterations += 1
        complete = result.status in (Status.OPTIMAL, Status.INFEASIBLE)
        size = min(float(flat.num_jobs), size * 1.15) if complete else max(1.0, size * 0.85)
        if not result.status.has_solution:
            continue
        candidate = bm.plan(problem, result)
        new_value = plan_value(problem, candidate)
        if new_value < value - 1e-9:
            improvements += 1
            ctx.report(new_value, None, "lns")
        if new_value <= value + 1e-9:
            plan, value = candidate, new_value
    stats = {
        "lns_iterations": iterations,
        "lns_improvements": improvements,
        "lns_s": round(time.monotonic() - started, 2),
    }
    return plan, value, stats
