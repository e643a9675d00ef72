"""Formulation ``slp``: successive linear programming, as refinery LP tools do.

From one start, each iteration solves the pq model with ``v = q*y`` linearised at the
current point (``v = q0*y + y0*q - q0*y0``) and the compositions held within a trust
region, then evaluates the new compositions exactly with the flow LP.  A better profit is
accepted and the region widened; otherwise the region shrinks.  It stops at a local
optimum: the answer is ``feasible``, never ``optimal``, and no bound is claimed.  Several
periods: :mod:`optikit_pooling.mp_slp`.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearSolver
from optikit.types import Backend, Outcome, SolveContext, Status
from optikit_pooling.lp import Evaluated, solve_flows
from optikit_pooling.model import PoolingProblem
from optikit_pooling.pq import build, normalised_shares, split, used_binaries
from optikit_pooling.result import outcome
from optikit_pooling.trust import FIRST_TRUST, slp_from_start, trust_climb

#: Random compositions tried when the start admits no feasible flows.
START_TRIES = 50


def start_shares(problem: PoolingProblem, how: str, seed: int) -> NDArray[np.float64]:
    """``uniform``: equal shares; ``first``: each pool fed by its first input only (the
    classic bad start of Haverly's recursion studies); ``random``: seeded random shares."""
    n = len(problem.il)
    if how == "first":
        weights = np.zeros(n)
        seen: set[int] = set()
        for k, arc in enumerate(problem.il):
            if arc.head not in seen:
                weights[k] = 1.0
                seen.add(arc.head)
        return normalised_shares(problem, weights)
    if how == "random":
        rng = np.random.default_rng(seed)
        return normalised_shares(problem, rng.dirichlet(np.full(max(n, 1), 0.5))[:n])
    return normalised_shares(problem, np.ones(n))


def solve_slp(problem: PoolingProblem, backend: Backend, ctx: SolveContext) -> Outcome:
    """Formulation entry point: a local optimum by SLP on a linear backend."""
    lin = cast(LinearSolver, backend)  # SLP runs on the backend the user chose
    if problem.periods is not None:
        from optikit_pooling.mp_slp import solve_slp_periods

        return solve_slp_periods(problem, lin, ctx)
    q0 = start_shares(problem, str(ctx.option("start")), ctx.options.seed)
    current = solve_flows(problem, lin, ctx, q0)
    stats: dict[str, Any] = {"slp_start": str(ctx.option("start")), "slp_iterations": 0}
    rng = np.random.default_rng(ctx.options.seed)
    tries = 1
    while current is None and tries < START_TRIES and not ctx.expired():
        # Like a planner's tool: when the start admits no feasible flows (product
        # minimums with tight specs), try other random compositions.
        weights = rng.dirichlet(np.full(max(len(problem.il), 1), 0.5))[: len(problem.il)]
        current = solve_flows(problem, lin, ctx, normalised_shares(problem, weights))
        tries += 1
    stats["slp_start_tries"] = tries
    if current is None:
        return Outcome(Status.UNKNOWN, stats=stats,
                       message="SLP: no feasible flows for the starting pool compositions")
    current, message = slp_from_start(ctx, current, lambda start: climb_from(
        problem, lin, ctx, start, int(ctx.option("iterations")), report=True), stats)
    return outcome(problem, lin, ctx, current, proven=False, bound=None, stats=stats,
                   message=message)


def climb_from(
    problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext, current: Evaluated,
    iterations: int, *, trust: float = FIRST_TRUST, report: bool = False,
) -> tuple[Evaluated, dict[str, Any]]:
    """SLP steps from ``current`` until the trust region collapses: a local optimum."""
    def step(point: Evaluated, region: float) -> Evaluated | None:
        return _step(problem, solver, ctx, point, region)

    def hook(point: Evaluated) -> None:
        ctx.report(point.profit, None, "slp")

    return trust_climb(ctx, current, iterations, trust, step, hook if report else None)


def _step(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext, current: Evaluated,
          trust: float) -> Evaluated | None:
    """Solve the linearised model around ``current`` and evaluate its compositions."""
    fixed = used_binaries(problem, current.point) if current.model.is_mip else None
    model, layout, _ = build(problem, "taylor", q0=current.point.q, y0=current.point.y,
                             trust=trust, fixed_binaries=fixed)
    result = solver.solve(model, ctx)
    if not result.status.has_solution or result.x is None:
        return None
    return solve_flows(problem, solver, ctx, split(layout, result.x).q)
