"""Kicks: a few random moves that may cost, then the shift search around them.

Why: on big instances (generated 500 and 1,200 operations) the CP-SAT LNS steps cost
seconds each and improved nothing in the 20-30 s after the shift search had ended (0 of
9-11 steps on 500 operations, 0 of 3 on 1,200, session 16), while the shift search
itself stops at a local optimum of single moves and swaps.  A kick moves a few
operations to random feasible places (better or not), and the search descends again
from there, around them: an iterated-local-search step that costs a fraction of a
second.  The LNS draws it as one of its neighbourhoods (:func:`optikit_energy.lns.pick_kind`),
so it gets the steps only where it pays.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from optikit.scheduling import ScheduledOperation
from optikit_energy.model import EnergyProblem
from optikit_energy.shift_search import Shifted, descend, start

# Operations a kick moves, and the random places tried for each.
KICK_OPS = 3
TRIES_PER_OP = 4


def kicked(problem: EnergyProblem, schedule: Sequence[ScheduledOperation],
           switch_on: dict[int, list[int]], objective: float, budget_s: float,
           rng: random.Random, should_stop: Callable[[], bool] = lambda: False,
           count: int = KICK_OPS) -> Shifted | None:
    """The schedule after a kick of ``count`` operations and the descent around them, if
    it beats ``objective`` within ``budget_s``; else None."""
    search = start(problem, schedule, switch_on, objective, budget_s, should_stop)
    if search is None:
        return None
    dirty: set[int] = set()
    ops = list(search.index)
    for g in rng.sample(ops, min(count, len(ops))):
        current = search.at(g)
        places = search.candidates(g, current)
        rng.shuffle(places)
        for place in places[:TRIES_PER_OP]:
            found = search.try_move({g: place})
            if found is not None and search.force({g: place}, found[1]):
                dirty |= search.neighbourhood(g, current)
                break
    if not dirty or search.out_of_time():
        return None
    descend(search, dirty, set(dirty), swaps=True)
    if search.objective >= objective - 1e-9 * max(1.0, abs(objective)):
        return None
    return search.shifted()
