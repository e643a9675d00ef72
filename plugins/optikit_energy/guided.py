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

On the large instances the bound thread has only the LP's point (not every mode picked;
its MILP takes HiGHS 39-60 s), and CP-SAT with its LP relaxation found no schedule inside
it in 25-30 s.  There (:func:`rough_then_polished`) CP-SAT searches without its LP
(``linearization_level`` 0), which gives a rough schedule in 5-8 s; the shift search
polishes it (large-1: 808-847 -> 708-712, where the LNS alone ended at 735-746 in 60 s);
the bucket MILP on the tariff periods alone (:func:`coarse_plan`) adds its bound; and the
time left goes to rounds of CP-SAT re-timing the best schedule within a small radius
(:func:`retimed`), each polished again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from optikit.types import Status
from optikit_energy.bound_thread import raise_bound
from optikit_energy.cpsat_model import BuildStopped, EnergyCpModel
from optikit_energy.cpsat_solutions import set_hint
from optikit_energy.lns_frame import Frame
from optikit_energy.model import Infeasible
from optikit_energy.run import FAST_PRESOLVE, Incumbent, Run, complete_hint, priced

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
# Share of the time left the coarse MILP may take (large-1: 8.5 s at load 3).
COARSE_SHARE = 0.5
# The rough guided search from an LP point: CP-SAT without its LP relaxation (with it,
# no schedule in 25-30 s on large-1), for at most ROUGH_S seconds.
ROUGH_PARAMETERS: dict[str, object] = {**FAST_PRESOLVE, "linearization_level": 0}
ROUGH_S = 8.0
# The radius of the re-timing after it, in median bucket lengths (large-1: 30 units),
# and the time of one round of it.
RETIME_SHARE = 0.2
RETIME_S = 7.0
# The widest re-timing radius, in first radii, reached by doubling after proven rounds.
RETIME_MAX_FACTOR = 16
# Time kept for the shift search on a coarse plan's schedule: this share of the time left
# after the MILP, at most POLISH_MAX_S (large-1: most moves come in the first 5 s).
POLISH_SHARE = 0.15
POLISH_MAX_S = 8.0


@dataclass
class RelaxedPlan:
    """What the relaxation's point says per operation."""

    modes: dict[int, int]  # operation -> mode, where the point picks one
    windows: dict[int, tuple[int, int]]  # operation -> [first bucket start, last bucket end)
    bucket_len: int  # median bucket length: the unit of the slack
    objective: float  # the relaxation's value at the point
    # operation -> the modes the point uses at all (any value above PROCESSES)
    used: dict[int, set[int]] = field(default_factory=dict)


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
        if chosen[i] > PROCESSES:
            plan.used.setdefault(g, set()).add(k)
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
                    should_stop: Callable[[], bool],
                    parameters: dict[str, object] | None = None,
                    ) -> tuple[Incumbent | None, dict[str, object]]:
    """The best schedule CP-SAT finds inside the plan within ``budget_s`` (None if none),
    and what the attempts did (for the run's statistics).  ``parameters``: CP-SAT's
    (default ``FAST_PRESOLVE``)."""
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
                                   parameters=parameters or FAST_PRESOLVE)
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
    """In a run's bound thread, the guided search on one worker; its schedule goes to
    ``run.inbox`` for the LNS to go on from.

    When the plan picks a mode for every operation (a MILP point: the generated medium
    instances) the search gets half the time left, at least ``MIN_BUDGET_S``, and CP-SAT
    often proves the plan's best schedule; then :func:`retime_rounds` (medium-2: 216.57
    -> 214.88 and 214.90 -> 213.19 at load 6-7, where the LNS alone had ended at 214.7-
    228.9).  Otherwise (an LP point: the large instances) see :func:`rough_then_polished`.
    """
    if len(plan.modes) < len(run.problem.ops):
        rough_then_polished(run, plan, cancel)
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
        if found is not None:
            found = polished(run, found, stats, cancel)
    except Exception as exc:  # optional: never lose the run's schedule over it
        run.stats["guided_error"] = str(exc)
        return
    run.stats["guided"] = stats
    if found is not None:
        run.inbox.append(found)
        try:  # the re-timing rounds too, in the bound thread
            retime_rounds(run, found, plan.bucket_len, cancel, stats)
        except Exception as exc:  # optional, as above
            run.stats["guided_error"] = str(exc)


