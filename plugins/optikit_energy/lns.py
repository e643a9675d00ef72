"""Large-neighbourhood search around CP-SAT for the energy model.

Why LNS: with two threads CP-SAT has one full-search worker and interleaves its generic
LNS on the other, and the energy objective is flat for tree search (shifting one
operation by a minute changes little) while the big gains come from moving whole jobs
or stretches of the plan into cheaper tariff periods.  So each step frees either

- ``jobs``: every operation of a few jobs (they may move anywhere, in any mode), drawn
  with a weight on what their processing pays above the cheapest price, or
- ``window``: every operation that overlaps a random time window (re-sequencing it), or
- ``relocate`` (price-window relocation): a few jobs drawn as in ``jobs`` plus every
  operation inside a stretch of one cheap tariff window, so that expensive work can move
  into the window while what is already there is re-packed around it,

(the kind drawn by its record so far in this run: :func:`pick_kind`), freezes every
other operation (start and mode) at the incumbent, and the switch-on
decisions of machines no freed operation can use, in a sub-model of its own
(:mod:`optikit_energy.lns_frame`: large-1 about 4,500 variables against the full model's
29,000, built and hinted in about 0.2 s), and lets CP-SAT solve it from the incumbent as
a complete hint for at most ``SUB_LIMIT_S``; an improvement is kept even when the
sub-problem is not proven.  The neighbourhood grows after a sub-solve that finishes and
shrinks after one that times out.  Each improvement goes through the shift search around
what it moved (``polish``), and the next step starts from the polished schedule.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import numpy as np

from optikit.scheduling import ScheduledOperation
from optikit_energy import shift_search
from optikit_energy.lns_frame import sub_solve
from optikit_energy.model import EnergyProblem
from optikit_energy.run import Incumbent, Run, evaluate
from optikit_energy.switching import objective_price

# A step's search limit.  Sub-models start from the incumbent within 0.1-0.3 s, but their
# improving solutions came 1.1-3 s into the search of two-job steps on medium-1 and
# large-1 (load 7): a 0.5 s limit cuts most of them off; small windows finish sooner.
SUB_LIMIT_S = 2.0
MIN_SUB_LIMIT_S = 0.2
# Neighbourhood draw (:func:`pick_kind`): the prior share of each kind, worth this many
# tries of evidence, and the least weight any kind keeps.
PRIORS = {"jobs": 0.6, "relocate": 0.2, "window": 0.2, "kick": 0.2}
# A kick step's time (shift_kick: a few random moves, then the shift search around them).
KICK_S = 1.0
PRIOR_TRIES = 5
MIN_KIND_WEIGHT = 0.03


Polish = Callable[[Incumbent, Incumbent], "Incumbent | None"]


def improve(run: Run, workers: Callable[[], int | None] = lambda: None,
            reserve_s: float = 0.0, polish: Polish | None = None) -> None:
    """Improve ``run.best`` until ``reserve_s`` before the deadline or the stop flag;
    ``workers`` says how many CP-SAT workers a sub-solve may use now (None: the run's
    threads).  ``polish(previous, improved)``, called on each improvement, may return a
    better incumbent: the search continues from it."""
    ctx = run.ctx
    problem = run.problem
    rng = random.Random(ctx.options.seed)
    n_jobs = len(problem.job_ops)
    horizon = problem.horizon
    job_count = max(1, min(n_jobs, 3))
    window = max(1, horizon // 8)
    iterations = improved = 0
    cheap = cheap_windows(problem)
    stats = {k: [0, 0, 0.0] for k in PRIORS}  # tries, improvements, time in SUB_LIMIT_S
    allowed = [k for k in PRIORS if (k != "jobs" or n_jobs > 1)
               and (k != "kick" or shift_search.applicable(problem))]
    current = run.best  # what the steps start from
    polished = 0
    seconds: dict[str, float] = {}  # where the steps' time went
    finishes = 0  # steps whose sub-problem CP-SAT solved to the end
    while current is not None and not ctx.expired():
        remaining = ctx.remaining()
        if remaining is not None:
            remaining -= reserve_s
            if remaining < MIN_SUB_LIMIT_S:
                break
        if run.collect() and run.best is not None:
            current = run.best  # a schedule from another thread (the guided search)
        best = current
        kind = pick_kind(stats, rng, allowed)
        step_began = time.monotonic()
        if kind == "kick":
            inc = kick(run, best, rng, min(KICK_S, remaining or KICK_S))
            iterations += 1
            stats[kind][0] += 1
            stats[kind][2] += (time.monotonic() - step_began) / SUB_LIMIT_S
            if inc is not None and run.offer(inc):
                improved += 1
                stats[kind][1] += 1
                current = inc
            continue
        if kind == "jobs":
            jobs = _pick_jobs(problem, best.schedule, rng, min(n_jobs, job_count))
            free = {g for j in jobs for g in problem.job_ops[j]}
        elif kind == "relocate":
            free = relocation_neighbourhood(problem, best.schedule, rng, job_count, cheap,
                                            window // 2)
        else:
            t0 = rng.randrange(0, max(1, horizon - window + 1))
            free = {
                problem.job_ops[s.job][s.operation]
                for s in best.schedule
                if s.start < t0 + window and s.end > t0
            }
        if not free or len(free) == len(problem.ops):
            # Nothing or everything free: widen/narrow and try again.
            window = max(1, min(horizon, window * 2 if not free else window // 2))
            job_count = max(1, job_count - 1) if free else job_count
            iterations += 1
            if iterations > 10_000:
                break
            continue
        limit = SUB_LIMIT_S if remaining is None else min(SUB_LIMIT_S, remaining)
        inc, finished = sub_solve(run, best, free, limit, workers(), seconds)
        iterations += 1
        before = improved
        if inc is not None:
            improved += int(run.offer(inc))
            # (run.best may be a better schedule found elsewhere: go on from this one.)
            current = inc
            better = None if polish is None else polish(best, inc)
            if better is not None and better.objective < inc.objective:
                run.offer(better)
                polished += 1
                current = better
        finishes += int(finished)
        stats[kind][0] += 1
        stats[kind][1] += int(improved > before)
        stats[kind][2] += (time.monotonic() - step_began) / SUB_LIMIT_S
        if kind in ("jobs", "relocate"):
            job_count = min(n_jobs, job_count + 1) if finished else max(1, job_count - 1)
        if kind != "jobs":
            window = min(horizon, int(window * 1.25) + 1) if finished else max(1, int(window * 0.8))
    run.stats["lns"] = {
        "iterations": iterations,
        "improvements": improved,
        "final_jobs": job_count,
        "final_window": window,
        "polished": polished,
        "finished": finishes,
        "step_s": {k: round(v, 2) for k, v in seconds.items()},
        "by_neighbourhood": {k: {"tries": v[0], "improvements": v[1],
                                 "s": round(v[2] * SUB_LIMIT_S, 2)} for k, v in stats.items()},
    }


def kick(run: Run, best: Incumbent, rng: random.Random, budget_s: float) -> Incumbent | None:
    """A kick step (:mod:`optikit_energy.shift_kick`) from ``best``: the better schedule,
    priced as the checker prices it, or None."""
    from optikit_energy.shift_kick import kicked

    found = kicked(run.problem, best.schedule, best.switch_on, best.objective, budget_s, rng,
                   should_stop=run.ctx.expired)
    if found is None:
        return None
    objective = evaluate(run.problem, found.schedule, found.switch_on)
    if objective >= best.objective - 1e-9 * max(1.0, abs(best.objective)):
        return None
    return Incumbent(found.schedule, found.switch_on, objective, "kick")


def pick_kind(stats: dict[str, list[float]], rng: random.Random, allowed: list[str]) -> str:
    """The next step's neighbourhood among ``allowed``, drawn by its record so far
    (``stats``: kind -> [tries, improvements, time spent in units of ``SUB_LIMIT_S``]):
    weight ``(improvements + PRIOR_TRIES * prior) / (time + PRIOR_TRIES)``, at least
    ``MIN_KIND_WEIGHT``: improvements per unit of time.

    Why: which neighbourhood pays differs by instance.  On generated large-2 (300 s) the
    window steps improved 12 times in 31 tries, the job steps 4 in 81 and the relocation
    steps 2 in 28, where the fixed draw gave the job steps 60 % of the steps; and a kick
    (0.25 s) costs an eighth of a CP-SAT step (2 s): by time, not by tries."""
    kinds = allowed
    weights = [max(MIN_KIND_WEIGHT, (stats[k][1] + PRIOR_TRIES * PRIORS[k])
                   / (stats[k][2] + PRIOR_TRIES)) for k in kinds]
    return rng.choices(kinds, weights=weights)[0]


def _pick_jobs(
    problem: EnergyProblem, schedule: list[ScheduledOperation], rng: random.Random, count: int
) -> list[int]:
    """Jobs to free, drawn with weight = what their processing costs above the cheapest
    price (plus a floor, so every job gets a turn): the jobs worth moving come first."""
    pi = objective_price(problem)
    prefix = np.concatenate(([0.0], np.cumsum(pi)))
    cheapest = float(pi.min()) if pi.size else 0.0
    excess = [0.0] * len(problem.job_ops)
    for s in schedule:
        power = problem.ops[problem.job_ops[s.job][s.operation]].modes[s.mode].power
        paid = prefix[min(s.end, problem.horizon)] - prefix[min(s.start, problem.horizon)]
        excess[s.job] += power * (paid - cheapest * (s.end - s.start))
    floor = max(excess) * 0.05 + 1e-9
    weights = [e + floor for e in excess]
    chosen: list[int] = []
    candidates = list(range(len(problem.job_ops)))
    while len(chosen) < count and candidates:
        j = rng.choices(candidates, weights=[weights[c] for c in candidates])[0]
        chosen.append(j)
        candidates.remove(j)
    return chosen


def cheap_windows(problem: EnergyProblem) -> list[tuple[int, int]]:
    """Maximal runs of units priced below the tariff's mean price (the cheap periods)."""
    pi = objective_price(problem)
    if pi.size == 0:
        return []
    below = pi < float(pi.mean()) - 1e-12
    out: list[tuple[int, int]] = []
    t = 0
    while t < pi.size:
        if below[t]:
            u = t
            while u < pi.size and below[u]:
                u += 1
            out.append((t, u))
            t = u
        else:
            t += 1
    return out


def relocation_neighbourhood(
    problem: EnergyProblem, schedule: list[ScheduledOperation], rng: random.Random,
    job_count: int, cheap: list[tuple[int, int]], span: int,
) -> set[int]:
    """Price-window relocation: jobs that pay above the cheapest price (drawn by that
    excess) plus every operation inside one cheap window.

    Freeing only the expensive jobs rarely helps once the cheap windows are full: the
    room has to be made by re-packing the window's own operations at the same time, which
    is what this swap across cheap periods allows.
    """
    n_jobs = len(problem.job_ops)
    jobs = _pick_jobs(problem, schedule, rng, max(1, min(n_jobs, job_count)))
    free = {g for j in jobs for g in problem.job_ops[j]}
    if cheap:
        a, b = rng.choice(cheap)
        length = b - a
        # A sub-window of the cheap period when it is long (keeps the sub-problem small).
        span = max(1, min(length, span))
        t0 = a + rng.randrange(0, length - span + 1)
        free |= {problem.job_ops[s.job][s.operation] for s in schedule
                 if s.start < t0 + span and s.end > t0}
    return free
