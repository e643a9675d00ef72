"""Session 16 diagnostic: the finer bucket LP of a generated instance, standalone, with a
HiGHS solver choice (simplex, ipm, pdlp), one thread.

Usage: diag_lp.py SIZE SEED SOLVER [LIMIT] [BUCKET_LEN]   (sizes also xl / xxl)
"""
from __future__ import annotations

import dataclasses
import sys
import time

import numpy as np
from optikit_energy import bucket_bound, generator

from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.types import SolveContext, SolveOptions

generator.SIZES["xl"] = {"jobs": 100, "ops": (4, 6), "machines": 16, "days": 2, "step": 1}
generator.SIZES["xxl"] = {"jobs": 240, "ops": (4, 6), "machines": 40, "days": 2, "step": 1}


def main() -> None:
    size, seed, solver = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    limit = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    bl = int(sys.argv[5]) if len(sys.argv) > 5 else None
    reg = get_registry()
    p = load_document(generator.generate(seed, size), reg, source="x").problem
    extra = {} if solver == "default" else {"highs.solver": solver}
    ctx = SolveContext(SolveOptions(time_limit=limit, threads=1, extra=extra),
                       backends=reg.available_backend)
    t = time.monotonic()
    bm = bucket_bound.build(p, bucket_len=bl)
    bm = dataclasses.replace(bm, model=dataclasses.replace(
        bm.model, integer=np.zeros_like(bm.model.integer)))
    built = time.monotonic() - t
    r = bucket_bound.lower_bound(p, ctx, limit, integer=False, threads=1, built=bm)
    print(size, seed, solver, "cols", bm.model.num_cols, "buckets", bm.starts.size,
          "build", round(built, 1), "value", r and round(r.value, 2), r and r.status,
          "modes picked", r and r.plan and len(r.plan.modes), "of", len(p.ops),
          "s", round(time.monotonic() - t, 1))


if __name__ == "__main__":
    main()