def rough_then_polished(run: Run, plan: RelaxedPlan, cancel: threading.Event) -> None:
    """From an LP point (large instances): a rough schedule inside the plan, polished by
    the shift search; then the coarse MILP (:func:`coarse_plan`) for its bound; then, in
    the time left, rounds of CP-SAT re-timing the best schedule (:func:`retimed`), each
    polished; every better schedule goes to ``run.inbox``.

    Why: CP-SAT with its LP relaxation found no schedule inside the large-1 LP plan in
    25-30 s; without it (``linearization_level`` 0) it finds a rough one in 5 s
    (808-847), which the shift search takes to 710-712 in about a second, where the LNS
    had reached 735-746 in 60 s.  Longer rough searches gain little (15 s: 709.7), and a
    second rough schedule from the coarse MILP's point polished no better (713.9)."""
    record: dict[str, object] = {}
    run.stats["guided"] = record
    stop = lambda: cancel.is_set() or run.ctx.expired()  # noqa: E731
    remaining = run.ctx.remaining()
    budget = ROUGH_S if remaining is None else min(
        ROUGH_S, remaining - 1.0 - polish_share(remaining))
    if budget <= 0.5 or stop():
        return
    try:
        found, stats = guided_schedule(run, plan, budget, workers=1, should_stop=stop,
                                       parameters=ROUGH_PARAMETERS)
        record["lp"] = stats
        if found is not None:
            found = polished(run, found, stats, cancel)
            run.inbox.append(found)
        coarse_plan(run, cancel)
        retime_rounds(run, found, plan.bucket_len, cancel, record)
    except Exception as exc:  # optional: never lose the run's schedule over it
        run.stats["guided_error"] = str(exc)


