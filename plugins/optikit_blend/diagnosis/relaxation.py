"""Single relaxations: how far one conflicting limit alone must move.

Spec, material and count limits are linear in the elastic model, so the slack is the
answer; ratio and share limits are fractions ``N/D``, tightened to the exact optimum by
Dinkelbach's iteration (Dinkelbach, 1967).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from optikit.types import Status
from optikit_blend.diagnosis.elastic import Limit
from optikit_blend.diagnosis.filters import Prober, Stopped

#: Dinkelbach stops when an iteration improves the fraction by less than this (relative).
FRACTION_RTOL = 1e-9
MAX_DINKELBACH_STEPS = 8


def fraction_value(lim: Limit, x: NDArray[np.float64]) -> tuple[float, float]:
    assert lim.fraction is not None
    num, den = lim.fraction
    return float(num @ x), float(den @ x)


def best_fraction(prober: Prober, lim: Limit, others: NDArray[np.bool_],
                   start: NDArray[np.float64]) -> float | None:
    """Dinkelbach: the best ``N/D`` any blend meeting ``others`` reaches (max for a min
    limit, min for a max limit), starting from the feasible charge ``start``.

    Every iterate is a feasible blend, so stopping early (out of time) still gives a value
    that is reachable: a relaxation that suffices, if not the smallest.
    """
    assert lim.fraction is not None
    num, den = lim.fraction
    n_val, d_val = fraction_value(lim, start)
    if d_val <= 0:
        return None  # N > 0 over D = 0: no finite limit admits this blend
    best = n_val / d_val
    sign = -1.0 if lim.side == "min" else 1.0  # the model minimises
    for _ in range(MAX_DINKELBACH_STEPS):
        try:
            result = prober.solve(others, x_cost=sign * (num - best * den))
        except Stopped:
            break
        if result.x is None:
            break
        n_val, d_val = fraction_value(lim, prober.em.charges(result.x))
        if d_val <= 0:
            break
        value = n_val / d_val
        improved = value > best if lim.side == "min" else value < best
        if not improved or abs(value - best) <= FRACTION_RTOL * max(1.0, abs(best)):
            best = value if improved else best
            break
        best = value
    return best


def single_relaxation(prober: Prober, index: int) -> float | None:
    """How far limit ``index`` alone must move (user units) for the problem to be feasible,
    with every other limit held; None when moving it alone is not enough."""
    em = prober.em
    lim = em.limits[index]
    hard = np.ones(len(em.limits), dtype=bool)
    hard[index] = False
    result = prober.solve(hard, priced=~hard)
    if result.status is Status.INFEASIBLE:
        return None
    assert result.x is not None
    slack = float(prober.slacks(result)[index])
    if lim.fraction is None:
        amount = slack * lim.to_user
        return float(math.ceil(amount - 1e-6)) if lim.kind == "count" else amount
    best = best_fraction(prober, lim, hard, em.charges(result.x))
    if best is None:
        return None
    return max(0.0, lim.limit - best if lim.side == "min" else best - lim.limit)
