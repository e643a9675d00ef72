"""The flow LP over several periods: best flows with every tank's source shares held fixed.

With the shares fixed the source model is an LP whose every solution is exactly feasible;
its point is a full start for the bilinear model (same columns).  Every candidate it gives
is replayed by the independent checker before it counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearResult, LinearSolver, QuadraticModel
from optikit.types import SolveContext
from optikit_pooling.model import PoolingProblem
from optikit_pooling.mp_checker import check_periods
from optikit_pooling.mp_evaluate import Flows, periods_payload
from optikit_pooling.mp_model import Columns, build, sources

#: (pool, source position, period) -> share of the tank's content.
Shares = dict[tuple[int, int, int], float]


@dataclass
class Candidate:
    """Checked flows with the flow LP that gave them (its point and duals)."""

    flows: Flows
    profit: float  # the checker's
    x: NDArray[np.float64]  # the flow LP's point: a full start for the source model
    model: QuadraticModel
    cols: Columns
    result: LinearResult


def flows_of(problem: PoolingProblem, cols: Columns, x: NDArray[np.float64]) -> Flows:
    """The arc flows of a source- or quality-model point (tiny ones dropped)."""
    out: Flows = {}
    for arcs, grid in ((problem.il, cols.x), (problem.lj, cols.y), (problem.ij, cols.z)):
        for n, arc in enumerate(arcs):
            for t in range(grid.shape[1]):
                amount = float(x[grid[n, t]])
                if amount > 1e-9:
                    out[arc.index, t] = amount
    return out


def shares_of(problem: PoolingProblem, cols: Columns, x: NDArray[np.float64]) -> Shares:
    """The share columns of a source-model point, clipped and made to add up to 1."""
    per = problem.periods
    assert per is not None
    out: Shares = {}
    for pool, row in enumerate(sources(problem)):
        for t in range(per.count):
            q = np.clip(np.asarray(x[cols.extra[f"q{pool}.{t}"]], dtype=np.float64), 0.0, 1.0)
            total = float(q.sum())
            q = q / total if total > 1e-12 else np.full(len(row), 1.0 / max(len(row), 1))
            out.update({(pool, pos, t): float(q[pos]) for pos in range(len(row))})
    return out


def replayed_shares(problem: PoolingProblem, flow: Flows) -> Shares:
    """Each tank's source shares per period implied by ``flow`` (tank by tank replay)."""
    per = problem.periods
    assert per is not None
    out: Shares = {}
    for pool, row in enumerate(sources(problem)):
        position = {src: pos for pos, (src, _) in enumerate(row)}
        held = np.zeros(len(row))
        for src, pos in position.items():
            mix = per.initial_mix[pool]
            held[pos] = per.initial[pool] * (mix.get(src, 0.0) if mix else float(src == -1))
        for t in range(per.count):
            for arc in problem.il:
                if arc.head == pool:
                    held[position[arc.tail]] += flow.get((arc.index, t), 0.0)
            total = float(held.sum())
            share = held / total if total > 1e-12 else np.full(len(row), 1.0 / max(len(row), 1))
            for pos in range(len(row)):
                out[pool, pos, t] = float(share[pos])
            left = total - sum(flow.get((a.index, t), 0.0) for a in problem.lj if a.tail == pool)
            held = share * max(left, 0.0)
    return out


def checked_profit(problem: PoolingProblem, flow: Flows) -> float | None:
    """The checker's profit of ``flow``, or None when it breaks a rule."""
    report = check_periods(problem, periods_payload(problem, flow))
    return report.objective if report.feasible else None


def flow_lp(problem: PoolingProblem, solver: LinearSolver, ctx: SolveContext,
            shares: Shares) -> Candidate | None:
    """Best flows with every tank's source shares held at ``shares``, checked; or None."""
    model, cols = build(problem, "source", shares)
    result = solver.solve(model, ctx)
    if not result.status.has_solution or result.x is None:
        return None
    x = np.asarray(result.x, dtype=np.float64)
    flow = flows_of(problem, cols, x)
    profit = checked_profit(problem, flow)
    if profit is None:
        return None
    return Candidate(flow, profit, x, model, cols, result)