def retime_rounds(run: Run, found: Incumbent | None, bucket_len: int,
                  cancel: threading.Event, record: dict[str, object]) -> None:
    """Rounds of :func:`retimed` on the run's best schedule (or ``found``, when better and
    not yet collected) until the deadline (``MIN_BUDGET_S`` before it) or until every
    radius has failed from the same start; each better schedule is polished and goes to
    ``run.inbox``.  The rounds are listed in ``record["retimed"]``."""
    stop = lambda: cancel.is_set() or run.ctx.expired()  # noqa: E731
    rounds: list[dict[str, object]] = []
    record["retimed"] = rounds
    base = max(1, round(RETIME_SHARE * bucket_len))
    radii = [base, max(1, base // 2), 2 * base]  # the next one after a round that failed
    tried: set[int] = set()  # radii that gave nothing from the same start
    radius = base
    stalled = float("inf")
    while not stop():
        remaining = run.ctx.remaining()
        if remaining is not None and remaining < MIN_BUDGET_S:
            break
        best = run.best  # (the main thread may not have collected ``found`` yet)
        if found is not None and (best is None or found.objective < best.objective):
            best = found
        if best is None:
            break
        if best.objective < stalled - 1e-9 * max(1.0, abs(stalled)):
            tried.clear()  # a better start: from the first radius again
            radius = base
        limit = RETIME_S if remaining is None else min(RETIME_S, remaining - 1.0)
        again, stats = retimed(run, best, radius, limit, stop)
        rounds.append(stats)
        if again is not None:
            found = polished(run, again, stats, cancel)
            run.inbox.append(found)
            continue
        stalled = best.objective
        tried.add(radius)
        # A round CP-SAT proved found the best within its radius: a wider one next (medium
        # instances: radius 2 proven in 0.2-0.6 s); else the fixed order.
        wider = [2 * radius] if stats.get("status") == "optimal" and (
            2 * radius <= RETIME_MAX_FACTOR * base) else []
        left = [r for r in wider + radii if r not in tried]
        if not left:
            break
        radius = left[0]


def retimed(run: Run, best: Incumbent | None, radius: int, limit: float,
            stop: Callable[[], bool]) -> tuple[Incumbent | None, dict[str, object]]:
    """CP-SAT (one worker, from ``best`` as a complete hint, at most ``limit`` seconds)
    with every operation of ``best`` kept in its mode and within ``radius`` units of its
    place: the better schedule it finds (None if none), and what it did.

    Why: once polished, the large-1 schedule (710.9) gains 4.5-4.9 this way in 10-20 s
    (radius 30; 15 gained 3.2, 60 gained 0.6), about what the LNS gains in 30 s; in
    rounds of 7 s, each polished by the shift search, it reached 704.0 in 23 s."""
    stats: dict[str, object] = {"radius": radius}
    if best is None or stop() or limit <= 0.5:
        return None, stats
    began = time.monotonic()
    problem = run.problem
    frame = Frame()
    for s in best.schedule:
        g = problem.job_ops[s.job][s.operation]
        frame.windows[g] = (max(0, s.start - radius), min(problem.horizon, s.end + radius))
        frame.modes[g] = s.mode
    try:
        model = EnergyCpModel(problem, should_stop=stop, frame=frame)
    except (BuildStopped, Infeasible):
        return None, stats
    hint = complete_hint(run, model, best, min(5.0, limit))
    left = limit - (time.monotonic() - began)
    if hint is None or left <= 0.3 or stop():
        return None, stats
    set_hint(model.model, hint)
    result = run.backend.solve(model.model, run.ctx, time_limit=left, report_progress=False,
                               workers=1, objective_scale=model.objective_scale,
                               parameters=FAST_PRESOLVE)
    stats.update({"from": round(best.objective, 4), "status": result.status.value,
                  "s": round(time.monotonic() - began, 2)})
    if not result.status.has_solution:
        return None, stats
    schedule, switch_on, objective = priced(problem, model, result)
    stats["objective"] = round(objective, 4)
    if objective >= best.objective - 1e-9 * max(1.0, abs(best.objective)):
        return None, stats
    return Incumbent(schedule, switch_on, objective, "guided-retimed"), stats


def coarse_plan(run: Run, cancel: threading.Event) -> RelaxedPlan | None:
    """The plan of the bucket MILP on the tariff periods alone (no finer cuts), within
    ``COARSE_SHARE`` of the time left; None without a point that picks every mode.

    Why: the MILP on the finer buckets is what guides CP-SAT well (large-1: 704.98 in 30 s
    from its point), but HiGHS needs 39-60 s for it; on the 13 tariff periods of large-1
    it is solved to optimality in 8.5 s (load 3), and its optimum (663.74) is itself a
    valid bound above the finer LP's 660.76 (every bucket partition gives a relaxation).
    The bound is taken when it is the better one."""
    from optikit_energy import bucket_bound

    remaining = run.ctx.remaining()
    budget = 60.0 if remaining is None else COARSE_SHARE * remaining
    if budget < MIN_BUDGET_S:
        return None
    began = time.monotonic()
    try:
        found = bucket_bound.lower_bound(run.problem, run.ctx, budget, integer=True,
                                         bucket_len=run.problem.horizon, threads=1,
                                         stop=cancel)
    except Exception as exc:  # optional, as the bound thread's own bound
        run.stats["guided_error"] = str(exc)
        return None
    record: dict[str, object] = {"seconds": round(time.monotonic() - began, 2)}
    run.stats.setdefault("guided", {})["coarse_milp"] = record
    if found is None:
        return None
    record.update(bound=round(found.value, 4), status=found.status, buckets=found.buckets)
    if not cancel.is_set():
        raise_bound(run, found.value, "bucket-milp (tariff periods)")
    plan = found.plan
    if plan is None or len(plan.modes) < len(run.problem.ops):
        return None
    record["objective"] = round(plan.objective, 4)
    return plan


def polish_share(remaining: float) -> float:
    """Seconds kept back from the guided search for the shift search on its schedule."""
    return min(POLISH_MAX_S, POLISH_SHARE * remaining)


def polished(run: Run, found: Incumbent, stats: dict[str, object],
             cancel: threading.Event) -> Incumbent:
    """``found`` improved by the shift search (:mod:`optikit_energy.shift_search`), for
    at most ``POLISH_MAX_S``: CP-SAT's rough schedules gain 100 or more there."""
    from optikit_energy import shift_search
    from optikit_energy.run import evaluate

    remaining = run.ctx.remaining()
    budget = POLISH_MAX_S if remaining is None else min(POLISH_MAX_S, remaining - 0.5)
    if budget <= 0.1:
        return found
    began = time.monotonic()
    better = shift_search.improve(run.problem, found.schedule, found.switch_on, found.objective,
                                  budget, should_stop=lambda: cancel.is_set()
                                  or run.ctx.expired())
    stats["shift_s"] = round(time.monotonic() - began, 2)
    if better is None:
        return found
    objective = evaluate(run.problem, better.schedule, better.switch_on)
    stats["shifted"] = round(objective, 4)
    if objective >= found.objective:
        return found
    return Incumbent(better.schedule, better.switch_on, objective, "guided+shift")
