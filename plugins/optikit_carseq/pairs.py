"""A lower bound from pairs of options, each pair solved exactly on its own.

Dropping every option but ``j`` and ``l`` (and the paint and level terms, which only add
cost) leaves a relaxation: classes merge by which of the two options they need, so the
projected line has at most four kinds of car and CP-SAT settles it quickly.  Its proven
bound is a lower bound on the excess of ``j`` and ``l`` together.  Pairs and single
options (the option-wise bound) are then combined over a partition of the options,
the best partition found by a small dynamic programme over subsets: the excesses of
disjoint option groups add up.

This is the pairwise relaxation of the CSPLib literature: on set 1 two tight options (a
``1/2`` option wanted by half the cars and a ``2/3`` option by two thirds) each fit
alone but not together, which the option-wise bound cannot see.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from itertools import combinations
from typing import Any

from optikit.types import SolveContext, Status
from optikit_carseq import cpsat_model
from optikit_carseq.bounds import capacity, option_bound
from optikit_carseq.model import CarClass, CarSeqProblem, Weights

#: Cap on the options combined (2^options subsets in the dynamic programme).
MAX_OPTIONS = 12
#: Longer lines skip the pairs: their sub-solves are slow and proofs there are rare.
MAX_CARS = 300


def project(problem: CarSeqProblem, keep: tuple[int, ...]) -> CarSeqProblem:
    """The line with only the options ``keep``; classes merged by those options."""
    kinds: dict[tuple[int, ...], int] = {}
    counts: list[int] = []
    mapping: list[int] = []
    for c in problem.classes:
        sig = tuple(i for i, j in enumerate(keep) if j in c.options)
        if sig not in kinds:
            kinds[sig] = len(counts)
            counts.append(0)
        counts[kinds[sig]] += c.count
        mapping.append(kinds[sig])
    classes = tuple(CarClass(f"p{t}", counts[t], sig) for sig, t in kinds.items())
    w = problem.weights
    return replace(problem, options=tuple(problem.options[j] for j in keep), classes=classes,
                   colours=(), max_batch=None, previous=tuple(mapping[k] for k in
                                                               problem.previous),
                   weights=Weights(high=w.high, low=w.low), lexicographic=())


def tightness(problem: CarSeqProblem, j: int) -> float:
    """Demand over the cars the option can take without excess (1: exactly full)."""
    opt = problem.options[j]
    return problem.demand[j] / max(1, capacity(problem.num_cars, opt.max, opt.window))


def pair_bound(problem: CarSeqProblem, backend: Any, ctx: SolveContext, seconds: float,
               target: float = math.inf) -> tuple[float, dict[str, Any]]:
    """The best partition bound, with the pairs' figures; ``seconds`` for all pairs.

    The tightest pairs go first; the search stops once the bound reaches ``target`` (the
    value of a known sequence: nothing more to prove).
    """
    m = len(problem.options)
    singles = [option_bound(problem, j) for j in range(m)]
    stats: dict[str, Any] = {"pairs_solved": 0, "pairs_proven": 0}
    if m < 2 or m > MAX_OPTIONS or problem.weights.level or problem.num_cars > MAX_CARS:
        return sum(singles), stats
    pairs = sorted(((j, o) for j, o in combinations(range(m), 2)
                    if problem.term_weight(problem.options[j])
                    and problem.term_weight(problem.options[o])),
                   key=lambda p: -(tightness(problem, p[0]) + tightness(problem, p[1])))
    deadline = time.monotonic() + seconds
    best: dict[tuple[int, int], float] = {}
    bound = sum(singles)
    for t, (j, o) in enumerate(pairs):
        left = deadline - time.monotonic()
        if left <= 0.02 or ctx.stop.is_set() or ctx.expired() or bound >= target - 1e-9:
            break
        sub = project(problem, (j, o))
        sm = cpsat_model.build(sub, None, None, redundant=True)
        result = backend.solve(sm.model, ctx, time_limit=left / (len(pairs) - t),
                               report_progress=False)
        stats["pairs_solved"] += 1
        stats["pairs_proven"] += result.status is Status.OPTIMAL
        value = result.objective if result.status is Status.OPTIMAL else result.bound
        if value is not None and value > singles[j] + singles[o]:
            best[j, o] = float(math.ceil(value - 1e-6))  # integer weights: integer costs
            bound = combine(singles, best)
    stats["pair_bound"] = bound
    return bound, stats


def combine(singles: list[float], groups: dict[tuple[int, int], float]) -> float:
    """The best sum over disjoint pairs and single options (a DP over option subsets)."""
    m = len(singles)
    full = (1 << m) - 1
    f = [0.0] * (full + 1)
    for mask in range(1, full + 1):
        j = (mask & -mask).bit_length() - 1  # the lowest option in S joins a pair or not
        rest = mask & ~(1 << j)
        value = f[rest] + singles[j]
        for (a, b), v in groups.items():
            if a == j and rest >> b & 1:
                value = max(value, f[rest & ~(1 << b)] + v)
        f[mask] = value
    return f[full]
