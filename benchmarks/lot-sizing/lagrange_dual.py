"""How high the product-structure Lagrangian can go: its dual by column generation.

    PYTHONPATH=$PWD:$PWD/plugins .venv/bin/python benchmarks/lot-sizing/lagrange_dual.py \
        --size large --seed 1 --limit 600

The subgradient of :mod:`optikit_lotsizing.lagrange` moves slowly; this finds the same
relaxation's best value (the Lagrangian dual) by Dantzig-Wolfe column generation: a master
LP over the subproblems' solutions (one convexity row per subproblem, the copies' setups
under the item's own ``Y``, the shares of the initial stocks, the bought items' use), its
duals as the multipliers, each round's subproblem solutions as new columns.  Every round
prints the Lagrangian value at the master's duals (a valid lower bound of the instance)
and the master's value (an upper estimate of the dual; they meet at convergence).  The
next multipliers are smoothed (Wentges): ``--smoothing`` of the best point so far, the rest
the master's duals (the bare duals swung to the artificial slacks' penalty and made the
subproblems 8x slower).
The master is an LP in ``highspy`` directly (a benchmark, not a formulation).
"""

from __future__ import annotations

import argparse
import os
import time

import highspy
import numpy as np
from optikit_highs.backend import HighsBackend
from optikit_lotsizing import lagrange
from optikit_lotsizing.generator import generate
from optikit_lotsizing.model import parse

from optikit.types import SolveContext, SolveOptions

