"""Session 17: the machine-by-machine DP re-timing from the shift search's local optimum.

Usage (repository root): diag_dp.py SIZE SEED SHIFT_S   (sizes also xl / xxl)
Constructs a schedule, runs the shift search (SHIFT_S seconds at most), then DP sweeps
(each followed by the shift search again) and prints the objective after each stage.
"""

from __future__ import annotations

import sys
import time

from optikit_energy import generator, heuristic, machine_dp, shift_search

from optikit.plugins import get_registry
from optikit.problem_io import load_document

generator.SIZES["xl"] = {"jobs": 100, "ops": (4, 6), "machines": 16, "days": 2, "step": 1}
generator.SIZES["xxl"] = {"jobs": 240, "ops": (4, 6), "machines": 40, "days": 2, "step": 1}


def main() -> None:
    size, seed, shift_s = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    doc = generator.generate(seed, size)
    registry = get_registry()
    problem = load_document(doc, registry, source="x").problem
    t0 = time.monotonic()
    built = heuristic.best_constructed(problem, budget_s=3.0)
    assert built is not None
    print("constructed", round(built.objective, 2), round(time.monotonic() - t0, 1), "s")
    t0 = time.monotonic()
    s = shift_search.improve(problem, built.schedule, built.switch_on, built.objective, shift_s)
    print("shift", round(s.objective, 2), s.moves, "moves", round(time.monotonic() - t0, 1), "s")
    search = shift_search.start(problem, s.schedule, s.switch_on, s.objective, 60.0,
                                lambda: False)
    for k in range(6):
        t0 = time.monotonic()
        was = search.objective
        dirty = machine_dp.sweep(search)
        t1 = time.monotonic()
        dp_value = search.objective
        shift_search.descend(search, dirty, None, True)
        print(f"sweep {k}: {was:.2f} -> dp {dp_value:.2f} ({t1 - t0:.2f} s, {len(dirty)} dirty)"
              f" -> shift {search.objective:.2f} ({time.monotonic() - t1:.2f} s)")
        if search.objective >= was - 1e-6:
            break
    print("valid", search.shifted() is not None)


if __name__ == "__main__":
    main()
