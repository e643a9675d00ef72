"""How good can a plan of a ``large``-shaped instance get: neighbourhoods compared.

    PYTHONPATH=$PWD:$PWD/plugins:$PWD/benchmarks/lot-sizing .venv/bin/python \
        benchmarks/lot-sizing/plan_probe.py --steps dp:0,windows:30,dp:0 --refresh

``--shape`` and ``--periods`` pick ``generator.generate_structured`` (without them: the
``large`` instance of ``--seed``).  From the constructed plan (1 thread), either the
``--steps`` in order (``dp:0`` the purchases' recursion of :mod:`purchases`,
``windows:S`` the period windows of ``fl`` for ``S`` seconds, with ``--refresh`` the
recursion after every pass, ``raws:S`` each bought item's orders and stock as a MILP of
its own for ``S`` seconds, ``rawwin:S`` the same over windows of ``--width`` periods), or
for ``--limit`` seconds one of :data:`MODES` (the windows, the whole MILP, the MILP
without capacity); ``--then T`` runs the whole MILP from the plan for ``T`` seconds.
Prints the plan and its cost by kind and level.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from optikit_highs.backend import HighsBackend
from optikit_lotsizing.generator import generate, generate_structured
from optikit_lotsizing.heuristic import constructive
from optikit_lotsizing.linear import LotModel, build
from optikit_lotsizing.model import LotSizingProblem, parse
from optikit_lotsizing.purchases import repurchase
from optikit_lotsizing.structure import columns_of
from optikit_lotsizing.windows import sliding_windows, solve_restricted
from scale_gap import _solve, breakdown, relaxed_model

from optikit.paradigms import LinearResult
from optikit.types import SolveContext, SolveOptions

MODES = ("windows", "milp", "capfree")


def raws(problem: LotSizingProblem, lm: LotModel, best: LinearResult, each: float,
         threads: int) -> LinearResult:
    """Each bought item's orders and stock free alone, ``each`` seconds."""
    ctx = SolveContext(SolveOptions(time_limit=None, threads=threads, seed=0))
    for r in np.flatnonzero(problem.purchased & ~problem.produced):
        free = columns_of(problem, lm, [int(r)])
        t0 = time.monotonic()
        result = solve_restricted(lm.model, HighsBackend(), ctx, free, best, each)
        assert best.objective is not None
        print(f"  {problem.ids[r]} ({int(free.sum())} cols, {result.status.value}, "
              f"{time.monotonic() - t0:.1f} s): {best.objective:,.0f} -> "
              f"{result.objective if result.objective is None else round(result.objective)}",
              flush=True)
        if result.objective is not None and result.objective < best.objective - 1e-6:
            best = result
    return best