PENALTY = 20.0  # per unit of an equality row's artificial slack: caps |nu| and |pi| (bought
# units cost 1-3.3 on the generated instances; 1e5 gave duals of 1e5 and values of -7e11)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=float, default=600.0)
    parser.add_argument("--penalty", type=float, default=PENALTY)
    parser.add_argument("--spot", type=float, default=1.5,
                        help="cost of the bought items' artificial slack, times the "
                        "highest price (caps pi)")
    parser.add_argument("--sub-limit", type=float, default=3.0,
                        help="seconds per subproblem MILP (its dual bound counts; its "
                        "plan is a column whatever its gap)")
    parser.add_argument("--smoothing", type=float, default=0.8,
                        help="weight of the best multipliers so far in the next point")
    args = parser.parse_args()
    problem = parse(generate(args.seed, args.size))
    lag = lagrange.build(problem)
    assert lag is not None
    periods = problem.periods
    buy = problem.purchased & ~problem.produced
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    rows = 0

    def add_rows(count: int, lower: float | np.ndarray, upper: float | np.ndarray) -> int:
        nonlocal rows
        lo = np.broadcast_to(np.asarray(lower, dtype=float), (count,))
        hi = np.broadcast_to(np.asarray(upper, dtype=float), (count,))
        for k in range(count):
            h.addRow(float(lo[k]), float(hi[k]), 0, np.zeros(0, np.int32), np.zeros(0))
        first, rows = rows, rows + count
        return first

    blocks = len(lag.subtrees) + len(lag.boughts)
    convex = add_rows(blocks, 1.0, 1.0)
    link: dict[tuple[int, int, int], int] = {}  # (tree, copy, t) -> row
    for k, tree in enumerate(lag.subtrees):
        for a, j in enumerate(tree.items):
            if lag.shared(j):
                for t in np.flatnonzero(tree.y[a] >= 0):
                    link[(k, a, int(t))] = add_rows(1, -inf, 0.0)
    # the shares and the bought items' use as "at most" rows (a relaxation of the
    # equalities, multipliers >= 0): the first round's columns nearly satisfy them, so
    # the artificial slacks' penalty does not set the first duals
    shares = {j: add_rows(1, -inf, float(problem.initial[j]))
              for j in map(int, np.flatnonzero((lag.copies > 1) & (problem.initial > 0)))}
    use = {(r, t): add_rows(1, -inf, 0.0) for r in map(int, np.flatnonzero(buy))
           for t in range(periods)}
    # the items' own setups Y[j, t] and the artificial slacks of the equality rows
    own: dict[tuple[int, int], list[int]] = {}
    for (k, a, t), row in link.items():
        own.setdefault((lag.subtrees[k].items[a], t), []).append(row)
    for (j, _), linked in own.items():
        h.addCol(float(problem.setup_cost[j]), 0.0, 1.0, len(linked),
                 np.array(linked, np.int32), -np.ones(len(linked)))
    for row in shares.values():
        h.addCol(args.penalty, 0.0, inf, 1, np.array([row], np.int32), np.array([-1.0]))
    top = max(float(np.max(s.break_price)) for s in problem.sources) if problem.sources else 0
    for row in use.values():  # a "spot purchase" above every price
        h.addCol(args.spot * top, 0.0, inf, 1, np.array([row], np.int32), np.array([-1.0]))
    backend = HighsBackend()
    ctx = SolveContext(SolveOptions(time_limit=args.limit + 60, threads=1, seed=0))
    best, began = None, time.monotonic()
    centre = (list(lag.mu), lag.nu.copy(), lag.pi.copy())
    for rnd in range(1000):
        ev = lagrange.evaluate(lag, backend, ctx, lambda: args.sub_limit)
        assert ev is not None
        if best is None or ev.value > best:
            best, centre = ev.value, ([m.copy() for m in lag.mu], lag.nu.copy(), lag.pi.copy())
        for k, tree in enumerate(lag.subtrees):
            x = lag.last[k]
            cost = float(tree.model.c @ x)
            idx, val = [convex + k], [1.0]
            for a, j in enumerate(tree.items):
                ok = tree.y[a] >= 0
                if not lag.shared(j):
                    cost += float(problem.setup_cost[j] * x[tree.y[a, ok]].sum())
                else:
                    for t in np.flatnonzero(ok):
                        if x[tree.y[a, t]] > 1e-9:
                            idx.append(link[(k, a, int(t))])
                            val.append(float(x[tree.y[a, t]]))
                if tree.u[a] >= 0 and x[tree.u[a]] > 1e-9:
                    idx.append(shares[j])
                    val.append(float(x[tree.u[a]]))
                made = np.zeros(periods)
                made[ok] = x[tree.x[a, ok]]
                for r in np.flatnonzero(buy & (problem.bom[:, j] > 0)):
                    for t in np.flatnonzero(made > 1e-9):
                        idx.append(use[(int(r), int(t))])
                        val.append(float(problem.bom[r, j] * made[t]))
            merged: dict[int, float] = {}
            for i, v in zip(idx, val, strict=True):
                merged[i] = merged.get(i, 0.0) + v
            h.addCol(cost, 0.0, inf, len(merged), np.array(list(merged), np.int32),
                     np.array(list(merged.values())))
        for b, part in enumerate(lag.boughts):
            x = lag.last[len(lag.subtrees) + b]
            idx, val = [convex + len(lag.subtrees) + b], [1.0]
            for t in range(periods):
                if x[part.c[t]] > 1e-9:
                    idx.append(use[(part.item, t)])
                    val.append(-float(x[part.c[t]]))
            h.addCol(float(part.model.c @ x), 0.0, inf, len(idx), np.array(idx, np.int32),
                     np.array(val))
        h.run()
        master = h.getInfo().objective_function_value
        dual = np.asarray(h.getSolution().row_dual)
        print(f"round {rnd} {time.monotonic() - began:6.1f} s  Lagrangian {ev.value:12,.0f}  "
              f"best {best:12,.0f}  master {master:12,.0f}  load {os.getloadavg()[0]:.1f}",
              flush=True)
        if time.monotonic() - began > args.limit or master - best <= 1e-4 * abs(master):
            break
        for k, tree in enumerate(lag.subtrees):
            for a, _ in enumerate(tree.items):
                for t in range(periods):
                    row = link.get((k, a, t))
                    if row is not None:
                        lag.mu[k][a, t] = max(0.0, -dual[row])
        for j, row in shares.items():
            lag.nu[j] = max(0.0, -dual[row])
        for (r, t), row in use.items():
            lag.pi[r, t] = max(0.0, -dual[row])
        # Wentges smoothing: the next point between the best one and the master's duals
        a = args.smoothing
        lag.mu = [a * c + (1 - a) * m for c, m in zip(centre[0], lag.mu, strict=True)]
        lag.nu = a * centre[1] + (1 - a) * lag.nu
        lag.pi = a * centre[2] + (1 - a) * lag.pi


if __name__ == "__main__":
    main()
