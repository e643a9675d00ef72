"""How much the product-structure Lagrangian loses, on instances small enough to prove.

    PYTHONPATH=$PWD:$PWD/plugins .venv/bin/python benchmarks/lot-sizing/lagrange_ceiling.py \
        --shape 8,8,4 --periods 26 --seeds 1 2 3 --limit 120

For ``large``-shaped instances of ``--shape`` end items, sub-assemblies, raw materials
over ``--periods`` (:func:`optikit_lotsizing.generator.generate_structured`; ``tiny``
with ``--tiny``), per seed, one line each: the whole MILP (HiGHS, ``--limit`` s: plan,
bound), the same without its capacity rows (a relaxation: what any capacity-free bound
can reach at most), HiGHS's bound on the whole MILP after ``--root`` s and at the root
node of the capacity-free MILP (``mip_max_nodes`` 1), and the
Lagrangian dual by stabilised column generation (:mod:`optikit_lotsizing.colgen`, run to
convergence or ``--rounds``), with its rounds and seconds.  1 thread.  ``--long T``
instead runs the capacity-free MILP from the constructed plan for ``T`` s and prints its
bound as it moves (where the gap of a mid-size instance sits).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from optikit_highs.backend import HighsBackend
from optikit_lotsizing import colgen, lagrange
from optikit_lotsizing.generator import generate, generate_structured
from optikit_lotsizing.heuristic import constructive
from optikit_lotsizing.linear import LotModel, build
from optikit_lotsizing.model import parse

from optikit.paradigms import LinearModel, LinearResult
from optikit.types import SolveContext, SolveOptions

sys.path.insert(0, str(Path(__file__).parent))
from scale_gap import _solve, relaxed_model


def _milp(model: LinearModel, limit: float, nodes: int | None = None
          ) -> tuple[LinearResult, float]:
    began = time.monotonic()
    extra = {} if nodes is None else {"highs.mip_max_nodes": nodes}
    ctx = SolveContext(SolveOptions(time_limit=limit, threads=1, seed=0, gap=0.0, extra=extra))
    return HighsBackend().solve(model, ctx), time.monotonic() - began


def _fmt(result: LinearResult) -> str:
    obj = result.objective if result.objective is not None else float("nan")
    bound = result.bound if result.bound is not None else float("nan")
    return f"{obj:11,.1f} / {bound:11,.1f} ({result.status.value})"


def _reporter(rounds: list[colgen.Round], began: float, every: int
              ) -> Callable[[colgen.Round], None]:
    """Keeps every round, prints every ``every``-th."""
    def report(rnd: colgen.Round) -> None:
        rounds.append(rnd)
        if len(rounds) % every == 0:
            print(f"    round {len(rounds):4d} {time.monotonic() - began:7.1f} s  value "
                  f"{rnd.value:12,.1f}  best {rnd.best:12,.1f}  master {rnd.master:12,.1f}",
                  flush=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="8,8,4")
    parser.add_argument("--periods", type=int, default=26)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--limit", type=float, default=120.0)
    parser.add_argument("--root", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--sub-limit", type=float, default=None)
    parser.add_argument("--tolerance", type=float, default=1e-4,
                        help="stop when the master is within this share of the best value")
    parser.add_argument("--every", type=int, default=10, help="print every this many rounds")
    parser.add_argument("--long", type=float, default=0.0,
                        help="instead: the capacity-free MILP from the constructed plan for "
                        "this many seconds, its bound as it moves (where the gap sits)")
    args = parser.parse_args()
    n_end, n_sub, n_raw = (int(v) for v in args.shape.split(","))
    print(f"load {os.getloadavg()[0]:.1f}", flush=True)
    for seed in args.seeds:
        doc = (generate(seed, "tiny") if args.tiny
               else generate_structured(seed, args.periods, n_end, n_sub, n_raw))
        problem = parse(doc)
        lm: LotModel = build(problem, strong=False)
        if args.long > 0:
            start = constructive(problem, lm)
            model = relaxed_model(lm, ["capacity"])
            if start is not None and start.x is not None:
                print(f"seed {seed}: constructed plan {start.objective:,.1f}", flush=True)
                model = model.with_hint(start.x)
            result, seconds = _solve(model, args.long, 1, trace=True)
            print(f"  MILP, no capacity, {args.long:.0f} s: {_fmt(result)}  {seconds:6.1f} s  "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
            continue
        whole, t_whole = _milp(lm.model, args.limit)
        free, t_free = _milp(relaxed_model(lm, ["capacity"]), args.limit)
        early, _ = _milp(lm.model, args.root)
        root, _ = _milp(relaxed_model(lm, ["capacity"]), args.limit, nodes=1)
        lag = lagrange.build(problem)
        assert lag is not None
        print(f"seed {seed}: {problem.num_items} items x {problem.periods}, "
              f"{int(np.sum(lag.copies > 1))} shared made items, copies up to "
              f"{int(lag.copies.max())}", flush=True)
        print(f"  MILP                {_fmt(whole)}  {t_whole:6.1f} s")
        print(f"  MILP, no capacity   {_fmt(free)}  {t_free:6.1f} s")
        print(f"  MILP bound at {args.root:.0f} s  {_fmt(early)}")
        print(f"  no capacity, root   {_fmt(root)}", flush=True)
        ctx = SolveContext(SolveOptions(time_limit=10 * args.limit + 600, threads=1, seed=0))
        rounds: list[colgen.Round] = []
        began = time.monotonic()
        best = colgen.column_generation(lag, HighsBackend(), ctx, lambda: args.sub_limit,
                                        args.rounds, args.alpha,
                                        report=_reporter(rounds, began, args.every),
                                        tolerance=args.tolerance)
        t_cg = time.monotonic() - began
        master = rounds[-1].master if rounds else float("nan")
        first = rounds[0].value if rounds else float("nan")
        print(f"  Lagrangian dual     {best or float('nan'):11,.1f} (master "
              f"{master:11,.1f}; first value {first:11,.1f}) {len(rounds)} rounds "
              f"{t_cg:6.1f} s  load {os.getloadavg()[0]:.1f}", flush=True)
        ref = free.objective if free.objective is not None else float("nan")
        if best is not None:
            print(f"  dual below the capacity-free plan: {100 * (ref - best) / ref:5.2f} %; "
                  f"HiGHS bound at {args.root:.0f} s below it: "
                  f"{100 * (ref - (early.bound or 0)) / ref:5.2f} %", flush=True)


if __name__ == "__main__":
    main()
