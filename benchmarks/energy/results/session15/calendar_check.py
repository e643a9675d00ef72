"""Session 15: one generated instance with machine calendars through the gaps harness
(``run_benchmark.run_child``), from the tree it is run in.

Usage (from a tree's root): calendar_check.py SIZE SEED CALENDARS SOLVER_SEED OUT.json
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path.cwd() / "benchmarks" / "energy"))
from run_benchmark import run_child

size, seed, calendars, solver_seed, out = sys.argv[1:6]
r = run_child({"size": size, "seed": int(seed), "calendars": calendars, "solver": "cpsat",
               "time_limit": 60.0, "seed_solver": int(solver_seed)})
r["load_after"] = os.getloadavg()[0]
Path(out).write_text(json.dumps(r, indent=1, default=str))
print(r["instance"], r["objective"], r["bound"], r["gap"], r.get("bound_source"), r["checked"],
      r.get("guided_plan"), "load", r["load_after"])
