"""Solver-free lower bounds: each option on its own, and the paint runs.

Option-wise (Gent 1998's relaxation): ``k`` disjoint windows of option ``j`` hold at most
``k*p`` cars plus their excess, so a stretch of ``n`` cars holds at most
``capacity(n) = (n // q) * p + min(p, n % q)`` cars with the option without excess (all
``n`` when ``n < q``: such a stretch holds no whole window), and every car beyond that
costs at least one unit of excess.

Yesterday's last cars add the windows that straddle the day boundary.  Each of them
overlaps every other, so at most one is counted: the window that holds today's first
``t`` cars (and ``y`` option cars of yesterday's) costs ``max(0, y + x - p)`` when ``x``
of today's first ``t`` cars need the option, and today's remaining ``n - t`` cars lie in
windows disjoint from it.  The bound takes the cheapest ``x`` for every ``t`` and the
best ``t``; when yesterday already overfills a window (``y > p``) the bound sees it.

Paint: a colour with ``m`` cars needs at least ``ceil(m / max_batch)`` runs, and every
run but one continuing yesterday's last colour starts with a colour change.
"""

from __future__ import annotations

import math

from optikit_carseq.model import CarSeqProblem


def capacity(n: int, p: int, q: int) -> int:
    """The most option cars ``n`` consecutive cars hold without excess in their windows."""
    if n < q:
        return n
    return (n // q) * p + min(p, n % q)


def option_excess(problem: CarSeqProblem, j: int) -> int:
    """A lower bound on option ``j``'s total window excess (unweighted)."""
    opt = problem.options[j]
    n, d, p, q = problem.num_cars, problem.demand[j], opt.max, opt.window
    best = max(0, d - capacity(n, p, q))
    past = [problem.requires[k][j] for k in problem.previous]
    for t in range(1, min(q - 1, n) + 1):
        if q - t > len(past):
            continue  # the window would start before yesterday's first car
        y = sum(past[len(past) - (q - t):])
        rest = capacity(n - t, p, q)
        cheapest = min(max(0, y + x - p) + max(0, d - x - rest)
                       for x in range(max(0, d - (n - t)), min(t, d) + 1))
        best = max(best, cheapest)
    return best


def colour_changes(problem: CarSeqProblem) -> int:
    """A lower bound on today's colour changes (0 without paint)."""
    if not problem.has_paint:
        return 0
    batch = problem.max_batch
    cars = [0] * len(problem.colours)
    for c in problem.classes:
        cars[c.colour] += c.count

    def runs(m: int) -> int:
        return 0 if m <= 0 else (1 if batch is None else math.ceil(m / batch))

    total = sum(runs(m) for m in cars)
    if not problem.previous:
        return max(0, total - 1)
    last = problem.classes[problem.previous[-1]].colour
    trailing = 0
    for k in reversed(problem.previous):
        if problem.classes[k].colour != last:
            break
        trailing += 1
    room = problem.num_cars if batch is None else batch - trailing
    if cars[last] == 0 or room <= 0:
        return total  # every run, the first included, starts with a change
    # today's first run may continue yesterday's (``room`` cars more), with no change
    return total - runs(cars[last]) + runs(cars[last] - room)


def option_bound(problem: CarSeqProblem, j: int) -> float:
    return float(problem.term_weight(problem.options[j]) * option_excess(problem, j))


def lower_bound(problem: CarSeqProblem) -> float:
    """Option-wise bounds plus the paint bound: the terms add up, each counted once."""
    total = sum(option_bound(problem, j) for j in range(len(problem.options)))
    return total + problem.weights.colour * problem.change_cost * colour_changes(problem)
