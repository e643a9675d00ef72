"""Session 18: the first shift search alone, from a stored constructed schedule, so that
two trees start from the same point (the constructive heuristic is time-budgeted).

Usage (repository root of the tree to measure):
    speed_shift.py SIZE SEED SHIFT_S START.pkl   (START.pkl written on first use)
Prints the objective, moves, pricings, seconds and whether the search ended by itself.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import time

from optikit_energy import generator, heuristic, shift_search

from optikit.plugins import get_registry
from optikit.problem_io import load_document

generator.SIZES["xl"] = {"jobs": 100, "ops": (4, 6), "machines": 16, "days": 2, "step": 1}
generator.SIZES["xxl"] = {"jobs": 240, "ops": (4, 6), "machines": 40, "days": 2, "step": 1}


def main() -> None:
    size, seed, shift_s, start = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    doc = generator.generate(seed, size)
    problem = load_document(doc, get_registry(), source="x").problem
    if os.path.exists(start):
        with open(start, "rb") as fh:
            schedule, switch_on, objective = pickle.load(fh)
    else:
        built = heuristic.best_constructed(problem, budget_s=3.0)
        assert built is not None
        schedule, switch_on, objective = built.schedule, built.switch_on, built.objective
        with open(start, "wb") as fh:
            pickle.dump((schedule, switch_on, objective), fh)
    load0 = os.getloadavg()[0]
    t0 = time.monotonic()
    s = shift_search.improve(problem, schedule, switch_on, objective, shift_s)
    took = time.monotonic() - t0
    assert s is not None
    print(json.dumps({"size": size, "seed": seed, "start": round(objective, 2),
                      "objective": round(s.objective, 2), "moves": s.moves,
                      "priced": s.priced, "seconds": round(took, 2),
                      "ended": took < shift_s - 0.05, "load": [load0, os.getloadavg()[0]]}))


if __name__ == "__main__":
    main()
