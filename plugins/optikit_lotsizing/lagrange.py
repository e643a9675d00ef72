"""A lower bound that prices the multi-level setup linkage: Lagrangian relaxation by
product structure (the pieces and why the relaxation is valid: :mod:`subtrees`).

For multipliers ``mu >= 0`` (a copy's setup under the item's), ``nu`` (the copies'
shares of an initial stock) and ``pi`` (a bought item's consumption), the Lagrangian
function is the sum of the subproblems' MILP values, of ``min(0, setup cost - sum of
mu)`` per shared item and period (the item's own setup) and of ``-nu * I0``; every
such value is a lower bound of the instance, so the best one is kept.  Each subproblem's
figure is its MILP's *dual bound* (so a sub-MILP stopped short still gives a valid
figure).  The multipliers move by subgradient steps of Polyak's size towards the
incumbent's cost.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearModel, LinearResult, LinearSolver
from optikit.types import SolveContext, Status
from optikit_lotsizing import FL_OPTIONS
from optikit_lotsizing.budget import over, phase_end
from optikit_lotsizing.linear import production_bounds
from optikit_lotsizing.model import LotSizingProblem
from optikit_lotsizing.subtrees import Bought, Subtree, applies, bought, made_below, roots, subtree

#: Gap of each subproblem's MILP (its dual bound is what counts, so any gap is valid).
SUB_GAP = 1e-4
#: Polyak step factor: the start, and halved after this many steps without a better bound.
STEP_START, STEP_PATIENCE = 1.0, 3
#: Whether each subproblem starts from its last solution.
HINTS = True
#: Share of the Polyak step each kind of multiplier takes (setups, stock shares, unit prices).
WEIGHTS = (1.0, 0.1, 0.1)


@dataclasses.dataclass
class Lagrangian:
    """The subproblems and their multipliers."""

    problem: LotSizingProblem
    subtrees: list[Subtree]
    boughts: list[Bought]
    copies: NDArray[np.int64]  # per item: roots holding a copy
    has_setup: NDArray[np.bool_]  # (n, T): the item's setup column exists
    mu: list[NDArray[np.float64]]  # per subtree (copies, T)
    nu: NDArray[np.float64]  # (n,)
    pi: NDArray[np.float64]  # (n, T), bought items' rows used
    last: dict[int, NDArray[np.float64]] = dataclasses.field(default_factory=dict)

    def shared(self, j: int) -> bool:
        return bool(self.copies[j] > 1)


def build(problem: LotSizingProblem) -> Lagrangian | None:
    """The decomposition with starting multipliers (a shared setup split evenly among its
    copies; a bought unit at its lowest price; initial stock at its bought content);
    None where it does not apply (:func:`subtrees.applies`)."""
    if not applies(problem) or not problem.produced.any():
        return None
    n, periods = problem.num_items, problem.periods
    upper = production_bounds(problem)
    tops = roots(problem)
    copies = np.zeros(n, dtype=np.int64)
    for e in tops:
        copies[made_below(problem, e)] += 1
    trees = [subtree(problem, e, copies, upper) for e in tops]
    price = np.zeros(n)
    for s in problem.sources:
        low = float(np.min(s.break_price))
        price[s.item] = low if price[s.item] == 0 else min(price[s.item], low)
    buy = problem.purchased & ~problem.produced
    cap = np.zeros((n, periods))
    for r in np.flatnonzero(buy):
        for p in np.flatnonzero(problem.bom[r]):
            cap[r] += problem.bom[r, p] * upper[p]
    parts = [bought(problem, int(r), cap[r]) for r in np.flatnonzero(buy)]
    mu = []
    for tree in trees:
        m = np.zeros(tree.y.shape)
        for a, j in enumerate(tree.items):
            if copies[j] > 1:
                m[a] = problem.setup_cost[j] / copies[j]
        mu.append(m)
    content = problem.bom[buy].T @ price[buy] if buy.any() else np.zeros(n)
    pi = np.repeat(price[:, None], periods, axis=1)
    return Lagrangian(problem, trees, parts, copies, upper > 0, mu, content.astype(float), pi)


def _costs(lag: Lagrangian, tree: Subtree, a_mu: NDArray[np.float64]) -> NDArray[np.float64]:
    """The subtree's objective under the current multipliers."""
    problem = lag.problem
    c = tree.model.c.copy()
    buy = problem.purchased & ~problem.produced
    for a, j in enumerate(tree.items):
        ok = tree.y[a] >= 0
        c[tree.y[a, ok]] = a_mu[a, ok] if lag.shared(j) else problem.setup_cost[j]
        rs = np.flatnonzero(buy & (problem.bom[:, j] > 0))
        if rs.size:
            c[tree.x[a, ok]] = problem.bom[rs, j] @ lag.pi[rs][:, ok]
        if tree.u[a] >= 0:
            c[tree.u[a]] = lag.nu[j]
    return c


