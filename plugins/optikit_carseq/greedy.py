"""A constructive start: the dynamic greedy of the car-sequencing literature.

Position by position it picks the class that adds the least cost looking back (new
window excess, a colour change, a batch overrun is refused while avoidable), breaking
ties by the *dynamic utilisation* of the class's options: remaining demand of an option
over the capacity left for it (Gottlieb, Puchta and Solnon 2003's DSU rule), so that
the scarcest options are placed first, while they still fit.  Seeded random noise breaks
the remaining ties.  O(cars x classes x options).
"""

from __future__ import annotations

import random

from optikit_carseq.model import CarSeqProblem


def construct(problem: CarSeqProblem, seed: int = 0, noise: float = 0.0) -> list[int]:
    rng = random.Random(seed)
    opts = problem.options
    classes = problem.classes
    n = problem.num_cars
    left = [c.count for c in classes]
    need = list(problem.demand)
    line = list(problem.previous)
    flags: list[list[int]] = [
        [1 if j in classes[k].options else 0 for k in line] for j in range(len(opts))
    ]
    wcol = problem.weights.colour * problem.change_cost
    run = 0
    for k in reversed(problem.previous):
        if classes[k].colour >= 0 and classes[k].colour == classes[problem.previous[-1]].colour:
            run += 1
        else:
            break
    seq: list[int] = []
    batch = problem.max_batch
    paint_left = [0] * len(problem.colours)
    for c in classes:
        if c.colour >= 0:
            paint_left[c.colour] += c.count * (batch is not None)
    for pos in range(n):
        remaining = n - pos
        util = [
            need[j] * o.window / (o.max * remaining) if o.max else (10.0 * need[j])
            for j, o in enumerate(opts)
        ]
        last_colour = classes[line[-1]].colour if line else -1
        best_key: tuple[float, ...] | None = None
        best_k = -1
        for k, c in enumerate(classes):
            if not left[k]:
                continue
            cost = 0.0
            for j in c.options:
                o = opts[j]
                if len(line) + 1 >= o.window:
                    window = sum(flags[j][len(line) - o.window + 1:]) + 1
                    if window > o.max:
                        cost += problem.term_weight(o)
            overrun = 0
            if c.colour >= 0 and last_colour >= 0:
                if c.colour != last_colour:
                    cost += wcol
                elif problem.max_batch is not None and run + 1 > problem.max_batch:
                    overrun = 1
            if batch is not None and c.colour >= 0 and not overrun:
                overrun = _dooms(paint_left, c.colour, run + 1 if c.colour == last_colour
                                 else 1, remaining - 1, batch)
            dsu = sum(util[j] for j in c.options)
            key = (overrun, cost, -dsu - (noise * rng.random() if noise else 0.0), rng.random())
            if best_key is None or key < best_key:
                best_key, best_k = key, k
        k = best_k
        c = classes[k]
        run = run + 1 if (c.colour >= 0 and c.colour == last_colour) else 1
        left[k] -= 1
        if batch is not None and c.colour >= 0:
            paint_left[c.colour] -= 1
        for j in range(len(opts)):
            flags[j].append(1 if j in c.options else 0)
            if j in c.options:
                need[j] -= 1
        line.append(k)
        seq.append(k)
    return seq


def _dooms(paint_left: list[int], colour: int, run: int, after: int, batch: int) -> int:
    """1 if painting the next car ``colour`` (its run then ``run`` long) leaves some colour
    more cars than the batch limit lets the ``after`` cars still to come interleave.

    A colour with ``r`` of those cars needs them in runs of at most ``batch``, split by
    the ``after - r`` others: at most ``(after - r + 1) * batch`` fit, less the current
    run's length when it is that colour's.  Without this look-ahead the last cars of
    the day can be all one colour (a 1,000-car line got no sequence within its limit).
    """
    for c, r in enumerate(paint_left):
        r -= c == colour
        if r <= 0:
            continue
        room = (after - r + 1) * batch - (run if c == colour else 0)
        if r > room:
            return 1
    return 0
