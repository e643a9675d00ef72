"""Session 15 diagnostic: the guided search (1 worker) from the tariff periods' MILP point
against the finer MILP's (optimal, or its incumbent after a short limit).

Usage: diag_plans.py SIZE SEED [GUIDED_S] [FINE_STOPPED_S]
"""
from __future__ import annotations

import sys
import time

from optikit_energy import bucket_bound, generator, guided
from optikit_energy.run import Run

from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.types import SolveContext, SolveOptions


def main() -> None:
    size, seed = sys.argv[1], int(sys.argv[2])
    guided_s = float(sys.argv[3]) if len(sys.argv) > 3 else 15.0
    stopped_s = float(sys.argv[4]) if len(sys.argv) > 4 else 4.0
    reg = get_registry()
    doc = generator.generate(seed, size)
    p = load_document(doc, reg, source=doc["name"]).problem
    ctx = SolveContext(SolveOptions(time_limit=120, threads=1), backends=reg.available_backend)
    plans = {}
    for name, kw, limit in (("tariff periods", {"bucket_len": p.horizon}, 60.0),
                            ("finer, optimal", {}, 60.0),
                            (f"finer, stopped at {stopped_s:g} s", {}, stopped_s)):
        t = time.monotonic()
        r = bucket_bound.lower_bound(p, ctx, limit, integer=True, threads=1, **kw)
        assert r is not None and r.plan is not None
        print(name, round(r.value, 3), r.status, "point", round(r.plan.objective, 3),
              round(time.monotonic() - t, 1), "s", flush=True)
        plans[name] = r.plan
    for name, plan in plans.items():
        run_ = Run(p, reg.available_backend("cpsat"),
                   SolveContext(SolveOptions(time_limit=guided_s + 5, threads=1, seed=0),
                                backends=reg.available_backend))
        t = time.monotonic()
        found, stats = guided.guided_schedule(run_, plan, guided_s, 1, lambda: False)
        print("guided from", name, None if found is None else round(found.objective, 3),
              stats["tries"], round(time.monotonic() - t, 1), "s", flush=True)


if __name__ == "__main__":
    main()
