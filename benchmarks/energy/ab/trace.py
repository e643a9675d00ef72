"""Solve one generated instance and print its progress events (time, objective, source).

Used by ab_big.sh, and alone for the diagnosis "does the schedule keep falling with
time?" (sessions 16-17).  Usage (from the
repository root)::

    .venv/bin/python benchmarks/energy/ab/trace.py large 2 300 0 OUT.json
    (size, instance seed, time limit, solver seed, output file; sizes also xl / xxl)
"""

from __future__ import annotations

import json
import os
import sys
import time

from optikit_energy import generator

from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.runner import solve
from optikit.types import SolveOptions

generator.SIZES["xl"] = {"jobs": 100, "ops": (4, 6), "machines": 16, "days": 2, "step": 1}
generator.SIZES["xxl"] = {"jobs": 240, "ops": (4, 6), "machines": 40, "days": 2, "step": 1}


def main() -> None:
    size, seed, limit, solver_seed, out = (sys.argv[1], int(sys.argv[2]), float(sys.argv[3]),
                                           int(sys.argv[4]), sys.argv[5])
    registry = get_registry()
    doc = generator.generate(seed, size)
    loaded = load_document(doc, registry, source=doc["name"])
    events: list[tuple[float, float | None, float | None, str]] = []
    load0 = os.getloadavg()[0]
    began = time.monotonic()
    result = solve(loaded, registry, solver="cpsat",
                   options=SolveOptions(time_limit=limit, threads=2, seed=solver_seed),
                   on_progress=lambda e: events.append(
                       (round(e.time_s, 2), e.objective, e.bound, str(e.source))))
    d = result.document
    stats = d.get("stats", {})
    record = {
        "instance": doc["name"], "size": loaded.problem.size(), "limit": limit,
        "seed": solver_seed, "objective": d["objective"], "bound": d["bound"],
        "gap": d["gap"], "wall": round(time.monotonic() - began, 1),
        "checked": d.get("check", {}).get("feasible"), "load_start": load0,
        "load_end": os.getloadavg()[0], "events": events, "stats": stats,
    }
    with open(out, "w") as fh:
        json.dump(record, fh, default=str, indent=1)
    print(json.dumps({k: record[k] for k in ("instance", "objective", "bound", "gap", "wall",
                                              "checked", "load_start", "load_end")}))
    for t, obj, bnd, src in events:
        print(t, obj, bnd, src)


if __name__ == "__main__":
    main()