def _figure(result: LinearResult) -> float | None:
    """A subproblem's valid lower figure: its dual bound (or the LP optimum)."""
    if result.bound is not None and math.isfinite(result.bound):
        return float(result.bound)
    if result.status is Status.OPTIMAL and result.objective is not None:
        return float(result.objective)
    return None


def _hinted(model: LinearModel, lag: Lagrangian, k: int) -> LinearModel:
    """Subproblem ``k`` with its last solution as the MIP start (a point of it whatever
    the multipliers: they change costs only)."""
    last = lag.last.get(k)
    return model if last is None or not HINTS else model.with_hint(last)


@dataclasses.dataclass
class Evaluation:
    value: float
    sub_mu: list[NDArray[np.float64]]
    sub_nu: NDArray[np.float64]
    sub_pi: NDArray[np.float64]


def evaluate(lag: Lagrangian, backend: LinearSolver, ctx: SolveContext,
             seconds: Callable[[], float | None]) -> Evaluation | None:
    """The Lagrangian value and a subgradient at the current multipliers; None when a
    subproblem gave no figure (no time)."""
    problem = lag.problem
    n, periods = problem.num_items, problem.periods
    value = -float(lag.nu @ np.where(lag.copies > 1, problem.initial, 0.0))
    used = np.zeros((n, periods))  # bought items' use by the made copies
    mu_sum = np.zeros((n, periods))
    u_sum = np.zeros(n)
    kept: list[tuple[Subtree, NDArray[np.float64]]] = []
    for k, (tree, a_mu) in enumerate(zip(lag.subtrees, lag.mu, strict=True)):
        model = _hinted(dataclasses.replace(tree.model, c=_costs(lag, tree, a_mu)), lag, k)
        result = backend.solve(model, ctx.narrowed(seconds(), gap=SUB_GAP))
        figure = _figure(result)
        if figure is None or result.x is None:
            return None
        value += figure
        x = lag.last[k] = result.x
        for a, j in enumerate(tree.items):
            ok = tree.x[a] >= 0
            made = np.zeros(periods)
            made[ok] = x[tree.x[a, ok]]
            used += np.outer(problem.bom[:, j], made)
            if lag.shared(j):
                mu_sum[j] += a_mu[a]
            if tree.u[a] >= 0:
                u_sum[j] += x[tree.u[a]]
        kept.append((tree, x))
    for k, part in enumerate(lag.boughts, start=len(lag.subtrees)):
        r = part.item
        model = dataclasses.replace(part.model, c=part.model.c.copy())
        model.c[part.c] = -lag.pi[r]
        result = backend.solve(_hinted(model, lag, k), ctx.narrowed(seconds(), gap=SUB_GAP))
        figure = _figure(result)
        if figure is None or result.x is None:
            return None
        value += figure
        lag.last[k] = result.x
        used[r] -= result.x[part.c]
    own = np.zeros((n, periods))  # the items' own setups, where the copies overpay
    for j in map(int, np.flatnonzero(lag.copies > 1)):
        net = np.where(lag.has_setup[j], problem.setup_cost[j] - mu_sum[j], 0.0)
        value += float(np.minimum(net, 0.0).sum())
        own[j] = net < 0
    sub_mu = []
    for tree, x in kept:
        g = np.zeros(tree.y.shape)
        for a, j in enumerate(tree.items):
            if lag.shared(j):
                ok = tree.y[a] >= 0
                g[a, ok] = x[tree.y[a, ok]] - own[j, ok]
        sub_mu.append(g)
    sub_nu = np.where((lag.copies > 1) & (problem.initial > 0), u_sum - problem.initial, 0.0)
    buy = problem.purchased & ~problem.produced
    sub_pi = np.where(buy[:, None], used, 0.0)
    return Evaluation(value, sub_mu, sub_nu, sub_pi)


