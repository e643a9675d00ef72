"""Lower bounds that respect working-time calendars (no solver needed).

The always-available bounds of :mod:`optikit_fjsp.bounds` stay valid with calendars but
are weak: a machine working 15 hours a day needs 1.6 days for a day's work.  Here:

- each job's chain, every operation placed as early as its fastest mode's calendar
  allows from the previous one's end (machine conflicts ignored);
- the total shortest work needs that much working time summed over all machines;
- the work only one machine can do needs that much of that machine's working time.
"""

from __future__ import annotations

from optikit_fjsp.calendar_dispatch import Placer
from optikit_fjsp.model import FjspProblem


def chain_ends(problem: FjspProblem) -> list[int]:
    flat = problem.flat
    placer = Placer(problem)
    out = []
    for j, ops in enumerate(flat.job_ops):
        t = flat.release[j]
        for g in ops:
            ends = [p[1] for k in range(len(flat.modes[g])) if (p := placer.place(g, k, t))]
            t = min(ends, default=t)
        out.append(t)
    return out


def _working(problem: FjspProblem, machines: list[int], until: int) -> int:
    total = 0
    for m in machines:
        cal = problem.shop.calendar(m)
        total += until if cal is None else sum(b - a for a, b in cal.working_windows(until))
    return total


def _time_for(problem: FjspProblem, machines: list[int], work: int, horizon: int) -> int:
    """The earliest T with at least ``work`` units of working time in [0, T) on them."""
    if work <= 0:
        return 0
    lo, hi = 0, horizon
    if _working(problem, machines, hi) < work:
        return 0  # cannot happen for a feasible shop; no claim
    while lo < hi:
        mid = (lo + hi) // 2
        if _working(problem, machines, mid) >= work:
            hi = mid
        else:
            lo = mid + 1
    return lo


def makespan_bound(problem: FjspProblem) -> int:
    flat = problem.flat
    horizon = problem.shop.horizon()
    shortest = [min(d for _m, d in modes) for modes in flat.modes]
    values = [0, *chain_ends(problem)]
    values.append(_time_for(problem, list(range(flat.num_machines)), sum(shortest), horizon))
    dedicated = [0] * flat.num_machines
    for g, modes in enumerate(flat.modes):
        machines = {m for m, _d in modes}
        if len(machines) == 1:
            dedicated[next(iter(machines))] += shortest[g]
    for m, work in enumerate(dedicated):
        if work:
            values.append(_time_for(problem, [m], work, horizon))
    return max(values)


def lower_bound(problem: FjspProblem) -> float:
    """A valid lower bound on the objective under the machines' calendars."""
    flat = problem.flat
    ends = chain_ends(problem)
    late = sum(
        flat.weight[j] * max(0, end - due)
        for j, end in enumerate(ends)
        if (due := flat.due[j]) is not None
    )
    makespan = makespan_bound(problem) if problem.objective.makespan_weight else 0
    return problem.objective.value(makespan, late)
