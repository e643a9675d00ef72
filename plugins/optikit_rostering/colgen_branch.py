"""Branch-and-price on the column generation's master: the last units above the LP bound.

Why: on Instances 6 and 7 the relaxation converges early (LP 1,949.0 and 1,054.08) and the
LP-fixed CP-SAT model settles at 1,952 / 1,057-1,060, proved optimal *for its fixing*; 7-day
windows, LP-guided neighbourhoods, other LP vertices and price-and-fix diving all stayed there
(README, branch roster-s14).  The best-known 1,950 / 1,056 were found by branch-and-price
(Burke & Curtois 2014), which branches on the master instead.

Ryan-Foster-like 0/1 branching on "employee e works shift s on day d", the most fractional
share of the node's LP first; the pricing of that employee obeys the node's decisions
(:meth:`optikit_rostering.colgen_pricing.Pricer.price`, ``fixed``) and the master keeps only
the pool's rows that agree with them.  Each node re-solves its LP by column generation with
proved pricing, so each proved round gives a valid Lagrangian bound for the node; a node is
pruned once that bound, rounded up (penalties are integers), meets the incumbent.  Depth
first (the child on the LP's side of the share first) with backtracking, within a time
budget; every node's LP is also rounded (:func:`optikit_rostering.colgen_round.support_roster`)
for an incumbent.  A tree searched to the end with every pruning proved proves the incumbent
optimal.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from optikit.types import SolveContext
from optikit_rostering.colgen_live import LiveMaster, open_live
from optikit_rostering.colgen_master import build, penalty
from optikit_rostering.colgen_pricing import ENTER, Column, Duals, Fixing, Pricer, reduced_cost
from optikit_rostering.colgen_round import support_roster
from optikit_rostering.model import Roster

#: CP-SAT deterministic time of one pricing call in a node (as the relaxation's proved
#: rounds), its wall-clock cap, and the rows kept from it.
PRICE_TIME, WALL, COLUMNS = 0.5, 2.0, 5
#: Pricing work of the unproved rounds a node starts with: a proof is needed only to prune
#: (the LP rounded up meets the incumbent) or to close an integral node; elsewhere the node
#: is branched on whatever its bound, so its LP need only be good, not proved.
QUICK_TIME = 0.01
#: A (day, shift) share of the LP counts as fractional between these.
EPS = 1e-6

Weights = dict[int, list[tuple[Column, float]]]
#: A roster: (grid, stations, penalty), as :mod:`optikit_rostering.colgen` hands them on.
Seed = tuple[list[list[int | None]], dict[tuple[int, int], str], int]


@dataclass
class Node:
    """A node of the tree: per employee the decisions on their cells, and a valid lower
    bound inherited from the parent."""

    fixed: dict[int, Fixing] = field(default_factory=dict)
    bound: float = -math.inf
    depth: int = 0


@dataclass
class NodeLP:
    """A node's LP after column generation: its value, its best proved bound, the column
    values per employee; ``infeasible`` if an employee has no row under the decisions,
    ``exact`` if ``bound`` is proved (every pricing of some round solved to optimality)."""

    value: float | None = None
    bound: float = -math.inf
    weights: Weights = field(default_factory=dict)
    infeasible: bool = False
    exact: bool = False
    converged: bool = False


@dataclass
class Outcome:
    """The search's best roster (columns in employee order, penalty) if it beat the
    incumbent, and the proved optimum if the tree was searched to the end."""

    roster: Seed | None = None
    optimum: float | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def compatible(col: Column, fixed: Fixing | None) -> bool:
    """Whether a column agrees with an employee's decisions."""
    return not fixed or all((col.row[d] == s) == on for (d, s), on in fixed.items())


