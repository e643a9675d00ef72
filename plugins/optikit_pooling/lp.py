"""The two linear halves of the pooling problem, solved on any linear backend.

With the pool compositions ``q`` fixed, the pq model is an LP in the flows whose every
solution is exactly feasible (:func:`solve_flows`); with the pool outflows ``y`` fixed, it
is an LP in the compositions (:func:`solve_shares`).  The heuristic alternates them, the
global formulations use :func:`solve_flows` to turn a solver's point into clean flows, and
the marginal values come from its duals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearBackend, LinearResult, LinearSolver, QuadraticModel
from optikit.types import Backend, SolveContext
from optikit_pooling.model import PoolingProblem
from optikit_pooling.pq import Layout, Point, build, normalised_shares, split, used_binaries

#: Alternating rounds stop once a round gains less than this (relative).
ALTERNATE_STALL = 1e-4
#: SLP steps (and first trust region) that finish the multi-start's best point.
CLIMB_STEPS = 15
CLIMB_TRUST = 0.05
#: Seconds a clean-up LP may take even past the deadline (it is tiny next to the solve).
POLISH_FLOOR = 1.0



def polish_context(ctx: SolveContext) -> SolveContext:
    """The context for a clean-up LP or polishing steps after the main solve.

    Why a floor past the deadline: these LPs are tiny next to the solve and turn its point
    into checked flows, so they may use the command's grace.  Without a time limit they get
    none either: a run the user left unlimited must not have its repair cut at one second.
    """
    left = ctx.remaining()
    if left is None:
        return ctx.narrowed()
    return ctx.narrowed(max(left, POLISH_FLOOR), past_deadline=True)


@dataclass
class Evaluated:
    """A candidate with its exact profit and the LP that produced it."""

    point: Point
    profit: float
    model: QuadraticModel
    layout: Layout
    result: LinearResult


def linear_solver(backend: Backend, ctx: SolveContext) -> LinearSolver:
    """HiGHS when available (fast LPs), else the run's own backend (SCIP takes LPs too)."""
    found: Backend | None = ctx.backend_of("highs", LinearBackend)
    if found is None:
        other = ctx.backend("highs")
        found = other if other is not None and other.implements("linear") else None
    return cast(LinearSolver, found if found is not None else backend)


def solve_flows(
    problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
    q: NDArray[np.float64], fixed_binaries: dict[int, float] | None = None,
) -> Evaluated | None:
    """Best flows for the compositions ``q`` (made valid first); None if none exist."""
    shares = normalised_shares(problem, q)
    model, layout, _ = build(problem, "fix_q", q0=shares, fixed_binaries=fixed_binaries)
    result = solver.solve(model, ctx)
    if not result.status.has_solution or result.x is None or result.objective is None:
        return None
    point = split(layout, result.x)
    point.q = shares
    return Evaluated(point, float(result.objective), model, layout, result)


def solve_shares(
    problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext, y: NDArray[np.float64],
) -> Evaluated | None:
    """Best compositions (and direct flows) for the pool outflows ``y``."""
    model, layout, _ = build(problem, "fix_y", y0=y)
    result = solver.solve(model, ctx)
    if not result.status.has_solution or result.x is None or result.objective is None:
        return None
    return Evaluated(split(layout, result.x), float(result.objective), model, layout, result)


def improved(new: float, old: float, rel: float = 1e-7) -> bool:
    return new > old + rel * max(1.0, abs(old))


def alternate(
    problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext, q: NDArray[np.float64],
    max_rounds: int = 50,
) -> Evaluated | None:
    """Fix compositions -> flows, fix flows -> compositions, until profit stops rising."""
    current = solve_flows(problem, solver, ctx, q)
    if current is None:
        return None
    for _ in range(max_rounds):
        if ctx.expired():
            break
        shares = solve_shares(problem, solver, ctx, current.point.y)
        if shares is None:
            break
        candidate = solve_flows(problem, solver, ctx, shares.point.q)
        if candidate is None or not improved(candidate.profit, current.profit):
            break
        slow = not improved(candidate.profit, current.profit, ALTERNATE_STALL)
        current = candidate
        if slow:  # creeping: leave the last digits to the SLP climb
            break
    return current


def random_shares(problem: PoolingProblem, rng: np.random.Generator) -> NDArray[np.float64]:
    """Random valid compositions: Dirichlet weights per pool, fractions respected."""
    weights = rng.dirichlet(np.full(max(len(problem.il), 1), 0.5))[: len(problem.il)]
    return normalised_shares(problem, weights)


def start_shares(problem: PoolingProblem, start: int, vertices: int,
                 rng: np.random.Generator) -> NDArray[np.float64]:
    """Start 0: equal shares; starts 1..vertices: every pool fed by one input (its k-th,
    cyclically: the corners where pooling optima often lie); then random shares."""
    if start == 0:
        return normalised_shares(problem, np.ones(len(problem.il)))
    if start <= vertices:
        weights = np.zeros(len(problem.il))
        for pool in range(len(problem.pool_ids)):
            feeds = [n for n, a in enumerate(problem.il) if a.head == pool]
            if feeds:
                weights[feeds[(start - 1) % len(feeds)]] = 1.0
        return normalised_shares(problem, weights)
    return random_shares(problem, rng)


def multistart(
    problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext, *, starts: int,
    seed: int, budget: float | None,
) -> tuple[Evaluated | None, dict[str, float | int]]:
    """The best of ``starts`` alternating runs (see :func:`start_shares` for the starts)."""
    started = time.monotonic()
    sub = ctx.narrowed(budget)
    rng = np.random.default_rng(seed)
    feeds = max((sum(1 for a in problem.il if a.head == pool)
                 for pool in range(len(problem.pool_ids))), default=0)
    vertices = min(feeds, max(1, starts // 2))  # leave half the starts random
    best: Evaluated | None = None
    done = found_at = 0
    for start in range(starts):
        if sub.expired():
            break
        q = start_shares(problem, start, vertices, rng)
        result = alternate(problem, solver, sub, q)
        done += 1
        if result is not None and (best is None or improved(result.profit, best.profit)):
            best = result
            found_at = start
    if best is not None and not sub.expired():
        # Alternating LPs can stall short of a local optimum; a few SLP steps finish it.
        from optikit_pooling.slp import climb_from

        best, _ = climb_from(problem, solver, sub, best, CLIMB_STEPS, trust=CLIMB_TRUST)
    stats: dict[str, float | int] = {
        "heuristic_starts": done,
        "heuristic_best_start": found_at,
        "heuristic_time_s": round(time.monotonic() - started, 6),
    }
    return best, stats


def with_duals(
    problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext, final: Evaluated,
) -> Evaluated:
    """``final`` re-solved as a pure LP (on/off decisions fixed) so that it has duals."""
    if not final.model.is_mip:
        return final
    again = solve_flows(problem, solver, ctx, final.point.q, used_binaries(problem, final.point))
    return again if again is not None else final
