"""A roster read off the LP at once: per employee the heaviest column of the LP solution,
then a 1-opt descent that swaps one employee's row for another of their LP's rows.

Why: on Instance12 the relaxation stops far from converged (no bound at all at 24 s of 60)
and the restricted master MILP then spent its 6 s for a roster at 9,380-11,159 that only
hinted the LP-fixed CP-SAT model.  This descent takes 0.1 s (Instance12 13,613 -> 10,229)
and its rows, all from the LP's support, agree with every day the fixed model fixes, so
CP-SAT takes the hint whole: with the 6 s given back the fixed model was ahead (cached
relaxation, 27 s in all: 4,465 / 4,440 against 5,639 / 4,445 from the MILP's hint, seeds
0 / 1).  Where the relaxation has a bound the MILP still runs and the better roster wins:
on Instance8 the MILP's (2,146-2,750) beat this one's (2,846-3,255) and hinted better.
"""

from __future__ import annotations

from optikit_rostering.colgen_master import ARTIFICIAL, entries, penalty, row_index
from optikit_rostering.colgen_pricing import Column
from optikit_rostering.model import Roster


def support_roster(roster: Roster, weights: dict[int, list[tuple[Column, float]]]
                   ) -> tuple[list[Column], int] | None:
    """One column per employee (employee order) from the LP's support ``weights`` and the
    roster's penalty; None if an employee has no column or the rows break a safety rule."""
    if any(not weights.get(e) for e in range(roster.num_employees)):
        return None
    index = row_index(roster)
    rows = {id(col): [r for r, _coef in entries(roster, col, index)]
            for weighted in weights.values() for col, _v in weighted}
    lines = len(roster.cover)
    wanted = [c.requirement for c in roster.cover] + [h.minimum for h in roster.hard_cover]

    def cost(r: int, count: int) -> float:
        if r < lines:
            return roster.cover[r].penalty(count)
        return ARTIFICIAL * max(0, wanted[r] - count)

    chosen = [max(weights[e], key=lambda cv: cv[1])[0] for e in range(roster.num_employees)]
    counts = [0] * len(wanted)
    for col in chosen:
        for r in rows[id(col)]:
            counts[r] += 1

    def delta(old: Column, new: Column) -> float:
        change: dict[int, int] = {}
        for r in rows[id(old)]:
            change[r] = change.get(r, 0) - 1
        for r in rows[id(new)]:
            change[r] = change.get(r, 0) + 1
        return new.cost - old.cost + sum(cost(r, counts[r] + k) - cost(r, counts[r])
                                         for r, k in change.items() if k)

    improved = True
    while improved:  # first improvement, employee by employee (steepest descent measured
        improved = False  # worse: Instance12 10,890, Instance8 3,267)
        for e, weighted in sorted(weights.items()):
            gain, swap = min(((delta(chosen[e], col), i) for i, (col, _v) in enumerate(weighted)),
                             default=(0.0, -1))
            if gain < -1e-9:
                for r in rows[id(chosen[e])]:
                    counts[r] -= 1
                chosen[e] = weighted[swap][0]
                for r in rows[id(chosen[e])]:
                    counts[r] += 1
                improved = True
    value = penalty(roster, chosen)
    return None if value is None else (chosen, value)
