"""The product-structure Lagrangian's dual by stabilised column generation (Dantzig-Wolfe
on the subproblems of :mod:`subtrees`).

Why: subgradient steps on this relaxation move slowly (README, branch lot-s15) and say
nothing of how far they are from its best value; a Dantzig-Wolfe master over the
subproblems' plans gives the next multipliers from the plans seen so far and an upper
estimate of the dual (the master's value), so the two meet at convergence.

The master (an LP, minimised): one convexity row per subproblem; per shared copy and
period ``y_copy - Y <= 0`` (``Y`` the item's own setup at its cost, in [0, 1]); per
shared initial stock ``sum of shares <= I0``; per bought item and period ``use by the
made copies - its supply <= 0``.  All "at most" rows, so the duals are multipliers
``>= 0`` of :mod:`lagrange` (``mu``, ``nu``, ``pi``; restricting them to ``>= 0`` keeps
every Lagrangian value a bound).  The two last kinds get artificial slacks (a spot
purchase, a penalty per unit of stock) so the master is always feasible; they also cap
the duals.  Against the slacks' prices, the first round adds for each bought item the
plan that supplies exactly what the made copies' first plans use, where one exists (on
the 100 x 52 x 3 instance it mostly does not: the first plans use more early than the
initial stock and lead times allow); :func:`plan_columns` seeds the master with a real
plan instead (a point without slacks, though its duals are degenerate: README, branch
lot-s16).

Stabilisation (Wentges): the subproblems are priced at ``alpha`` times the best
multipliers so far plus ``1 - alpha`` times the master's duals.  Every value reported is
a Lagrangian value (each subproblem's figure its MILP's dual bound), so a stop at any
moment keeps a valid bound.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, LinearModelBuilder, LinearSolver
from optikit.types import SolveContext
from optikit_lotsizing.lagrange import Evaluation, Lagrangian, evaluate
from optikit_lotsizing.subtrees import Bought

#: Price of the artificial slack of a shared initial stock, per unit.
SHARE_PENALTY = 20.0
#: A bought item's spot purchase, times the highest price of any offer.
SPOT = 1.5


@dataclasses.dataclass
class _Column:
    cost: float
    rows: NDArray[np.int64]
    vals: NDArray[np.float64]


class Master:
    """The restricted master: its fixed rows and the columns found so far."""

    def __init__(self, lag: Lagrangian) -> None:
        self.lag = lag
        problem = lag.problem
        self.buy = problem.purchased & ~problem.produced
        self.blocks = len(lag.subtrees) + len(lag.boughts)
        rows = self.blocks
        self.link: dict[tuple[int, int, int], int] = {}
        for k, tree in enumerate(lag.subtrees):
            for a, j in enumerate(tree.items):
                if lag.shared(j):
                    for t in map(int, np.flatnonzero(tree.y[a] >= 0)):
                        self.link[(k, a, t)] = rows
                        rows += 1
        self.shares: dict[int, int] = {}
        for j in map(int, np.flatnonzero((lag.copies > 1) & (problem.initial > 0))):
            self.shares[j], rows = rows, rows + 1
        self.use: dict[tuple[int, int], int] = {}
        for r in map(int, np.flatnonzero(self.buy)):
            for t in range(problem.periods):
                self.use[(r, t)], rows = rows, rows + 1
        self.num_rows = rows
        self.upper = np.zeros(rows)
        self.upper[: self.blocks] = 1.0
        for j, row in self.shares.items():
            self.upper[row] = float(problem.initial[j])
        self.columns: list[_Column] = []
        self._fixed_columns()

    def _fixed_columns(self) -> None:
        """The items' own setups ``Y`` and the slacks."""
        problem = self.lag.problem
        own: dict[tuple[int, int], list[int]] = {}
        for (k, a, t), row in self.link.items():
            own.setdefault((self.lag.subtrees[k].items[a], t), []).append(row)
        self.y_cols = len(own)
        for (j, _), linked in own.items():
            self.columns.append(_Column(float(problem.setup_cost[j]), np.array(linked),
                                        -np.ones(len(linked))))
        for row in self.shares.values():
            self.columns.append(_Column(SHARE_PENALTY, np.array([row]), np.array([-1.0])))
        top = max((float(np.max(s.break_price)) for s in problem.sources), default=0.0)
        for row in self.use.values():
            self.columns.append(_Column(SPOT * top, np.array([row]), np.array([-1.0])))

    def add_subtree(self, k: int, x: NDArray[np.float64]) -> None:
        """Subproblem ``k``'s plan ``x`` as a column, at its own costs (no multiplier)."""
        lag, problem = self.lag, self.lag.problem
        tree = lag.subtrees[k]
        cost = float(tree.model.c @ x)
        entries: dict[int, float] = {k: 1.0}
        for a, j in enumerate(tree.items):
            ok = tree.y[a] >= 0
            if not lag.shared(j):
                cost += float(problem.setup_cost[j] * x[tree.y[a, ok]].sum())
            else:
                for t in map(int, np.flatnonzero(ok)):
                    if x[tree.y[a, t]] > 1e-9:
                        entries[self.link[(k, a, t)]] = float(x[tree.y[a, t]])
            if tree.u[a] >= 0 and x[tree.u[a]] > 1e-9:
                entries[self.shares[j]] = float(x[tree.u[a]])
            made = np.zeros(problem.periods)
            made[ok] = x[tree.x[a, ok]]
            for r in map(int, np.flatnonzero(self.buy & (problem.bom[:, j] > 0))):
                for t in map(int, np.flatnonzero(made > 1e-9)):
                    row = self.use[(r, t)]
                    entries[row] = entries.get(row, 0.0) + float(problem.bom[r, j] * made[t])
        self._add(cost, entries)

    def add_bought(self, b: int, x: NDArray[np.float64]) -> None:
        """Bought item ``b``'s plan ``x`` (orders, stock, supply ``c``) as a column."""
        part = self.lag.boughts[b]
        entries: dict[int, float] = {len(self.lag.subtrees) + b: 1.0}
        for t in range(self.lag.problem.periods):
            if x[part.c[t]] > 1e-9:
                entries[self.use[(part.item, t)]] = -float(x[part.c[t]])
        self._add(float(part.model.c @ x), entries)

    def _add(self, cost: float, entries: dict[int, float]) -> None:
        self.columns.append(_Column(cost, np.fromiter(entries, np.int64, len(entries)),
                                    np.fromiter(entries.values(), np.float64, len(entries))))

    def used(self, k: int, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """(n, T): bought items' use by subtree ``k``'s plan ``x``."""
        problem, tree = self.lag.problem, self.lag.subtrees[k]
        use = np.zeros((problem.num_items, problem.periods))
        for a, j in enumerate(tree.items):
            ok = tree.x[a] >= 0
            made = np.zeros(problem.periods)
            made[ok] = x[tree.x[a, ok]]
            use += np.outer(np.where(self.buy, problem.bom[:, j], 0.0), made)
        return use

    def solve(self, backend: LinearSolver, ctx: SolveContext
              ) -> tuple[float, NDArray[np.float64]] | None:
        """The master's value and row duals (None: no answer)."""
        b = LinearModelBuilder("min")
        n = len(self.columns)
        b.add_columns(n, cost=[c.cost for c in self.columns],
                      upper=[1.0] * self.y_cols + [INF] * (n - self.y_cols))
        rows = np.concatenate([c.rows for c in self.columns])
        cols = np.repeat(np.arange(n), [c.rows.size for c in self.columns])
        vals = np.concatenate([c.vals for c in self.columns])
        lower = np.full(self.num_rows, -INF)
        lower[: self.blocks] = 1.0
        b.add_rows_coo(self.num_rows, rows, cols, vals, lower, self.upper)
        result = backend.solve(b.build(), ctx)
        if result.objective is None or result.row_duals is None:
            return None
        return float(result.objective), result.row_duals

    def multipliers(self, duals: NDArray[np.float64]
                    ) -> tuple[list[NDArray[np.float64]], NDArray[np.float64],
                               NDArray[np.float64]]:
        """``mu``, ``nu``, ``pi`` from the master's duals (``-dual`` of an "at most" row
        of a minimisation, kept ``>= 0``)."""
        lag = self.lag
        mu = [np.zeros(m.shape) for m in lag.mu]
        for (k, a, t), row in self.link.items():
            mu[k][a, t] = max(0.0, -float(duals[row]))
        nu = np.zeros_like(lag.nu)
        for j, row in self.shares.items():
            nu[j] = max(0.0, -float(duals[row]))
        pi = np.zeros_like(lag.pi)
        for (r, t), row in self.use.items():
            pi[r, t] = max(0.0, -float(duals[row]))
        return mu, nu, pi


@dataclasses.dataclass
class Round:
    """One round: the Lagrangian value at the priced multipliers, the best so far and
    the master's value (an upper estimate of the dual while slacks are in it)."""

    value: float
    best: float
    master: float


def column_generation(lag: Lagrangian, backend: LinearSolver, ctx: SolveContext,
                      seconds: Callable[[], float | None], rounds: int,
                      alpha: float = 0.5, stop: Callable[[], bool] = lambda: False,
                      report: Callable[[Round], None] | None = None,
                      tolerance: float = 1e-4,
                      plan: NDArray[np.float64] | None = None) -> float | None:
    """The best Lagrangian value over at most ``rounds`` rounds (None: no value).
    ``seconds`` gives each subproblem MILP's time; ``stop`` ends early; ``plan`` (the
    production (n, T) of a plan of the instance) seeds the master with that plan split
    into the subproblems' columns (:func:`plan_columns`)."""
    master = Master(lag)
    if plan is not None:
        plan_columns(master, plan, backend, ctx, seconds)
    best: float | None = None
    centre = ([m.copy() for m in lag.mu], lag.nu.copy(), lag.pi.copy())
    for rnd in range(rounds):
        if stop():
            break
        ev = evaluate(lag, backend, ctx, seconds)
        if ev is None:
            break
        if best is None or ev.value > best:
            best = ev.value
            centre = ([m.copy() for m in lag.mu], lag.nu.copy(), lag.pi.copy())
        _add_plans(master, lag, backend, ctx, seconds, first=rnd == 0)
        solved = master.solve(backend, ctx.narrowed(seconds()))
        if solved is None:
            break
        value, duals = solved
        if report is not None:
            report(Round(ev.value, best, value))
        if value - best <= tolerance * abs(value):
            break
        mu, nu, pi = master.multipliers(duals)
        lag.mu = [alpha * c + (1 - alpha) * m for c, m in zip(centre[0], mu, strict=True)]
        lag.nu = alpha * centre[1] + (1 - alpha) * nu
        lag.pi = alpha * centre[2] + (1 - alpha) * pi
    return best


def _add_plans(master: Master, lag: Lagrangian, backend: LinearSolver, ctx: SolveContext,
               seconds: Callable[[], float | None], first: bool) -> None:
    """The last plans of every subproblem as columns; in the first round also, per bought
    item, the plan that supplies exactly the made copies' use (so the master has a
    point without slacks)."""
    subs = len(lag.subtrees)
    use = np.zeros_like(lag.pi)
    for k in range(subs):
        master.add_subtree(k, lag.last[k])
        if first:
            use += master.used(k, lag.last[k])
    for b in range(len(lag.boughts)):
        master.add_bought(b, lag.last[subs + b])
        if first:
            x = _supplying(lag.boughts[b], use[lag.boughts[b].item], backend, ctx, seconds)
            if x is not None:
                master.add_bought(b, x)


def split(lag: Lagrangian, made: NDArray[np.float64]
          ) -> tuple[dict[tuple[int, int], NDArray[np.float64]], dict[tuple[int, int], float]]:
    """A plan's production ``made`` (n, T) split among the copies: per (subtree, item)
    the copy's production and its share of the initial stock.  Each shared item's
    supply (initial stock, then lots as they arrive) goes first come, first served to
    its copies' consumption (their parents' copies' lots, and the item's own demand in
    its own subtree); what nobody consumes is dropped (a copy makes no more than its
    need).  Parents first, so a component sees its parents' copies."""
    problem = lag.problem
    periods = problem.periods
    xc: dict[tuple[int, int], NDArray[np.float64]] = {}
    uc: dict[tuple[int, int], float] = {}
    holders: dict[int, list[int]] = {}
    for k, tree in enumerate(lag.subtrees):
        for j in tree.items:
            holders.setdefault(j, []).append(k)
    for j in problem.order:
        ks = holders.get(j, [])
        if len(ks) == 1:
            xc[(ks[0], j)] = made[j].copy()
        if len(ks) <= 1:
            continue
        cons = {}
        for k in ks:
            tree = lag.subtrees[k]
            need = problem.demand[j].copy() if tree.root == j else np.zeros(periods)
            for p in tree.items:
                if problem.bom[j, p] > 0:
                    need += problem.bom[j, p] * xc[(k, p)]
            cons[k] = need
            xc[(k, j)] = np.zeros(periods)
            uc[(k, j)] = 0.0
        queue: list[list[float]] = [[-1.0, float(problem.initial[j])]]  # [lot period, left]
        pending = dict.fromkeys(ks, 0.0)
        lead = int(problem.lead[j])
        for t in range(periods):
            if t >= lead and made[j, t - lead] > 0:
                queue.append([float(t - lead), float(made[j, t - lead])])
            for k in ks:
                pending[k] += float(cons[k][t])
                while pending[k] > 1e-9 and queue:
                    take = min(pending[k], queue[0][1])
                    if queue[0][0] < 0:
                        uc[(k, j)] += take
                    else:
                        xc[(k, j)][int(queue[0][0])] += take
                    pending[k] -= take
                    queue[0][1] -= take
                    if queue[0][1] <= 1e-9:
                        queue.pop(0)
    return xc, uc


def plan_columns(master: Master, made: NDArray[np.float64], backend: LinearSolver,
                 ctx: SolveContext, seconds: Callable[[], float | None]) -> int:
    """Columns of a plan (its production ``made``, (n, T)) split among the subproblems
    (:func:`split`; each subtree's stock from its LP with the production fixed), and per
    bought item the plan that supplies exactly what they use: together a point of the
    master without slacks, so its first duals price the plan, not the slacks.  A piece
    that does not fit its subproblem is left out.  Returns the columns added."""
    lag = master.lag
    xc, uc = split(lag, made)
    use = np.zeros_like(lag.pi)
    added = 0
    for k, tree in enumerate(lag.subtrees):
        lo, hi = tree.model.col_lower.copy(), tree.model.col_upper.copy()
        for a, j in enumerate(tree.items):
            ok = tree.x[a] >= 0
            amount = xc.get((k, j), np.zeros(lag.problem.periods))
            if np.any(amount[~ok] > 1e-9):
                break
            lo[tree.x[a, ok]] = hi[tree.x[a, ok]] = amount[ok]
            lo[tree.y[a, ok]] = hi[tree.y[a, ok]] = (amount[ok] > 1e-9).astype(float)
            if tree.u[a] >= 0:
                lo[tree.u[a]] = hi[tree.u[a]] = uc.get((k, j), 0.0)
        else:
            fixed = dataclasses.replace(tree.model, col_lower=lo, col_upper=hi)
            result = backend.solve(fixed, ctx.narrowed(seconds(), gap=1e-4))
            if result.x is not None:
                master.add_subtree(k, result.x)
                use += master.used(k, result.x)
                added += 1
    for b, part in enumerate(lag.boughts):
        bought_x = _supplying(part, use[part.item], backend, ctx, seconds)
        if bought_x is not None:
            master.add_bought(b, bought_x)
            added += 1
    return added


def _supplying(part: Bought, need: NDArray[np.float64], backend: LinearSolver,
               ctx: SolveContext, seconds: Callable[[], float | None]
               ) -> NDArray[np.float64] | None:
    """Bought item ``part``'s cheapest plan that supplies exactly ``need`` (None: none)."""
    lo, hi = part.model.col_lower.copy(), part.model.col_upper.copy()
    if np.any(need > hi[part.c] + 1e-9):
        return None
    lo[part.c] = hi[part.c] = need
    fixed = dataclasses.replace(part.model, col_lower=lo, col_upper=hi)
    return backend.solve(fixed, ctx.narrowed(seconds(), gap=1e-4)).x


__all__ = ["Evaluation", "Master", "Round", "column_generation"]
