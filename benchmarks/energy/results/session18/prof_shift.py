"""Session 18: where the first shift search's time goes on big instances (cProfile).

Usage (repository root): prof_shift.py SIZE SEED SHIFT_S [OUT.prof]
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time

from optikit_energy import generator, heuristic, shift_search

from optikit.plugins import get_registry
from optikit.problem_io import load_document

generator.SIZES["xl"] = {"jobs": 100, "ops": (4, 6), "machines": 16, "days": 2, "step": 1}
generator.SIZES["xxl"] = {"jobs": 240, "ops": (4, 6), "machines": 40, "days": 2, "step": 1}


def main() -> None:
    size, seed, shift_s = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    doc = generator.generate(seed, size)
    problem = load_document(doc, get_registry(), source="x").problem
    built = heuristic.best_constructed(problem, budget_s=3.0)
    assert built is not None
    print("constructed", round(built.objective, 2), "load", os.getloadavg()[0])
    prof = cProfile.Profile()
    t0 = time.monotonic()
    prof.enable()
    s = shift_search.improve(problem, built.schedule, built.switch_on, built.objective, shift_s)
    prof.disable()
    assert s is not None
    print("shift", round(s.objective, 2), s.moves, "moves", s.priced, "priced",
          round(time.monotonic() - t0, 1), "s", "load", os.getloadavg()[0])
    if len(sys.argv) > 4:
        prof.dump_stats(sys.argv[4])
    pstats.Stats(prof).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
