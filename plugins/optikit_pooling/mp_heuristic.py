"""Optikit's primal heuristic over several periods: starts, then SLP on the source model.

Alternating LPs (fix shares, solve flows; fix flows, solve shares) do not work over
several periods: with a tank's opening-stock share fixed, its content is fixed too
(stock / share), and with its flows fixed so is the content, so neither half can move
it.  Successive LP moves shares and flows together: the source model with ``v = q s`` and
``w = q y`` linearised at the current point, shares within a trust region; the new shares
are evaluated exactly by the flow LP and the checker.  Starts: the McCormick relaxation's
shares (and the shares its flows imply), the tanks holding their opening stock, equal
shares, each tank fed by one input, random shares.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearSolver
from optikit.types import SolveContext, Status
from optikit_pooling.lp import improved
from optikit_pooling.model import PoolingProblem
from optikit_pooling.mp_flows import (
    Candidate,
    Shares,
    flow_lp,
    flows_of,
    replayed_shares,
    shares_of,
)
from optikit_pooling.mp_model import Columns, Linearised, build, sources, tank_sizes
from optikit_pooling.trust import FIRST_TRUST, trust_climb

#: SLP steps from each start of the multi-start (the best one climbs on to convergence).
START_STEPS = 12
#: SLP steps from the McCormick relaxation's point.
WANDER_STEPS = 15
#: Named starts before the random ones (see :func:`start_shares`); ``starts`` counts both.
NAMED_STARTS = ("stock", "uniform", "first")


def start_shares(problem: PoolingProblem, how: str, rng: np.random.Generator, *,
                 fill: float = 0.8, keep: float = 0.5) -> Shares:
    """Shares per tank and period from a receipt mix ``how``: ``stock`` (receive nothing:
    hold and sell the opening stock), ``uniform`` (equal shares of its inputs), ``first``
    (its first input), ``vertexN`` (its N-th input), ``random`` (Dirichlet weights).

    A tank's opening-stock share fixes its content (stock / share), so the start fills
    it to ``fill`` of its size in the first period, and in each later period keeps
    ``keep`` of the content from before and tops up with the receipt mix.
    """
    per = problem.periods
    assert per is not None
    size = tank_sizes(problem)
    out: Shares = {}
    for pool, row in enumerate(sources(problem)):
        mix = per.initial_mix[pool]
        stock = np.array([per.initial[pool] * (mix.get(src, 0.0) if mix else float(src == -1))
                          for src, _ in row])
        fed = [pos for pos, (src, _) in enumerate(row)
               if any(a.tail == src and a.head == pool for a in problem.il)]
        weights = np.zeros(len(row))
        if fed and how.startswith("vertex"):
            weights[fed[int(how[6:]) % len(fed)]] = 1.0
        elif fed and how == "first":
            weights[fed[0]] = 1.0
        elif fed and how == "random":
            weights[fed] = rng.dirichlet(np.full(len(fed), 0.5))
        elif fed:
            weights[fed] = 1.0 / len(fed)
        held = float(stock.sum())
        if how == "stock" or not fed:
            q = stock / held if held > 0 else np.full(len(row), 1.0 / max(len(row), 1))
            rest = keep_all = 1.0
        else:
            content = max(held, fill * float(size[pool]))
            q = stock / content + (1.0 - held / content) * weights
            rest, keep_all = keep, 0.0
        for t in range(per.count):
            if t:
                q = rest * q + (1.0 - rest) * (weights if not keep_all else q)
            out.update({(pool, pos, t): float(q[pos]) for pos in range(len(row))})
    return out


def relaxation_point(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
                     ) -> tuple[NDArray[np.float64] | None, float | None]:
    """The McCormick LP relaxation's point (same columns as the source model) and, when
    it was solved to optimality, its proven bound on the global optimum."""
    model, _ = build(problem, "source", linear=Linearised("mccormick"))
    # HiGHS's simplex needs 20 s on a large:3 relaxation (degenerate), its interior point
    # method 4 s; other backends ignore the option.
    ipm = ctx.narrowed(extra={**ctx.options.extra, "highs.solver": "ipm"})
    result = solver.solve(model, ipm)
    if not result.status.has_solution or result.x is None:
        return None, None
    bound = result.bound if result.bound is not None else result.objective
    if result.status is not Status.OPTIMAL or bound is None or not np.isfinite(bound):
        bound = None
    return np.asarray(result.x, dtype=np.float64), bound


def evaluate(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
             cols: Columns, x: NDArray[np.float64]) -> Candidate | None:
    """A model point's shares evaluated exactly: its share columns, else the shares its
    flows imply (consistent with its contents where its share columns are not)."""
    best = flow_lp(problem, solver, ctx, shares_of(problem, cols, x))
    if best is None:
        best = flow_lp(problem, solver, ctx, replayed_shares(problem, flows_of(problem, cols, x)))
    return best


def wander(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
           x: NDArray[np.float64], steps: int) -> Candidate | None:
    """SLP from an infeasible point (the relaxation's): the point itself evaluated, then
    each step linearises around the last step's point with a shrinking trust region (a
    step that admits nothing widens it again), so the points drift towards ones where the
    linearisation is exact; the best checked evaluation is kept."""
    _, cols = build(problem, "source", linear=Linearised("mccormick"))
    best = evaluate(problem, solver, ctx, cols, x)
    trust = 1.0
    for _ in range(steps):
        if ctx.expired():
            break
        model, cols = build(problem, "source", linear=Linearised("taylor", x, trust))
        result = solver.solve(model, ctx)
        if not result.status.has_solution or result.x is None:
            if trust >= 1.0:
                break
            trust = 1.0
            continue
        x = np.asarray(result.x, dtype=np.float64)
        found = evaluate(problem, solver, ctx, cols, x)
        if found is not None and (best is None or improved(found.profit, best.profit)):
            best = found
        trust *= 0.6
    return best


def step(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
         current: Candidate, trust: float) -> Candidate | None:
    """One SLP step: the linearised model around ``current``, its shares evaluated."""
    model, cols = build(problem, "source", linear=Linearised("taylor", current.x, trust))
    result = solver.solve(model, ctx)
    if not result.status.has_solution or result.x is None:
        return None
    return evaluate(problem, solver, ctx, cols, np.asarray(result.x, dtype=np.float64))


def climb(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
          current: Candidate, iterations: int, *, trust: float = FIRST_TRUST,
          report: bool = False) -> tuple[Candidate, dict[str, Any]]:
    """SLP steps from ``current`` until the trust region collapses: a local optimum."""
    def one(point: Candidate, region: float) -> Candidate | None:
        return step(problem, solver, ctx, point, region)

    def hook(point: Candidate) -> None:
        ctx.report(point.profit, None, "slp")

    return trust_climb(ctx, current, iterations, trust, one, hook if report else None)


def first_feasible(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
                   how: str, seed: int, tries: int) -> tuple[Candidate | None, int]:
    """The flow LP at the ``how`` start; else with the tanks holding their opening stock
    (buy nothing: often feasible); else at random shares until one admits flows."""
    rng = np.random.default_rng(seed)
    found = flow_lp(problem, solver, ctx, start_shares(problem, how, rng))
    done = 1
    if found is None and how != "stock":
        found = flow_lp(problem, solver, ctx, start_shares(problem, "stock", rng))
        done += 1
    while found is None and done < tries and not ctx.expired():
        found = flow_lp(problem, solver, ctx, start_shares(problem, "random", rng))
        done += 1
    return found, done


def multistart(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext, *,
               starts: int, seed: int, budget: float | None,
               ) -> tuple[Candidate | None, dict[str, Any]]:
    """The best checked point of a few SLP runs from different starts (module docstring)."""
    started = time.monotonic()
    sub = ctx.narrowed(budget)
    rng = np.random.default_rng(seed)
    # One LP first: the tanks holding their opening stock is often feasible, so even a
    # large document has a checked point before the (slower) relaxation.
    held = flow_lp(problem, solver, sub, start_shares(problem, "stock", rng))
    relaxed, bound = relaxation_point(problem, solver, sub)
    best = None if relaxed is None else wander(problem, solver, sub, relaxed, WANDER_STEPS)
    wandered = None if best is None else best.profit
    if best is not None:
        best, _ = climb(problem, solver, sub, best, START_STEPS)
    if held is not None and (best is None or improved(held.profit, best.profit)):
        best = held
    firsts = [start_shares(problem, how, rng) for how in NAMED_STARTS]
    firsts += [start_shares(problem, f"vertex{k}", rng) for k in range(1, 4)]
    firsts += [start_shares(problem, "uniform", rng, fill=0.4, keep=0.7)]
    done = feasible = 0
    found_at = -1
    for n in range(starts):
        if sub.expired():
            break
        shares = firsts[n] if n < len(firsts) else start_shares(problem, "random", rng)
        done += 1
        found = flow_lp(problem, solver, sub, shares)
        if found is None:
            continue
        feasible += 1
        found, _ = climb(problem, solver, sub, found, START_STEPS)
        if best is None or improved(found.profit, best.profit):
            best, found_at = found, n
    climbed: dict[str, Any] = {}
    if best is not None and not sub.expired():
        best, climbed = climb(problem, solver, sub, best, 200, trust=0.05)
    return best, {"relaxation_bound": bound, "heuristic_relaxation_profit": wandered,
                  "heuristic_starts": done, "heuristic_feasible_starts": feasible,
                  "heuristic_best_start": found_at,
                  "heuristic_final_steps": climbed.get("slp_iterations", 0),
                  "heuristic_time_s": round(time.monotonic() - started, 6)}
