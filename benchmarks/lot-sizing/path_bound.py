"""The path facility-location rows (:mod:`optikit_lotsizing.paths`): LP and MILP bounds
with and without them.

    PYTHONPATH=$PWD:$PWD/plugins:$PWD/benchmarks/lot-sizing .venv/bin/python \
        benchmarks/lot-sizing/path_bound.py --shape 4,4,2 --periods 13 --seed 1 --milp 60

Without ``--shape``: generated ``large`` of ``--seed`` (``--tiny``: ``tiny``).  Prints
the LP of the plain model, of the facility-location model (``fl-extended``), of each with
the path rows, and with ``--milp T`` the MILPs of ``--models`` (the plain model, with the
path rows, ``fl-extended``) for ``T`` seconds each (1 thread unless ``--threads``;
``--trace``: the bound as HiGHS moves it).
"""

from __future__ import annotations

import argparse
import os
import time

from optikit_highs.backend import HighsBackend
from optikit_lotsizing.cuts import relaxation
from optikit_lotsizing.generator import generate, generate_structured
from optikit_lotsizing.linear import build
from optikit_lotsizing.model import parse
from optikit_lotsizing.paths import add_path_rows
from scale_gap import _print_trace

from optikit.paradigms import LinearModel
from optikit.types import SolveContext, SolveOptions


def _solve(model: LinearModel, limit: float | None, threads: int, trace: bool):
    lines: list[str] = []
    ctx = SolveContext(SolveOptions(time_limit=limit, threads=threads, seed=0, verbose=trace),
                       log=lines.append)
    began = time.monotonic()
    result = HighsBackend().solve(model, ctx)
    if trace:
        _print_trace(lines)
    return result, time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", default=None)
    parser.add_argument("--periods", type=int, default=13)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--milp", type=float, default=0.0)
    parser.add_argument("--models", default="plain,paths",
                        help="the MILPs of --milp: plain, paths (plain + path rows), fl "
                        "(fl-extended), comma-separated")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-fl", action="store_true", help="no fl-extended LPs")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.tiny:
        doc = generate(args.seed, "tiny")
    elif args.shape:
        e, s, r = (int(v) for v in args.shape.split(","))
        doc = generate_structured(args.seed, args.periods, e, s, r)
    else:
        doc = generate(args.seed, "large")
    problem = parse(doc)
    print(f"{doc['name']}; load {os.getloadavg()[0]:.1f}", flush=True)
    kinds = [(False, False), (False, True)] + ([] if args.skip_fl else [(True, False),
                                                                          (True, True)])
    for strong, path in kinds:
        lm = build(problem, strong)
        added = add_path_rows(problem, lm) if path else 0
        res, sec = _solve(relaxation(lm.model), None, args.threads, False)
        print(f"LP {'fl' if strong else 'plain'}{' + paths' if path else ''}: "
              f"{res.objective:,.1f} ({lm.model.num_cols:,} cols, {lm.model.num_rows:,} rows, "
              f"{added:,} w) {sec:.1f} s; load {os.getloadavg()[0]:.1f}", flush=True)
    if args.milp > 0:
        for kind in args.models.split(","):
            lm = build(problem, kind == "fl")
            if kind == "paths":
                add_path_rows(problem, lm)
            res, sec = _solve(lm.model, args.milp, args.threads, args.trace)
            print(f"MILP {kind}: {res.status.value} plan "
                  f"{res.objective} bound {res.bound} {sec:.1f} s; load "
                  f"{os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
