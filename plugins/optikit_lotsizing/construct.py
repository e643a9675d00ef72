"""A constructive start plan that pays every setup time in full.

On tight single-level instances (the generated ``medium`` class, Trigeiro-Thomas-McClain
style) both roundings of the LP open too few setups or too many: once each setup takes
its full time the capacity rows fail, and the MILP gets no start.  This plan is built on
the integer side instead:

1. a backward pass (what the generator's feasibility test does): from the last period
   to the first, each item makes as much of what it still needs as the period holds
   after its setup, largest need first; what does not fit moves one period earlier.
   With regular capacity first, then with the overtime allowed; no backlog is used;
2. lot merging: a lot moves whole into the item's previous production period when
   that period has the room (no new setup) and the holding cost of the move is below
   the setup cost it saves.  Moving production earlier never breaks a stock rule.

It needs each item's requirements to be its own: no bill of materials and no purchases
(otherwise :func:`backward_plan` says ``None`` and the other starts apply).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from optikit_lotsizing.model import LotSizingProblem

#: Quantities below this share of the item's total need count as none.
EPS = 1e-9


def applies(problem: LotSizingProblem) -> bool:
    """Whether every requirement is an item's own (single level, nothing bought)."""
    return not problem.bom.any() and not problem.sources


def start_requirements(problem: LotSizingProblem) -> NDArray[np.float64] | None:
    """Units of each item that must *start* in each period at the latest, on time (no
    backlog); None when a need falls before its lead time allows or an item without a
    routing has one."""
    periods = problem.periods
    cum = np.cumsum(problem.demand, axis=1) + problem.safety[:, None] - problem.initial[:, None]
    need = np.maximum.accumulate(np.maximum(cum, 0.0), axis=1)
    arrive = np.diff(need, axis=1, prepend=0.0)  # needed on arrival in each period
    start = np.zeros_like(arrive)
    for i in range(problem.num_items):
        lead = int(problem.lead[i])
        if arrive[i].sum() <= EPS:
            continue
        if not problem.produced[i] or arrive[i, :lead].sum() > EPS:
            return None
        start[i, :periods - lead] = arrive[i, lead:]
    return start


def backward_fill(problem: LotSizingProblem, need: NDArray[np.float64],
                  room: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """Production per item and period, each as late as the capacity ``room``
    (resources x periods, consumed in place) allows; None when it does not fit."""
    make = np.zeros_like(need)
    carry = np.zeros(problem.num_items)
    a, st, uses = problem.time_per_unit, problem.setup_time, problem.uses
    scale = np.maximum(need.sum(axis=1), 1.0)
    for t in range(problem.periods - 1, -1, -1):
        carry = carry + need[:, t]
        for i in np.argsort(-carry, kind="stable"):
            if carry[i] <= EPS * scale[i]:
                continue
            res = np.flatnonzero(uses[i])
            left = room[res, t] - st[i, res]
            if (left <= 0).any():
                continue
            per = a[i, res]
            fits = np.where(per > 0, left / np.where(per > 0, per, 1.0), np.inf)
            made = min(float(carry[i]), float(fits.min()))
            if made <= EPS * scale[i]:
                continue
            room[res, t] -= st[i, res] + made * per
            make[i, t] = made
            carry[i] -= made
    if (carry > EPS * scale).any():
        return None
    return make


def merge_lots(problem: LotSizingProblem, make: NDArray[np.float64],
               room: NDArray[np.float64]) -> NDArray[np.float64]:
    """Move whole lots into the item's previous production period while that saves
    more setup cost than it adds holding cost and the period has the room."""
    make = make.copy()
    a, st = problem.time_per_unit, problem.setup_time
    changed = True
    while changed:
        changed = False
        for i in range(problem.num_items):
            res = np.flatnonzero(problem.uses[i])
            periods = list(np.flatnonzero(make[i] > 0))
            for k in range(len(periods) - 1, 0, -1):
                t, earlier = periods[k], periods[k - 1]
                qty = make[i, t]
                held = problem.holding[i] * qty * (t - earlier)
                if held >= problem.setup_cost[i]:
                    continue
                if (qty * a[i, res] > room[res, earlier] + 1e-9).any():
                    continue
                room[res, earlier] -= qty * a[i, res]
                room[res, t] += qty * a[i, res] + st[i, res]
                make[i, earlier] += qty
                make[i, t] = 0.0
                changed = True
    return make


def backward_plan(problem: LotSizingProblem) -> NDArray[np.float64] | None:
    """Production per item and period (start periods) paying full setup times, or None
    when the problem is not single-level or the backward pass does not fit."""
    if not applies(problem):
        return None
    need = start_requirements(problem)
    if need is None:
        return None
    for extra in (np.zeros_like(problem.capacity), problem.overtime_max):
        room = problem.capacity + extra
        make = backward_fill(problem, need, room)
        if make is not None:
            return merge_lots(problem, make, room)
    return None