def raw_windows(problem: LotSizingProblem, lm: LotModel, best: LinearResult, each: float,
                threads: int, width: int) -> LinearResult:
    """Each bought item's orders of ``width`` periods free, its stock from there on."""
    ctx = SolveContext(SolveOptions(time_limit=None, threads=threads, seed=0))
    began, tried, gained = time.monotonic(), 0, 0
    for r in np.flatnonzero(problem.purchased & ~problem.produced):
        stock = lm.stock[r]
        orders = [o for o in lm.orders if o.source.item == r]
        for a in range(0, problem.periods, max(1, width // 2)):
            free = np.zeros(lm.model.num_cols, dtype=bool)
            free[stock[a:]] = True
            for o in orders:
                if a <= o.period < a + width:
                    free[o.q] = True
                    free[o.w] = True
                    if o.count >= 0:
                        free[o.count] = True
            result = solve_restricted(lm.model, HighsBackend(), ctx, free, best, each)
            tried += 1
            assert best.objective is not None
            if result.objective is not None and result.objective < best.objective - 1e-6:
                best, gained = result, gained + 1
        print(f"  {problem.ids[r]}: {best.objective:,.0f} at {time.monotonic() - began:.1f} s",
              flush=True)
    print(f"  {tried} windows, {gained} improved")
    return best


def _refresh(problem: LotSizingProblem, lm: LotModel, best: LinearResult, began: float
             ) -> LinearResult:
    """The purchases re-planned after a pass of the windows, printed."""
    better = repurchase(problem, lm, best)
    print(f"  pass: {best.objective:,.1f}, re-planned {better.objective:,.1f} at "
          f"{time.monotonic() - began:.1f} s; load {os.getloadavg()[0]:.1f}", flush=True)
    return better



def _whole_milp(lm: LotModel, best: LinearResult, mode: str, limit: float, threads: int
                ) -> tuple[LinearResult, float | None]:
    """The whole MILP (``capfree``: without capacity rows) from ``best``; the better plan
    of the two and the MILP's bound."""
    assert best.x is not None and best.objective is not None
    model = relaxed_model(lm, ["capacity"]) if mode == "capfree" else lm.model
    result, _ = _solve(model.with_hint(best.x), limit, threads, trace=True)
    if result.x is not None and result.objective is not None \
            and result.objective < best.objective:
        return result, result.bound
    return best, result.bound


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", default=None)
    parser.add_argument("--periods", type=int, default=52)
    parser.add_argument("--mode", default="windows", choices=MODES)
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--then", type=float, default=0.0,
                        help="then the whole MILP (``--then-mode``) from that plan, seconds")
    parser.add_argument("--then-mode", default="milp", choices=("milp", "capfree"))
    parser.add_argument("--raws", type=float, default=0.0,
                        help="then each bought item's orders and stock alone, seconds each")
    parser.add_argument("--steps", default="",
                        help="instead of --mode: steps such as raws:3,windows:30,raws:3 "
                        "(raws: seconds per bought item; windows: seconds in all)")
    parser.add_argument("--width", type=int, default=12,
                        help="rawwin: periods of orders free per window (slides by half)")
    parser.add_argument("--refresh", action="store_true",
                        help="windows: re-plan the purchases after each pass")
    args = parser.parse_args()
    if args.shape:
        n_end, n_sub, n_raw = (int(v) for v in args.shape.split(","))
        doc = generate_structured(args.seed, args.periods, n_end, n_sub, n_raw)
    else:
        doc = generate(args.seed, "large")
    problem = parse(doc)
    lm = build(problem, strong=False)
    best = constructive(problem, lm)
    assert best is not None and best.objective is not None and best.x is not None
    print(f"{doc['name']}: constructed {best.objective:,.1f}; load {os.getloadavg()[0]:.1f}",
          flush=True)
    breakdown(problem, lm, best.x)
    began = time.monotonic()
    for step in filter(None, args.steps.split(",")):
        kind, seconds = step.split(":")
        if kind == "windows":
            ctx = SolveContext(SolveOptions(time_limit=float(seconds), threads=args.threads,
                                            seed=0))
            best = sliding_windows(lm.model, lm.col_period, problem.periods, HighsBackend(),
                                   ctx, float(seconds), best,
                                   refresh=(lambda b: _refresh(problem, lm, b, began))
                                   if args.refresh else None)
        elif kind == "dp":
            best = repurchase(problem, lm, best)
        elif kind == "rawwin":
            best = raw_windows(problem, lm, best, float(seconds), args.threads, args.width)
        else:
            best = raws(problem, lm, best, float(seconds), args.threads)
        assert best.objective is not None
        print(f"{kind}: {best.objective:,.1f} at {time.monotonic() - began:.1f} s", flush=True)
    if args.steps:
        pass
    elif args.mode == "windows":
        ctx = SolveContext(SolveOptions(time_limit=args.limit, threads=args.threads, seed=0))
        best = sliding_windows(lm.model, lm.col_period, problem.periods, HighsBackend(), ctx,
                               args.limit, best)
    else:
        best, bound = _whole_milp(lm, best, args.mode, args.limit, args.threads)
        print(f"  bound {bound}")
    assert best.x is not None and best.objective is not None
    if args.raws > 0:
        best = raws(problem, lm, best, args.raws, args.threads)
        print(f"{args.mode} + raws: {best.objective:,.1f} at {time.monotonic() - began:.1f} s")
    if args.then > 0:
        print(f"{args.mode}: {best.objective:,.1f} at {time.monotonic() - began:.1f} s",
              flush=True)
        best, bound = _whole_milp(lm, best, args.then_mode, args.then, args.threads)
        print(f"  then {args.then_mode}: bound {bound}, plan {best.objective}")
    assert best.x is not None and best.objective is not None
    print(f"{args.mode}: {best.objective:,.1f} (point of the model: "
          f"{lm.model.is_feasible(best.x)}) at {time.monotonic() - began:.1f} s; "
          f"load {os.getloadavg()[0]:.1f}")
    breakdown(problem, lm, best.x)


if __name__ == "__main__":
    np.set_printoptions(linewidth=120)
    main()
