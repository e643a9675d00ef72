"""Formulation ``mccormick`` over several periods: a certified bound without SCIP.

The source model (:mod:`optikit_pooling.mp_model`) with every ``v = q s`` and ``w = q y``
enclosed in piecewise McCormick envelopes (``segments`` pieces per tank share and period)
is a MILP relaxation: on HiGHS or CBC its proven bound (also when stopped at the limit:
the solver's dual bound) is a certified upper bound on the profit.  The repair: the flow
LP with every tank's shares held at the MILP's (else at the shares its flows imply), SLP
steps from there, and (after the first round) optikit's multi-period heuristic; the
checker has the last word.  While bound and answer do not meet, each round narrows the
pieces around the answer's shares and the MILP's (adaptive partitioning: every round's
MILP is a relaxation, the least bound holds) and solves again.  The answer is ``optimal``
only when it meets the bound within the gap.
"""

from __future__ import annotations

import time
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearSolver, relative_gap
from optikit.types import Backend, Outcome, SolveContext, Status
from optikit_pooling.lp import improved, polish_context
from optikit_pooling.model import PoolingProblem
from optikit_pooling.mp_flows import Candidate, Shares, shares_of
from optikit_pooling.mp_heuristic import START_STEPS, climb, evaluate, multistart
from optikit_pooling.mp_model import Columns, Linearised, build, sources, tank_sizes
from optikit_pooling.mp_solve import Final, conclude, require_sized
from optikit_pooling.piecewise import refine, uniform

#: Share of the time left that one round's MILP may take; the rest repairs its point.
RELAXATION_SHARE = 0.6
#: Share of the time left for optikit's multi-period heuristic after the first round (all
#: of it when that round's MILP stopped at its limit: no round follows).
HEURISTIC_SHARE = 0.3
#: Most rounds of refinement (without a time limit the loop ends here).
MAX_ROUNDS = 12
#: Each round narrows the piece around the answer's share (and the MILP's) this many times.
REFINE_RATIO = 100.0

Edges = dict[tuple[int, int, int], NDArray[np.float64]]


def inexact(problem: PoolingProblem, cols: Columns, x: NDArray[np.float64]) -> set[
        tuple[int, int, int]]:
    """The shares (pool, source position, period) whose products with the tank's stock
    and discharges the MILP point gets wrong (beyond a relative 1e-7 of the tank size)."""
    size = tank_sizes(problem)
    out: set[tuple[int, int, int]] = set()
    for pool, row in enumerate(sources(problem)):
        outs = [m for m, a in enumerate(problem.lj) if a.tail == pool]
        for t in range(cast(Any, problem.periods).count):
            q = x[cols.extra[f"q{pool}.{t}"]]
            amounts = np.array([x[cols.s[pool, t]], *(x[cols.y[m, t]] for m in outs)])
            held = np.vstack([x[cols.extra[f"v{pool}.{t}"]], x[cols.extra[f"w{pool}.{t}"]]])
            error = np.abs(held - np.outer(amounts, q)).sum(axis=0)
            tol = 1e-7 * max(1.0, float(size[pool]))
            out.update((pool, pos, t) for pos in range(len(row)) if error[pos] > tol)
    return out


def _refined(edges: Edges, keys: set[tuple[int, int, int]], *points: Shares) -> Edges:
    """The breakpoints of the shares ``keys`` refined around their value in each of
    ``points``; the other shares' kept."""
    out = dict(edges)
    for point in points:
        for key in keys & point.keys():
            out[key] = refine(out[key], float(point[key]), REFINE_RATIO)
    return out


def _better(best: Candidate | None, found: Candidate | None) -> Candidate | None:
    if found is not None and (best is None or improved(found.profit, best.profit)):
        return found
    return best