def fractional(roster: Roster, weights: Weights) -> tuple[int, int, int, float] | None:
    """The (employee, day, shift) whose LP share is nearest one half (ties: the first), with
    its share; None if every cell's share is 0 or 1."""
    best: tuple[float, int, int, int, float] | None = None
    for e in sorted(weights):
        share: dict[tuple[int, int], float] = {}
        for col, value in weights[e]:
            for d, s in enumerate(col.row):
                if s is not None:
                    share[d, s] = share.get((d, s), 0.0) + value
        for (d, s), f in sorted(share.items()):
            if EPS < f < 1 - EPS:
                key = (abs(f - 0.5), e, d, s, f)
                if best is None or key < best:
                    best = key
    return None if best is None else best[1:]


def integral(roster: Roster, weights: Weights) -> list[Column] | None:
    """The roster of an LP solution with one column at 1 per employee, else None."""
    chosen: list[Column] = []
    for e in range(roster.num_employees):
        top = max(weights.get(e, []), key=lambda cv: cv[1], default=None)
        if top is None or top[1] < 1 - EPS:
            return None
        chosen.append(top[0])
    return chosen


class Tree:
    """Depth-first branch-and-price over the relaxation's pool and pricing models."""

    def __init__(self, roster: Roster, pricers: list[Pricer], pool: list[Column],
                 backend: Any, ctx: SolveContext, executor: ThreadPoolExecutor) -> None:
        self.roster, self.pricers, self.backend, self.ctx = roster, pricers, backend, ctx
        self.executor = executor
        self.pool = list(pool)
        self.seen = {(c.employee, c.row, c.stations) for c in pool}
        self.rows_of: dict[Column, list[tuple[int, float]]] = {}  # columns' master rows
        self.stats: dict[str, Any] = {"bp_nodes": 0, "bp_rounds": 0, "bp_lp_s": 0.0,
                                      "bp_pricing_s": 0.0}
        self.end = math.inf
        #: With ``colgen_branch_lp=live``: one LP over the whole pool for every node, the
        #: rows a node's decisions exclude held at 0 (:meth:`LiveMaster.restrict`), warm
        #: started from the last node's basis instead of built and solved anew each round.
        #: About 5x the nodes in 24 s (Instance6 and 7: 310-564 against 68-108), but the
        #: warm LP ends on other vertices, the depth-first tree takes other branches, and
        #: in 3-seed runs the rosters were no better (session 17), so it is not the default.
        self.live: LiveMaster | None = None
        self.use_live = False
        #: A node heuristic: (LP weights, decisions, incumbent) -> a better roster (grid,
        #: stations, penalty) or None (the caller's CP-SAT model with the node's integral
        #: cells fixed).
        self.complete: Any = None

    def _price(self, duals: Duals, node: Node, which: list[int], work: float = PRICE_TIME
               ) -> list[tuple[list[Column], float | None]]:
        seed = int(self.ctx.options.seed)

        def one(e: int) -> tuple[list[Column], float | None]:
            wall = min(WALL, self.end - self.ctx.elapsed())
            if wall <= 0 or self.ctx.stop.is_set():
                return [], None
            return self.pricers[e].price(duals, work, wall, seed=seed, most=COLUMNS,
                                         below=ENTER, fixed=node.fixed.get(e))

        started = time.monotonic()
        try:
            return list(self.executor.map(one, which))
        finally:
            self.stats["bp_pricing_s"] += time.monotonic() - started

    def _add(self, cols: list[Column], into: list[Column]) -> int:
        fresh = 0
        for col in cols:
            key = (col.employee, col.row, col.stations)
            if key not in self.seen:
                self.seen.add(key)
                self.pool.append(col)
                into.append(col)
                fresh += 1
        return fresh

    def solve_node(self, node: Node, incumbent: float) -> NodeLP:
        """The node's LP by column generation until it converges, its proved bound reaches
        ``incumbent`` (rounded up), or the search's time ends."""
        out = NodeLP(bound=node.bound)
        pool = [c for c in self.pool if compatible(c, node.fixed.get(c.employee))]
        have = {c.employee for c in pool}
        missing = [e for e in range(self.roster.num_employees) if e not in have]
        if missing:  # rows under the decisions: the cheapest under no duals
            zero = Duals({}, {}, {}, [0.0] * self.roster.num_employees)
            for cols, lb in self._price(zero, node, missing):
                if lb == math.inf:
                    out.infeasible = out.exact = True
                    return out
                if not cols:
                    return out  # out of time
                self._add(cols[-1:], pool)
        quick = True
        live = self._live_for(node)
        while not self.ctx.expired() and self.ctx.elapsed() < self.end:
            started = time.monotonic()
            solved = self._solve_lp(live, pool)
            self.stats["bp_lp_s"] += time.monotonic() - started
            if solved is None:
                return out
            out.value, out.weights, duals = solved
            answers = self._price(duals, node, list(range(self.roster.num_employees)),
                                  QUICK_TIME if quick else PRICE_TIME)
            self.stats["bp_rounds"] += 1
            fresh = 0
            for cols, _lb in answers:
                fresh += self._add([c for c in cols if reduced_cost(self.roster, c, duals)
                                    < ENTER], pool)
            proven = [lb for _cols, lb in answers]
            if all(lb is not None for lb in proven):
                if any(lb == math.inf for lb in proven):
                    out.infeasible = out.exact = True
                    return out
                lagrangian = duals.demand + sum(
                    rc + mu for rc, mu in zip([lb for lb in proven if lb is not None],
                                              duals.convexity, strict=True))
                if lagrangian > out.bound:
                    out.bound, out.exact = lagrangian, True
                if fresh == 0:  # converged; the bound stays the Lagrangian one (the LP
                    out.converged = True  # value less pricing's rounding of the duals)
                    return out
            elif fresh == 0:
                if not quick:
                    return out  # nothing new, but unproved: the LP is no bound
                if math.ceil(out.value - 1e-6) < incumbent and \
                        integral(self.roster, out.weights) is None:
                    return out  # to be branched on whatever its bound: no proof needed
                quick = False
            if math.ceil(out.bound - 1e-6) >= incumbent:
                return out
        return out

    def _live_for(self, node: Node) -> LiveMaster | None:
        """The shared live LP with ``node``'s decisions applied (None: rebuild instead)."""
        if not self.use_live:
            return None
        if self.live is None:
            self.live = open_live(self.roster, self.pool, self.ctx)
        live = self.live
        if live is None or live.broken:
            return None
        live.add(self.pool[len(live.master.columns):])
        live.restrict([compatible(c, node.fixed.get(c.employee)) for c in live.master.columns])
        return None if live.broken else live

    def _solve_lp(self, live: LiveMaster | None, pool: list[Column]
                  ) -> tuple[float, Weights, Duals] | None:
        """The node's LP over ``pool`` (the columns its decisions allow): its value, column
        weights and duals, warm on the live LP if there is one, else built and solved."""
        remaining = max(0.0, self.end - self.ctx.elapsed())
        if live is not None and not live.broken:
            live.add(self.pool[len(live.master.columns):])
            answer = live.solve(remaining)
            if answer is not None:
                value, x, row_duals = answer
                master = live.master
                return value, _weights(master.columns, x, master.first_column), \
                    master.duals(row_duals)
            if not live.broken or self.ctx.expired():
                return None  # out of time, not a failure
        master = build(self.roster, pool, integer=False, cache=self.rows_of)
        result = self.backend.solve(master.model, self.ctx.narrowed(remaining, verbose=False))
        if result.x is None or result.row_duals is None or result.objective is None:
            return None
        return float(result.objective), _weights(master.columns, result.x,
                                                 master.first_column), \
            master.duals(result.row_duals)

    def search(self, root: NodeLP, best_value: float, end: float) -> Outcome:
        """Depth first from ``root`` (the relaxation's converged LP) until ``end`` (seconds
        since the run started) or the tree is searched."""
        self.end = end
        started = time.monotonic()
        result = Outcome()
        exact = True
        stack: list[tuple[Node, NodeLP | None]] = [(Node(bound=root.bound), root)]
        while stack and not self.ctx.expired() and self.ctx.elapsed() < end:
            node, lp = stack.pop()
            if math.ceil(node.bound - 1e-6) >= best_value:
                continue
            if lp is None:
                lp = self.solve_node(node, best_value)
                self.stats["bp_nodes"] += 1
            if lp.infeasible:
                continue
            if self.ctx.expired() or self.ctx.elapsed() >= end:
                exact = False
                break
            if math.ceil(lp.bound - 1e-6) >= best_value:
                continue
            if not lp.weights:
                exact = False
                continue
            for chosen in _candidates(self.roster, lp.weights):
                value = penalty(self.roster, chosen)
                if value is not None and value < best_value:
                    best_value, result.roster = value, as_seed(chosen, value)
                    self.ctx.report(float(value), None, "colgen-branch")
            if self.complete is not None and math.ceil(lp.bound - 1e-6) < best_value:
                found = self.complete(lp.weights, node.fixed, int(best_value))
                self.stats["bp_completions"] = self.stats.get("bp_completions", 0) + 1
                if found is not None and found[2] < best_value:
                    best_value, result.roster = found[2], found
                    self.stats["bp_completed"] = found[2]
            if math.ceil(lp.bound - 1e-6) >= best_value:
                continue
            if integral(self.roster, lp.weights):
                exact = False  # closed without a bound that meets its roster
                continue
            pick = fractional(self.roster, lp.weights)
            if pick is None:  # integral cells, stations split: the rounding stands in
                exact = False
                continue
            e, d, s, share = pick
            children = []
            for on in (False, True):
                fixed = {**node.fixed, e: {**node.fixed.get(e, {}), (d, s): on}}
                children.append(Node(fixed, max(node.bound, lp.bound), node.depth + 1))
            if share < 0.5:
                children.reverse()  # the LP's side of the share is searched first
            stack.extend((child, None) for child in children)
            self.stats["bp_depth"] = max(self.stats.get("bp_depth", 0), node.depth + 1)
        if not stack and exact and not self.ctx.expired():
            result.optimum = best_value
        self.stats.update(bp_s=round(time.monotonic() - started, 1),
                          bp_lp_s=round(self.stats["bp_lp_s"], 1),
                          bp_pricing_s=round(self.stats["bp_pricing_s"], 1),
                          bp_open=len(stack), bp_proved=result.optimum is not None,
                          bp_best=None if result.roster is None else result.roster[2])
        result.stats = self.stats
        return result


