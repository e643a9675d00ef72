"""The product-structure Lagrangian's subgradient steps, one line each (value, seconds).

    PYTHONPATH=$PWD:$PWD/plugins .venv/bin/python benchmarks/lot-sizing/lagrange_trace.py \
        --limit 300 --target 1216870 --factor 0.5 --weights 1,0.1,0.1

The loop of :func:`optikit_lotsizing.lagrange.lagrangian_bound` (Polyak steps towards
``--target``, the factor halved after 3 steps without a better value) on generated
``--size`` ``--seed``, with the weights of the three kinds of multipliers (setups,
initial-stock shares, bought items' use; ``1,0,0`` moves the setups' alone) and the
subproblems' MIP starts (``--no-hints`` to drop them).  1 thread.

``--method colgen``: the same relaxation by stabilised column generation
(:mod:`optikit_lotsizing.colgen`, Wentges smoothing ``--alpha``, each subproblem MILP at
most ``--sub-limit`` s), one line per round with the master's value beside.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from optikit_highs.backend import HighsBackend
from optikit_lotsizing import colgen, lagrange
from optikit_lotsizing.generator import generate, generate_structured
from optikit_lotsizing.heuristic import constructive
from optikit_lotsizing.linear import build
from optikit_lotsizing.model import parse

from optikit.types import SolveContext, SolveOptions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", default=None,
                        help="end items,sub-assemblies,raw materials: a large-shaped "
                        "instance of that size over --periods (generate_structured)")
    parser.add_argument("--periods", type=int, default=13)
    parser.add_argument("--limit", type=float, default=300.0)
    parser.add_argument("--target", type=float, default=1_216_870.0,
                        help="the step's target (the best plan known of large seed 1)")
    parser.add_argument("--factor", type=float, default=0.5)
    parser.add_argument("--weights", default="1,0.1,0.1")
    parser.add_argument("--no-hints", action="store_true")
    parser.add_argument("--method", choices=["subgradient", "colgen"], default="subgradient")
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--sub-limit", type=float, default=None)
    parser.add_argument("--plan", action="store_true",
                        help="colgen: seed the master with the constructed plan's columns")
    args = parser.parse_args()
    if args.shape:
        n_end, n_sub, n_raw = (int(v) for v in args.shape.split(","))
        problem = parse(generate_structured(args.seed, args.periods, n_end, n_sub, n_raw))
    else:
        problem = parse(generate(args.seed, args.size))
    lag = lagrange.build(problem)
    assert lag is not None
    lagrange.HINTS = not args.no_hints
    weights = tuple(float(w) for w in args.weights.split(","))
    lagrange.WEIGHTS = (weights[0], weights[1], weights[2])
    print(f"{len(lag.subtrees)} subtrees, {len(lag.boughts)} bought items, copies per made "
          f"item up to {int(lag.copies.max())}; load {os.getloadavg()[0]:.1f}", flush=True)
    ctx = SolveContext(SolveOptions(time_limit=args.limit * 2 + 60, threads=1, seed=0))
    best, factor, idle, began = None, args.factor, 0, time.monotonic()
    if args.method == "colgen":
        count = [0]

        def report(rnd: colgen.Round) -> None:
            print(f"{count[0]:3d} {time.monotonic() - began:7.1f} s  value {rnd.value:14,.0f}  "
                  f"best {rnd.best:12,.0f}  master {rnd.master:14,.0f}  load "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
            count[0] += 1

        made = None
        if args.plan:
            lm = build(problem, strong=False)
            start = constructive(problem, lm)
            assert start is not None and start.x is not None
            made = np.where(lm.x >= 0, start.x[np.maximum(lm.x, 0)], 0.0)
            print(f"plan {start.objective:,.0f}", flush=True)
        colgen.column_generation(lag, HighsBackend(), ctx, lambda: args.sub_limit, 10_000,
                                 args.alpha, lambda: time.monotonic() - began > args.limit,
                                 report, plan=made)
        return
    for k in range(10_000):
        if time.monotonic() - began > args.limit:
            break
        ev = lagrange.evaluate(lag, HighsBackend(), ctx, lambda: None)
        assert ev is not None
        if best is None or ev.value > best:
            best, idle = ev.value, 0
        else:
            idle += 1
            if idle >= lagrange.STEP_PATIENCE:
                factor, idle = factor / 2, 0
        print(f"{k:3d} {time.monotonic() - began:7.1f} s  value {ev.value:14,.0f}  best "
              f"{best:12,.0f}  factor {factor:.3f}  load {os.getloadavg()[0]:.1f}", flush=True)
        lagrange.step(lag, ev, args.target, factor)


if __name__ == "__main__":
    main()
