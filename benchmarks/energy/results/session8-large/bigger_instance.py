"""Solve a generated instance larger than the generator's sizes (session 8's check).

``xl``: 100 jobs x 4-6 operations (about 500), 16 machines; ``xxl``: 240 jobs (about
1,200 operations), 40 machines; both two days in one-minute units, like ``large``.
Usage (from the repository root)::

    .venv/bin/python benchmarks/energy/results/session8-large/bigger_instance.py xl 1 60
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
    size, seed, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    registry = get_registry()
    doc = generator.generate(seed, size)
    loaded = load_document(doc, registry, source=doc["name"])
    print(loaded.problem.size(), flush=True)
    events: list[tuple[float, float]] = []
    began = time.monotonic()
    result = solve(loaded, registry, solver="cpsat",
                   options=SolveOptions(time_limit=limit, threads=2, seed=0),
                   on_progress=lambda e: events.append((round(e.time_s, 2), e.objective))
                   if e.objective is not None else None)
    d = result.document
    stats = d.get("stats", {})
    print(json.dumps({
        "objective": d["objective"], "bound": d["bound"], "gap": d["gap"],
        "wall": round(time.monotonic() - began, 1),
        "checked": d.get("check", {}).get("feasible"), "first": events[:1],
        "source": stats.get("solution_source"), "bound_source": stats.get("bound_source"),
        "guided": stats.get("guided"), "bucket_bound": stats.get("bucket_bound"),
        "timeline": stats.get("timeline_s"), "load": os.getloadavg()[0],
    }, default=str))


if __name__ == "__main__":
    main()