def as_seed(chosen: list[Column], value: int) -> Seed:
    """The roster of one column per employee (in employee order) with its penalty."""
    grid = [list(col.row) for col in chosen]
    stations = {(col.employee, d): k for col in chosen for d, k in enumerate(col.stations)
                if k is not None}
    return grid, stations, value


def _candidates(roster: Roster, weights: Weights) -> list[list[Column]]:
    """Rosters read off a node's LP: the integral one if it is, and the rounding's."""
    out = []
    whole = integral(roster, weights)
    if whole is not None:
        out.append(whole)
    rounded = support_roster(roster, weights)
    if rounded is not None:
        out.append(rounded[0])
    return out


def _weights(columns: list[Column], x: Any, first: int) -> Weights:
    out: Weights = {}
    for j, col in enumerate(columns):
        value = float(x[first + j])
        if value > 1e-6:
            out.setdefault(col.employee, []).append((col, value))
    return out


def branch_and_price(roster: Roster, relaxation: Any, backend: Any, ctx: SolveContext,
                     incumbent: int, seconds: float, complete: Any = None,
                     live: bool = False) -> Outcome:
    """Branch-and-price from a converged ``relaxation`` for at most ``seconds``, against the
    ``incumbent`` penalty: a better roster if found, the optimum if the tree is searched."""
    threads = max(1, int(ctx.options.threads))
    root = NodeLP(value=relaxation.lp_value, bound=relaxation.bound
                  if relaxation.bound is not None else -math.inf,
                  weights=relaxation.weights, exact=relaxation.bound is not None,
                  converged=relaxation.converged)
    with ThreadPoolExecutor(threads) as executor:
        tree = Tree(roster, relaxation.pricers, relaxation.pool, backend, ctx, executor)
        tree.complete = complete
        tree.use_live = live
        return tree.search(root, float(incumbent), ctx.elapsed() + seconds)