def solve_periods_mccormick(problem: PoolingProblem, backend: Backend,
                            ctx: SolveContext) -> Outcome:
    """Certified bound from the piecewise MILP, repaired into a checked answer; while the
    two do not meet and time is left, the pieces are narrowed around the answer's shares
    and the MILP's (adaptive partitioning) and the MILP solved again."""
    require_sized(problem)
    solver = cast(LinearSolver, backend)
    segments = int(ctx.option("segments"))
    per = cast(Any, problem.periods)
    edges: Edges = {(pool, pos, t): uniform(1.0, segments)
                    for pool, row in enumerate(sources(problem)) for pos in range(len(row))
                    for t in range(per.count)}
    stats: dict[str, Any] = {"segments": segments, "periods": per.count}
    bound: float | None = None
    best: Candidate | None = None
    message = ""
    started = time.monotonic()
    for rounds in range(1, MAX_ROUNDS + 1):
        model, cols = build(problem, "source", linear=Linearised("piecewise", edges=edges))
        stats.update({"columns": model.num_cols, "rows": model.num_rows,
                      "binaries": int(np.count_nonzero(model.integer)), "rounds": rounds})
        remaining = ctx.remaining()
        clock = time.monotonic()
        result = solver.solve(model, ctx.narrowed(
            None if remaining is None else RELAXATION_SHARE * remaining))
        stats.setdefault("round_times_s", []).append(round(time.monotonic() - clock, 3))
        stats.update({f"solver_{k}": v for k, v in result.stats.items()})
        stats.setdefault("round_bounds", []).append(result.bound)
        if result.status is Status.INFEASIBLE:
            return Outcome(Status.INFEASIBLE, stats=stats,
                           message="the McCormick relaxation is infeasible, so is the problem")
        if result.status.has_solution and result.bound is not None and np.isfinite(
                result.bound) and (bound is None or result.bound < bound):
            bound = float(result.bound)
            stats["milp_bound"] = bound
            ctx.report(None if best is None else best.profit, bound, "mccormick")
        message = "" if result.status is Status.OPTIMAL else f"relaxation: {result.message}"
        point: Shares = {}
        wrong: set[tuple[int, int, int]] = set()
        if result.status.has_solution and result.x is not None:
            x = np.asarray(result.x, dtype=np.float64)
            point, wrong = shares_of(problem, cols, x), inexact(problem, cols, x)
            best = _repair(problem, solver, ctx, cols, x, best, stats)
        gap = relative_gap(None if best is None else best.profit, bound)
        if rounds == 1 and not ctx.expired() and (gap is None or gap > ctx.options.gap):
            left = ctx.remaining()
            if left is not None and result.status is Status.OPTIMAL:
                left *= HEURISTIC_SHARE  # keep time for the next rounds
            found, more = multistart(problem, solver, ctx, starts=int(ctx.option("starts")),
                                     seed=ctx.options.seed, budget=left)
            stats.update(more)
            best = _better(best, found)
        gap = relative_gap(None if best is None else best.profit, bound)
        if (gap is not None and gap <= ctx.options.gap) or result.status is not (
                Status.OPTIMAL) or ctx.expired() or best is None:
            break
        if not wrong:
            break  # the MILP point is exact: nothing to refine (numerical leftovers)
        edges = _refined(edges, wrong, shares_of(problem, best.cols, best.x), point)
    stats["mccormick_time_s"] = round(time.monotonic() - started, 6)
    final = None if best is None else Final(best.flows, best.profit, best)
    return conclude(problem, solver, ctx, final, bound, stats, "mccormick", Status.UNKNOWN,
                    message)


def _repair(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext, cols: Columns,
            x: NDArray[np.float64], best: Candidate | None,
            stats: dict[str, Any]) -> Candidate | None:
    """The repair LP at the MILP point's shares, then SLP steps; the better answer."""
    sub = polish_context(ctx)
    found = evaluate(problem, solver, sub, cols, x)
    if found is None:
        return best
    stats["repair_profit"] = max(found.profit, stats.get("repair_profit", -np.inf))
    found, _ = climb(problem, solver, sub, found, START_STEPS)
    best = _better(best, found)
    if best is not None:
        ctx.report(best.profit, stats.get("milp_bound"), "mccormick-repair")
    return best
