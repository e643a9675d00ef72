"""Session 15 diagnostic: bound relaxations on one generated instance, standalone (HiGHS, 1 thread).

Usage: diag_bounds.py SIZE SEED WHAT [LIMIT]   WHAT in: sizes, bucket, ti-lp, ti-milp, nonpre
"""
from __future__ import annotations

import dataclasses
import sys
import time

import numpy as np
from optikit_energy import bucket_bound, generator, timeindexed

from optikit.paradigms import LinearBackend
from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.types import SolveContext, SolveOptions


def main() -> None:
    size, seed, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    limit = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    reg = get_registry()
    doc = generator.generate(seed, size)
    p = load_document(doc, reg, source=doc["name"]).problem
    print(p.size(), "horizon", p.horizon, "ti cols/nnz", timeindexed.size_estimate(p))
    ctx = SolveContext(SolveOptions(time_limit=limit, threads=1), backends=reg.available_backend)
    if what in ("bucket", "nonpre"):
        rel = "non-preemptive" if what == "nonpre" else "preemptive"
        bl = int(sys.argv[5]) if len(sys.argv) > 5 else None
        t = time.monotonic()
        r = bucket_bound.lower_bound(p, ctx, limit, integer=True, relaxation=rel, threads=1,
                                     bucket_len=bl)
        print(what, r and (r.value, r.status, r.buckets), round(time.monotonic() - t, 1))
    if what.startswith("ti"):
        t = time.monotonic()
        ti = timeindexed.build(p, span_rows=True)
        m = ti.model
        if what == "ti-lp":
            m = dataclasses.replace(m, integer=np.zeros_like(m.integer))
        print("built", m.num_cols, round(time.monotonic() - t, 1))
        be = ctx.backend_of("highs", LinearBackend)
        r = be.solve(m, ctx)
        print(what, r.status, r.objective, r.bound, round(time.monotonic() - t, 1))


if __name__ == "__main__":
    main()
