"""Where the gap of the 100 x 52 x 3 instance sits: the plan or the bound, made or bought items.

    .venv/bin/python benchmarks/lot-sizing/scale_gap.py                  # 60 s per sub-MILP
    .venv/bin/python benchmarks/lot-sizing/scale_gap.py --limit 30 --long 420
    .venv/bin/python benchmarks/lot-sizing/scale_gap.py --limit 1 --long 150 --threads 1 \
        --trace --relax capacity

For ``generate lot-sizing --size large --seed 1`` (``--seed``) it prints, on the plain
(``bigm``) model with HiGHS:

- the constructed start plan (:mod:`optikit_lotsizing.construct`) and its cost by kind and
  level of the bill of materials (setups, holding, purchases, order costs, overtime);
- the plain LP relaxation;
- two restricted MILPs around that plan (:mod:`optikit_lotsizing.windows`): the *bought*
  items free (every order and the stock of the items without a routing, the production
  fixed at the plan), and the *made* items free (the rest, the orders fixed).  Each
  gives a better plan, if there is one, and the dual bound of its part: a bound far
  below a plan the solver cannot improve says the weak side is the bound of that part;
- with ``--long T``: the whole MILP for ``T`` seconds from the plan (the solver's
  objective and dual bound at the end; ``--trace`` prints the bound as HiGHS's log
  moves it, with the seconds);
- with ``--relax PART`` (several allowed) the ``--long`` MILP is a relaxation of the
  instance, so its bound is a bound of the instance too: ``capacity`` drops the capacity
  rows (setup times and overtime no longer bind), ``orders`` makes the order binaries and
  lot counts of the purchases continuous, ``setups`` the setups.  A relaxation whose
  bound keeps pace with the whole MILP's says that part adds nothing to the bound.

The restricted bounds are bounds of the restricted problems only (the other side held at
the plan), not of the instance: they locate the weakness, they are not answers.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from optikit_highs.backend import HighsBackend
from optikit_lotsizing.construct import depths
from optikit_lotsizing.cuts import relaxation
from optikit_lotsizing.generator import generate
from optikit_lotsizing.heuristic import constructive
from optikit_lotsizing.linear import LotModel, build
from optikit_lotsizing.model import LotSizingProblem, parse
from optikit_lotsizing.windows import restricted

from optikit.paradigms import LinearModel, LinearResult
from optikit.types import SolveContext, SolveOptions


def _columns(cols: NDArray[np.int64]) -> NDArray[np.int64]:
    return cols[cols >= 0]


def bought_columns(problem: LotSizingProblem, lm: LotModel) -> NDArray[np.bool_]:
    """Every order column, and the stock of the items without a routing."""
    free = np.zeros(lm.model.num_cols, dtype=bool)
    for order in lm.orders:
        free[order.q] = True
        free[order.w] = True
        if order.count >= 0:
            free[order.count] = True
    free[_columns(lm.stock[~problem.produced].ravel())] = True
    return free


def breakdown(problem: LotSizingProblem, lm: LotModel, x: NDArray[np.float64]) -> None:
    """The plan's cost by kind, per level of the bill of materials (0: end items)."""
    cost = lm.model.c * x
    level = depths(problem)
    for depth in np.unique(level):
        items = np.flatnonzero(level == depth)
        setups = cost[_columns(lm.y[items].ravel())].sum()
        holding = cost[_columns(lm.stock[items].ravel())].sum()
        print(f"  level {depth} ({items.size} items): setups {setups:12,.0f}  "
              f"holding {holding:12,.0f}")
    bought = sum(float(cost[o.q].sum()) for o in lm.orders)
    fixed = sum(float(cost[o.w].sum()) for o in lm.orders)
    overtime = cost[_columns(lm.overtime.ravel())].sum()
    print(f"  purchases {bought:12,.0f}  order costs {fixed:12,.0f}  overtime {overtime:12,.0f}")


def _solve(model: LinearModel, limit: float, threads: int, trace: bool = False
           ) -> tuple[LinearResult, float]:
    lines: list[str] = []
    ctx = SolveContext(SolveOptions(time_limit=limit, threads=threads, seed=0, verbose=trace),
                       log=_live_trace() if trace else lines.append)
    started = time.monotonic()
    result = HighsBackend().solve(model, ctx)
    return result, time.monotonic() - started


