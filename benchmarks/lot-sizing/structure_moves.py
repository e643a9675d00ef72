"""Product-structure neighbourhoods on the 100 x 52 x 3 instance, against the period windows.

    PYTHONPATH=$PWD:$PWD/plugins .venv/bin/python benchmarks/lot-sizing/structure_moves.py \
        --mode windows|items|components|mixed --limit 30 --each 2

From the constructed plan, for ``--limit`` seconds (1 thread: the windows of ``fl`` run
alone), one of:

- ``windows``: the period windows of ``fl`` (:func:`windows.sliding_windows`);
- ``items``: one end item and its whole bill of materials free over every period (its
  production, setups and stock, its components', the orders and stock of the bought parts
  under it, the overtime of the resources they use), every other column at the
  incumbent, solved as a model of its own (:mod:`windows`), ``--each`` seconds per item;
- ``components``: one made component with all its parents (and its bought parts) free;
- ``mixed``: half the time the windows, then the structure moves (items, then components).

The bought items' orders stay fixed unless ``--orders`` (their stock is free either way).
``--uncapacitated`` runs on the model without its capacity rows (a relaxation: its plans'
costs bound from above what any capacity-free bound, such as :mod:`lagrange`'s, can reach).

Prints the plan after each improvement and at the end, with the load.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from optikit_highs.backend import HighsBackend
from optikit_lotsizing.generator import generate
from optikit_lotsizing.heuristic import constructive
from optikit_lotsizing.linear import build
from optikit_lotsizing.model import parse
from optikit_lotsizing.structure import neighbourhoods, solve_neighbourhood
from optikit_lotsizing.windows import sliding_windows
from scale_gap import relaxed_model

from optikit.types import SolveContext, SolveOptions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", default="items",
                        choices=["windows", "items", "components", "mixed"])
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--each", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--uncapacitated", action="store_true",
                        help="drop the capacity rows (see the docstring)")
    parser.add_argument("--orders", action="store_true",
                        help="free the orders of the bought items under the moved ones too")
    args = parser.parse_args()
    problem = parse(generate(args.seed, "large"))
    lm = build(problem, strong=False)
    if args.uncapacitated:
        lm.model = relaxed_model(lm, ["capacity"])
    ctx = SolveContext(SolveOptions(time_limit=args.limit, threads=args.threads, seed=0))
    best = constructive(problem, lm)
    assert best is not None and best.objective is not None
    print(f"constructed {best.objective:,.0f}; load {os.getloadavg()[0]:.1f}", flush=True)
    backend = HighsBackend()
    began = time.monotonic()
    if args.mode in ("windows", "mixed"):
        until = args.limit / 2 if args.mode == "mixed" else args.limit
        best = sliding_windows(lm.model, lm.col_period, problem.periods, backend, ctx, until,
                               best)
        print(f"windows {best.objective:,.0f} at {time.monotonic() - began:.1f} s", flush=True)
    if args.mode != "windows":
        kinds = {"items": ("items",), "components": ("components",),
                 "mixed": ("items", "components")}[args.mode]
        for kind in kinds:
            for label, free in neighbourhoods(problem, lm, kind, args.orders):
                if ctx.elapsed() > args.limit - 0.3:
                    break
                seconds = min(args.each, args.limit - ctx.elapsed())
                result = solve_neighbourhood(lm.model, backend, ctx, free, best, seconds)
                assert best.objective is not None
                if result.objective is not None and result.objective < best.objective - 1e-6:
                    print(f"  {label} ({int(free.sum())} cols): {best.objective:,.0f} -> "
                          f"{result.objective:,.0f} at {time.monotonic() - began:.1f} s",
                          flush=True)
                    best = result
    assert best.x is not None
    feasible = lm.model.is_feasible(best.x)
    print(f"{args.mode}: {best.objective:,.0f} (feasible {feasible}) at "
          f"{time.monotonic() - began:.1f} s; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    np.set_printoptions(linewidth=120)
    main()