def step(lag: Lagrangian, ev: Evaluation, target: float, factor: float) -> None:
    """A Polyak step towards ``target`` (the incumbent's cost), ``mu`` kept non-negative.
    The three kinds of multipliers price different units (a setup, a unit of stock, a
    unit of a bought item), so each kind takes its own Polyak step over a third of the
    gap: one step over all of them moved only the unit prices (their subgradients are
    units, hundreds of times a setup's)."""
    gap = max(target - ev.value, 1e-6 * abs(target)) / 3

    def size(norm: float) -> float:
        return factor * gap / norm if norm > 1e-12 else 0.0

    mu = WEIGHTS[0] * size(sum(float((g * g).sum()) for g in ev.sub_mu))
    lag.mu = [np.maximum(m + mu * g, 0.0) for m, g in zip(lag.mu, ev.sub_mu, strict=True)]
    lag.nu = lag.nu + WEIGHTS[1] * size(float(ev.sub_nu @ ev.sub_nu)) * ev.sub_nu
    lag.pi = lag.pi + WEIGHTS[2] * size(float((ev.sub_pi * ev.sub_pi).sum())) * ev.sub_pi


def lagrangian_bound(problem: LotSizingProblem, backend: LinearSolver,
                     ctx: SolveContext, until: float | None, target: float | None,
                     stats: dict[str, Any], max_steps: int = 1000) -> float | None:
    """The best Lagrangian value reached before the instant ``until`` (None: none); in
    ``stats`` as ``lp_bound_lagrangian`` (a bound of the instance, see :mod:`bounds`)."""
    lag = build(problem)
    if lag is None:
        return None

    def seconds() -> float | None:
        return None if until is None else max(0.0, until - ctx.elapsed())

    best: float | None = None
    factor, idle, steps, took = STEP_START, 0, 0, 0.0
    while steps < max_steps and not ctx.expired() and (
            until is None or until - ctx.elapsed() > took):
        began = ctx.elapsed()
        ev = evaluate(lag, backend, ctx, seconds)
        if ev is None:
            break
        steps, took = steps + 1, ctx.elapsed() - began
        if best is None or ev.value > best + 1e-9 * abs(best):
            best, idle = ev.value, 0
        else:
            idle += 1
            if idle >= STEP_PATIENCE:
                factor, idle = factor / 2, 0
        goal = target if target is not None else best + 0.05 * abs(best) + 1.0
        step(lag, ev, goal, factor)
    stats["lagrangian_steps"] = steps
    if best is not None:
        stats["lp_bound_lagrangian"] = best
    return best


def bound_phase(problem: LotSizingProblem, backend: LinearSolver,
                ctx: SolveContext, end: float | None, best: LinearResult | None,
                stats: dict[str, Any]) -> None:
    """``fl`` on large models: the Lagrangian for its share of the time (when asked for),
    stepping towards the incumbent's cost."""
    share = float(ctx.options_for(FL_OPTIONS)["lagrangian"])
    if share <= 0 or over(ctx, end):
        return
    target = None if best is None else best.objective
    lagrangian_bound(problem, backend, ctx, phase_end(ctx, end, share), target, stats)