def _live_trace() -> Callable[[str], None]:
    """A log callback printing HiGHS's progress as ``seconds: bound`` whenever the bound
    moved, as it comes (a run stopped from outside keeps what it printed)."""
    last: list[float] = []

    def log(line: str) -> None:
        fields = line.split()
        # [source] nodes queue leaves explored% bound plan gap% cuts inlp confl iters time
        if len(fields) not in (12, 13) or not fields[-1].endswith("s"):
            return
        try:
            seconds, bound = float(fields[-1][:-1]), float(fields[-8])
        except ValueError:
            return
        if not last or bound != last[0]:
            print(f"    {seconds:7.1f} s  bound {bound:12,.0f}  nodes {fields[-12]}  "
                  f"plan {fields[-7]}; load {os.getloadavg()[0]:.1f}", flush=True)
            last[:] = [bound]

    return log


def _print_trace(lines: list[str]) -> None:
    """HiGHS's progress lines as ``seconds: bound`` whenever the bound moved."""
    log = _live_trace()
    for line in lines:
        log(line)


def relaxed_model(lm: LotModel, parts: list[str]) -> LinearModel:
    """The whole model with the named parts relaxed (see the module docstring)."""
    model = lm.model
    integer, lower, upper = model.integer.copy(), model.row_lower.copy(), model.row_upper.copy()
    if "capacity" in parts:
        names = model.row_names or []
        rows = np.array([name.startswith("capacity:") for name in names], dtype=bool)
        lower[rows], upper[rows] = -np.inf, np.inf
    if "orders" in parts:
        for order in lm.orders:
            integer[order.w] = False
            if order.count >= 0:
                integer[order.count] = False
    if "setups" in parts:
        integer[_columns(lm.y.ravel())] = False
    return dataclasses.replace(model, integer=integer, row_lower=lower, row_upper=upper)


def _line(label: str, result: LinearResult, seconds: float, plan: float) -> None:
    objective = result.objective if result.objective is not None else float("nan")
    bound = result.bound if result.bound is not None else float("nan")
    print(f"{label:28} plan {objective:12,.0f} ({objective - plan:+10,.0f})  bound "
          f"{bound:12,.0f}  gap {100 * (objective - bound) / objective:6.2f} %  "
          f"{seconds:6.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per sub-MILP")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--long", type=float, default=0.0,
                        help="also run the whole MILP from the plan for this many seconds")
    parser.add_argument("--trace", action="store_true",
                        help="print the --long MILP's bound as it moves")
    parser.add_argument("--relax", nargs="*", default=[],
                        choices=["capacity", "orders", "setups"],
                        help="relax these parts in the --long MILP (its bound stays valid)")
    args = parser.parse_args()
    problem = parse(generate(args.seed, "large"))
    lm = build(problem, strong=False)
    model = lm.model
    print(f"generated large seed {args.seed}: {model.num_cols} columns, {model.num_rows} rows; "
          f"load {os.getloadavg()[0]:.1f}")
    start = constructive(problem, lm)
    if start is None or start.x is None or start.objective is None:
        raise SystemExit("no constructed plan")
    plan = start.objective
    print(f"constructed plan {plan:,.0f}")
    breakdown(problem, lm, start.x)
    relaxed, seconds = _solve(relaxation(model), args.limit, args.threads)
    print(f"{'plain LP':28} bound {relaxed.objective or float('nan'):12,.0f}  {seconds:6.1f} s")
    bought = bought_columns(problem, lm)
    for label, free in (("bought items free", bought), ("made items free", ~bought)):
        window = restricted(model, free, start.x)
        result, seconds = _solve(window.model.with_hint(start.x[window.cols]), args.limit,
                                 args.threads)
        _line(f"{label} ({int(free.sum())} cols)", result, seconds, plan)
    if args.long > 0:
        whole = relaxed_model(lm, args.relax)
        label = f"MILP, {', '.join(args.relax)} relaxed" if args.relax else "whole MILP"
        print(f"{label}, {args.long:.0f} s:")
        result, seconds = _solve(whole.with_hint(start.x), args.long, args.threads, args.trace)
        _line(label, result, seconds, plan)
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
