"""Session 17: the finer bucket LP restricted to the tariff-period LP's support.

Usage (repository root): diag_restricted.py SIZE SEED SLACK_PERIODS [0 full]
Solves the tariff-period LP, the finer LP restricted (modes the coarse point uses,
buckets within its windows widened by SLACK_PERIODS tariff periods) and, with a fifth
argument, in full; one HiGHS thread, each timed.  ``rough(size, seed, budgets)``: the
rough guided search (CP-SAT, one worker, linearization 0) from the restricted point.
"""

from __future__ import annotations

import sys
import time

from optikit_energy import bucket_bound, generator, guided_restricted

from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.types import SolveContext, SolveOptions

generator.SIZES["xl"] = {"jobs": 100, "ops": (4, 6), "machines": 16, "days": 2, "step": 1}
generator.SIZES["xxl"] = {"jobs": 240, "ops": (4, 6), "machines": 40, "days": 2, "step": 1}


def main() -> None:
    size, seed, slack = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    reg = get_registry()
    p = load_document(generator.generate(seed, size), reg, source="x").problem
    ctx = SolveContext(SolveOptions(time_limit=120, threads=1), backends=reg.available_backend)
    t = time.monotonic()
    coarse = bucket_bound.lower_bound(p, ctx, 60, integer=False, threads=1,
                                      bucket_len=p.horizon)
    print("coarse", round(coarse.value, 2), round(time.monotonic() - t, 1), "s", flush=True)
    fine_model = bucket_bound.build(p, integer=False)
    t = time.monotonic()
    restricted = guided_restricted.restrict(p, fine_model, coarse.plan, slack)
    print("restricted cols open", restricted.open_cols, "of", fine_model.model.num_cols,
          flush=True)
    r = bucket_bound.lower_bound(p, ctx, 60, integer=False, threads=1,
                                 built=restricted.model)
    print("restricted", r and round(r.value, 2), r and r.status, round(time.monotonic() - t, 1),
          "s", flush=True)
    if len(sys.argv) > 5:
        t = time.monotonic()
        f = bucket_bound.lower_bound(p, ctx, 90, integer=False, threads=1, built=fine_model)
        print("fine", f and round(f.value, 2), round(time.monotonic() - t, 1), "s", flush=True)


def rough(size: str, seed: int, budgets: list[float], params: str = "rough") -> None:
    """The rough guided search from the restricted point, one worker, each budget."""
    from optikit_energy import guided
    from optikit_energy.run import Run
    reg = get_registry()
    p = load_document(generator.generate(seed, size), reg, source="x").problem
    ctx = SolveContext(SolveOptions(time_limit=600, threads=1), backends=reg.available_backend)
    coarse = bucket_bound.lower_bound(p, ctx, 60, integer=False, threads=1,
                                      bucket_len=p.horizon)
    fine_model = bucket_bound.build(p, integer=False)
    restricted = guided_restricted.restrict(p, fine_model, coarse.plan)
    r = bucket_bound.lower_bound(p, ctx, 60, integer=False, threads=1, built=restricted.model)
    from optikit.paradigms import CpSatBackend
    backend = ctx.backend_of("ortools-cpsat", CpSatBackend) or ctx.backend_of("cpsat", CpSatBackend)
    run = Run(p, backend, ctx)
    prm = guided.ROUGH_PARAMETERS if params == "rough" else None
    for b in budgets:
        t = time.monotonic()
        found, stats = guided.guided_schedule(run, r.plan, b, workers=1,
                                              should_stop=lambda: False, parameters=prm)
        print("rough", b, "s:", found and round(found.objective, 2), stats["tries"],
              round(time.monotonic() - t, 1), flush=True)


if __name__ == "__main__":
    main()
