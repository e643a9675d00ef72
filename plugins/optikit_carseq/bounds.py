"""A solver-free lower bound: each option on its own (Gent 1998's option-wise relaxation).

``k`` disjoint windows of option ``j`` hold at most ``k*p`` cars plus their excess, so a
line of ``n`` cars holds at most ``capacity(n) = (n // q) * p + min(p, n % q)`` cars with
the option without excess, and every car beyond that costs at least one unit of excess.
Valid for the high and low terms alike (yesterday's cars only add windows).
"""

from __future__ import annotations

from optikit_carseq.model import CarSeqProblem


def capacity(n: int, p: int, q: int) -> int:
    return (n // q) * p + min(p, n % q)


def lower_bound(problem: CarSeqProblem) -> float:
    n = problem.num_cars
    total = 0.0
    for j, opt in enumerate(problem.options):
        over = problem.demand[j] - capacity(n, opt.max, opt.window)
        if over > 0:
            total += problem.term_weight(opt) * over
    return total
