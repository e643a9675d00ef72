"""A schedule guided by the bucket relaxation's optimum: CP-SAT inside the relaxation's plan.

Why: the time-bucket relaxation (:mod:`optikit_energy.bucket_bound`) already decides
which mode each operation runs in and roughly when (which buckets it processes in), and
its optimum is close to the best schedules: on generated medium-1 the LNS found 197.25
in 600 s while CP-SAT, restricted to the relaxation's modes and to each operation's
buckets widened by half a bucket, found and proved 177.13 in 2 s (relaxation 175.92).
The LNS moves a few jobs at a time from one incumbent and cannot make that jump.

The relaxation point gives per operation its mode (where the relaxation picks one) and a
window from the start of the first bucket it processes in to the end of the last.  The
guided model is the interval model with those windows widened by a slack and those
modes fixed (an LNS frame, :mod:`optikit_energy.lns_frame`, with no frozen starts).
Non-preemption can make the windows too tight: an infeasible attempt (CP-SAT proves
that in a fraction of a second) is retried with a wider slack.  Every schedule found
is a real one, priced as the checker prices it; the run keeps it only if it is better.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from optikit.types import Status
from optikit_energy.cpsat_model import BuildStopped, EnergyCpModel
from optikit_energy.lns_frame import Frame
from optikit_energy.model import Infeasible
from optikit_energy.run import FAST_PRESOLVE, Incumbent, Run, priced

# A mode counts as the relaxation's choice from this value of its x column.
CHOSEN = 0.99
# Units below this count as "processes in the bucket".
PROCESSES = 1e-6
# Slacks tried, in bucket lengths (median bucket; infeasible tries end in a fraction of a
# second).  Medium-1: the first is feasible, CP-SAT proves its optimum in 2 s.  Medium-3:
# 4 and 9 units are infeasible; in 20 s 13 units gave 229.8, 18 units 231.1.
SLACKS = (0.5, 1.0, 1.5, 2.0, 3.0)
# The least time a run gives the guided search (CP-SAT proves medium plans in seconds).
MIN_BUDGET_S = 5.0


@dataclass
class RelaxedPlan:
    """What the relaxation's point says per operation."""

    modes: dict[int, int]  # operation -> mode, where the point picks one
    windows: dict[int, tuple[int, int]]  # operation -> [first bucket start, last bucket end)
    bucket_len: int  # median bucket length: the unit of the slack
    objective: float  # the relaxation's value at the point


def plan_from(modes: list[tuple[int, int]], mode_buckets: list[NDArray[np.int64]],
              mode_cols: list[NDArray[np.int64]], starts: NDArray[np.int64],
              ends: NDArray[np.int64], chosen: NDArray[np.float64], x: NDArray[np.float64],
              objective: float) -> RelaxedPlan:
    """The plan of relaxation point ``x``: ``chosen[i]`` is the value of mode ``modes[i]``,
    its units per bucket are ``x[mode_cols[i]]`` over buckets ``mode_buckets[i]``."""
    plan = RelaxedPlan({}, {}, int(np.median(ends - starts)), objective)
    for i, (g, k) in enumerate(modes):
        if chosen[i] >= CHOSEN:
            plan.modes[g] = k
        used = mode_buckets[i][x[mode_cols[i]] > PROCESSES]
        if used.size == 0:
            continue
        a, b = int(starts[used.min()]), int(ends[used.max()])
        old = plan.windows.get(g, (a, b))
        plan.windows[g] = (min(a, old[0]), max(b, old[1]))
    return plan


def frame_for(plan: RelaxedPlan, horizon: int, slack: int) -> Frame:
    """The LNS frame of the plan: its modes fixed, its windows widened by ``slack``."""
    frame = Frame(modes=dict(plan.modes))
    for g, (a, b) in plan.windows.items():
        frame.windows[g] = (max(0, a - slack), min(horizon, b + slack))
    return frame


def guided_schedule(run: Run, plan: RelaxedPlan, budget_s: float, workers: int | None,
                    should_stop: Callable[[], bool]) -> tuple[Incumbent | None, dict[str, object]]:
    """The best schedule CP-SAT finds inside the plan within ``budget_s`` (None if none),
    and what the attempts did (for the run's statistics)."""
    problem = run.problem
    began = time.monotonic()
    tries: list[dict[str, object]] = []
    found: Incumbent | None = None

    def stop() -> bool:
        return should_stop() or time.monotonic() - began > budget_s

    for share in SLACKS:
        left = budget_s - (time.monotonic() - began)
        if left <= 0.2 or should_stop():
            break
        slack = max(1, round(share * plan.bucket_len))
        try:
            frame = frame_for(plan, problem.horizon, slack)
            model = EnergyCpModel(problem, should_stop=stop, frame=frame)
        except BuildStopped:
            break
        except Infeasible:
            tries.append({"slack": slack, "status": "infeasible"})
            continue
        left = budget_s - (time.monotonic() - began)
        result = run.backend.solve(model.model, run.ctx, time_limit=max(0.1, left),
                                   report_progress=False, workers=workers,
                                   objective_scale=model.objective_scale,
                                   parameters=FAST_PRESOLVE)
        tries.append({"slack": slack, "status": result.status.value,
                      "s": round(time.monotonic() - began, 2)})
        if result.status.has_solution:
            schedule, switch_on, objective = priced(problem, model, result)
            found = Incumbent(schedule, switch_on, objective, "guided")
            tries[-1]["objective"] = round(objective, 4)
            break
        if result.status is not Status.INFEASIBLE:
            break  # out of time without a schedule: a wider window is harder still
    return found, {"tries": tries, "relaxation": round(plan.objective, 4),
                   "seconds": round(time.monotonic() - began, 2)}


def for_run(run: Run, plan: RelaxedPlan, cancel: threading.Event) -> None:
    """In a run's bound thread, when the plan picks a mode for every operation (a MILP
    point: the generated medium instances), the guided search on one worker, for half
    the time left, at least ``MIN_BUDGET_S``; its schedule goes to ``run.inbox`` for the
    LNS to go on from.  (From the LP's point on large-1, 121 of 127 modes picked, CP-SAT
    found no schedule in 25 s, with or without the other modes fixed to their largest
    share; from the MILP's point, found by HiGHS after 39 s, it found 704.98 in 30 s.)"""
    if len(plan.modes) < len(run.problem.ops):
        return
    remaining = run.ctx.remaining()
    budget = 60.0 if remaining is None else min(remaining - 1.0,
                                                max(MIN_BUDGET_S, 0.5 * remaining))
    if budget <= 0.5:
        return
    try:
        found, stats = guided_schedule(
            run, plan, budget, workers=1,
            should_stop=lambda: cancel.is_set() or run.ctx.expired())
    except Exception as exc:  # optional: never lose the run's schedule over it
        run.stats["guided_error"] = str(exc)
        return
    run.stats["guided"] = stats
    if found is not None:
        run.inbox.append(found)
