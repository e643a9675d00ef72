"""Column generation over employee rows: a lower bound, and an LP-guided first roster.

Why: on the Curtois & Qu instances CP-SAT's own bound stays at 25-110 and its search stalls
on weekend cover gaps whose repair rebuilds rows of many people across weeks.  The
Dantzig-Wolfe master over whole rows (:mod:`optikit_rostering.colgen_master`; rows priced
by :mod:`optikit_rostering.colgen_pricing`) has the per-person hull of the rules in its LP:
its value is within a few units of the best-known penalties (Instance5 1,140.6 against
1,143, Instance7 1,054.1 against 1,056).

The master LP stays loaded in HiGHS across the rounds (:mod:`optikit_rostering.colgen_live`:
new columns added, warm started) unless ``colgen_lp=rebuild``.  The loop prices the
employees under the LP's duals (in parallel; by default exactly, by the
labelling pricer, every round everyone; with ``colgen_pricer=cpsat`` one CP-SAT worker each,
while the LP still falls fast short unproved calls for the half whose rows priced out most,
then everyone with proofs) until no row prices out, the rounded Lagrangian bound meets the
rounded LP value, or its share of the time is spent.  Each round whose pricing problems
were all solved to optimality gives the Lagrangian bound ``sum(duals * right-hand sides)
+ sum over employees of their cheapest row's reduced cost``, valid for any duals (clipped
to the slacks' weights); once nothing prices out it equals the LP value.

The roster, from the converged pool (load 2-3): the restricted master as a MILP
(price-and-branch, HiGHS) reached 1,143 on Instance5 in about 1 s but only 1,453 on Instance7 in
20 s (1,270 with MIP presolve on; CP-SAT on the master 2,299), where the whole CP-SAT model
with every (employee, day) the LP solution decides integrally fixed to it (365 of 560) found
1,061 in 4 s.  So both run, briefly: the MILP, then the fixed model hinted with the MILP's
roster, and the better roster hints the rest of the run (:mod:`optikit_rostering.cpsat`).
A relaxation without a bound (no pricing round proved: Instance12 at 24 s) skips the MILP;
the LP's rounding (:mod:`optikit_rostering.colgen_round`, 0.1 s) hints the fixed model
instead, and whenever it beats the MILP's roster.
The fixed model's search can settle a whole shortfall above the bound (Instance9: 539 where
the bound is 405 and the same fixing reaches 439 on other runs), and from there the rest of
the run rarely repairs it: it then runs again under another seed (``RETRIES``).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from optikit.paradigms import LinearBackend
from optikit.types import SolveContext
from optikit_rostering.colgen_branch import branch_and_price
from optikit_rostering.colgen_dive import dive
from optikit_rostering.colgen_live import live_round, open_live
from optikit_rostering.colgen_master import build, penalty
from optikit_rostering.colgen_pricing import (
    ENTER,
    Column,
    Duals,
    Fixing,
    Pricer,
    pin_cells,
    reduced_cost,
)
from optikit_rostering.colgen_round import support_roster
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.lns import shortfall
from optikit_rostering.model import Roster
from optikit_rostering.options import CPSAT_OPTIONS

#: CP-SAT deterministic time one pricing problem may take (its columns count even when
#: not proved optimal): deterministic so that a seeded run repeats.  A pricing problem of
#: Instance7 takes about 0.02 units to prove (0.2 s on the wall clock at load 6).  The wall
#: clock caps a call at ``WALL`` seconds (or the phase's end) all the same.
PRICE_TIME, WALL = 0.5, 2.0
#: Pricing work while the LP value falls by more than ``QUICK_UNTIL`` a round (columns
#: without proofs), then ``PRICE_TIME``.  At 0.003 units a call often ended with no row or
#: a weak one (Instance12, random duals: 5 of 40 calls found none; 1.1 rows a call on
#: Instance8), and the LP fell slowly: 0.01 costs about 1.5 times as much a call and, with
#: ``PARTIAL``, brought the LP after 24 s from 7,066-8,091 to 4,294-4,339 on Instance12
#: (best known 4,040) and from 1,422 to 1,347 on Instance8 (seed 0; load 5-6).
QUICK_TIME, QUICK_UNTIL = 0.01, 0.002
#: Partial pricing in the quick rounds: only this share of the employees (at least two per
#: thread), those whose rows priced out most the last time, so the LP's duals are renewed
#: twice as often; a partial round that finds nothing is followed by a full one.
PARTIAL = 0.5
#: Columns kept from one pricing problem (the last solutions CP-SAT found).
COLUMNS_PER_PRICING = 5
#: Dual smoothing (Wentges): pricing uses ``alpha * best-bound duals + (1 - alpha) * LP
#: duals``, which damps the LP duals' swings between rounds.
SMOOTHING = 0.5


@dataclass
class Relaxation:
    """What the column generation leaves: the pool, the last LP's column values (per
    employee, column -> value), the LP value and the best valid lower bound."""

    pool: list[Column] = field(default_factory=list)
    weights: dict[int, list[tuple[Column, float]]] = field(default_factory=dict)
    lp_value: float | None = None
    bound: float | None = None
    converged: bool = False
    rounds: int = 0
    #: The pricing models (one per employee), for branch-and-price to reuse.
    pricers: list[Pricer] = field(default_factory=list)
    #: Whether every employee was priced exactly (the labelling pricer: every round proved).
    exact: bool = False


def linear_backend(ctx: SolveContext) -> LinearBackend | None:
    """HiGHS for the master LP: the run's registered backend, else the plugin's class."""
    found = ctx.backend_of("highs", LinearBackend)
    if found is not None:
        return found
    try:
        from optikit_highs.backend import HighsBackend
    except ImportError:
        return None
    backend = HighsBackend()
    return backend if backend.availability().available else None


def generate(roster: Roster, ctx: SolveContext, end: float,
             stats: dict[str, Any]) -> Relaxation | None:
    """Column generation until it converges or ``end`` (seconds since the run started);
    None without a linear backend."""
    backend = linear_backend(ctx)
    if backend is None:
        return None
    started = time.monotonic()
    threads = max(1, int(ctx.options.threads))
    opts = ctx.options_for(CPSAT_OPTIONS)
    labels = opts["colgen_pricer"] == "labels"
    keep_lp = opts["colgen_lp"] == "live"
    pricers: list[Pricer] = []
    for e in range(roster.num_employees):
        if ctx.expired() or ctx.elapsed() >= end:
            return None  # no time left for the relaxation
        pricers.append(Pricer(roster, e, labels=labels))
    out = Relaxation(pricers=pricers)
    # Exact pricing for everyone (the labelling pricer): every round is proved and full.
    exact = out.exact = all(p.labels is not None for p in pricers)
    seen: set[tuple[int, tuple[int | None, ...], tuple[str | None, ...]]] = set()

    def add(columns: list[Column]) -> int:
        fresh = 0
        for col in columns:
            key = (col.employee, col.row, col.stations)
            if key not in seen:
                seen.add(key)
                out.pool.append(col)
                fresh += 1
        return fresh

    zero = Duals({}, {}, {}, [0.0] * roster.num_employees)
    with ThreadPoolExecutor(threads) as pool:
        def price_all(duals: Duals, below: float, work: float = PRICE_TIME,
                      which: list[Pricer] | None = None
                      ) -> list[tuple[list[Column], float | None]]:
            def price(p: Pricer) -> tuple[list[Column], float | None]:
                # The wall-clock cap per call, not per round: the calls of a round run a
                # few at a time, and a round's last ones ran up to 3.5 s past ``end``
                # (Instance8, 30 staff, 2 threads).
                wall = min(WALL, end - ctx.elapsed())
                if wall <= 0 or ctx.stop.is_set():
                    return [], None
                return p.price(duals, work, wall, seed=int(ctx.options.seed),
                               most=COLUMNS_PER_PRICING, below=below)

            return list(pool.map(price, pricers if which is None else which))

        # First rows for everyone: the cheapest under no duals (requests only) and under
        # cover duals at half the under-cover weights (rows that work what they may).
        for first in (zero, _demand_duals(roster)):
            for cols, _lb in price_all(first, math.inf):
                add(cols[-1:])
        if {c.employee for c in out.pool} != set(range(roster.num_employees)):
            stats["colgen"] = "an employee has no feasible row"
            return None
        center: Duals | None = None  # the duals of the best Lagrangian bound so far
        least = [-math.inf] * roster.num_employees  # per employee, the last least reduced cost
        full_next = False  # the next quick round prices everyone
        alpha = SMOOTHING
        lp_s = pricing_s = 0.0  # where the rounds' time goes
        rows_of: dict[Column, list[tuple[int, float]]] = {}  # each column's master rows
        quick = not exact  # short pricing (no proofs) while the LP value still falls fast
        live = open_live(roster, out.pool, ctx) if keep_lp else None
        while not ctx.expired() and ctx.elapsed() < end:
            clock = time.monotonic()
            answer = live_round(live, out.pool, end - ctx.elapsed())
            if answer is not None and live is not None:
                master, (objective, x, row_duals) = live.master, answer
            else:
                live = None  # rebuilt from now on
                master = build(roster, out.pool, integer=False, cache=rows_of)
                result = backend.solve(master.model, ctx.narrowed(
                    max(0.0, end - ctx.elapsed()), verbose=False))
                if result.x is None or result.row_duals is None or result.objective is None:
                    break
                objective, x, row_duals = float(result.objective), result.x, result.row_duals
            lp_s += time.monotonic() - clock
            if out.lp_value is not None and \
                    out.lp_value - objective < QUICK_UNTIL * out.lp_value:
                quick = False
            out.lp_value = objective
            out.weights = _weights(master.columns, x, master.first_column)
            duals = master.duals(row_duals)
            priced = duals if center is None or alpha == 0 else center.mix(duals, alpha)
            which = pricers
            if quick and not full_next:
                # Partial pricing: the employees whose rows priced out most the last time.
                which = sorted(pricers, key=lambda p: least[p.e])[
                    :max(2 * threads, math.ceil(PARTIAL * len(pricers)))]
            clock = time.monotonic()
            answers = price_all(priced, math.inf, QUICK_TIME if quick else PRICE_TIME, which)
            pricing_s += time.monotonic() - clock
            out.rounds += 1
            fresh = 0
            for p, (cols, _lb) in zip(which, answers, strict=True):
                costs = [reduced_cost(roster, c, duals) for c in cols]
                least[p.e] = min(costs, default=0.0)
                fresh += add([c for c, rc in zip(cols, costs, strict=True) if rc < ENTER])
            proven = [lb for _cols, lb in answers] + [None] * (len(pricers) - len(which))
            if all(lb is not None for lb in proven):
                lagrangian = _lagrangian(priced, [lb for lb in proven if lb is not None])
                if out.bound is None or lagrangian > out.bound:
                    out.bound, center = lagrangian, priced
            if fresh == 0 and quick:
                # A partial round found nothing: everyone next; a full one: proofs next.
                partial = len(which) < len(pricers)
                full_next, quick = partial, partial
                continue
            full_next = False
            if fresh == 0 and priced is duals:
                out.converged = all(lb is not None for lb in proven)
                break
            # A smoothed round that found nothing the LP can use (a mispricing): the LP's
            # own duals next.
            alpha = 0.0 if fresh == 0 else SMOOTHING
            if out.bound is not None and \
                    math.ceil(out.bound - 1e-6) >= math.ceil(out.lp_value - 1e-6):
                break  # the rounded bound can no longer rise
        stats.update(colgen_lp_s=round(lp_s, 1), colgen_pricing_s=round(pricing_s, 1),
                     colgen_live_lp=live is not None)
    stats.update(colgen_label_calls=sum(p.label_calls for p in pricers),
                 colgen_cpsat_calls=sum(p.cpsat_calls for p in pricers))
    stats.update(colgen_rounds=out.rounds, colgen_columns=len(out.pool),
                 colgen_s=round(time.monotonic() - started, 1), colgen_converged=out.converged,
                 colgen_lp=None if out.lp_value is None else round(out.lp_value, 2))
    return out


def _demand_duals(roster: Roster) -> Duals:
    cell: dict[tuple[int, int], float] = {}
    station: dict[tuple[int, int, str], float] = {}
    for c in roster.cover:
        if c.skill is None:
            cell[c.day, c.shift] = cell.get((c.day, c.shift), 0.0) + c.under_weight / 2
        else:
            key = (c.day, c.shift, c.skill)
            station[key] = station.get(key, 0.0) + c.under_weight / 2
    return Duals(cell, station, {}, [0.0] * roster.num_employees)


def integral_bound(bound: float | None) -> float | None:
    """Penalties are integers: the bound rounded up (with a tolerance for the LP's)."""
    return None if bound is None else float(math.ceil(bound - 1e-6))


def _weights(columns: list[Column], x: Any,
             first: int) -> dict[int, list[tuple[Column, float]]]:
    out: dict[int, list[tuple[Column, float]]] = {}
    for j, col in enumerate(columns):
        value = float(x[first + j])
        if value > 1e-6:
            out.setdefault(col.employee, []).append((col, value))
    return out


def _lagrangian(duals: Duals, reduced: list[float]) -> float:
    """A lower bound on every roster: the duals times the right-hand sides plus, per
    employee, the proven least reduced cost with the convexity dual added back."""
    return duals.demand + sum(rc + mu for rc, mu in zip(reduced, duals.convexity, strict=True))


def fixing(rm: RosterModel, relaxation: Relaxation,
           decisions: dict[int, Fixing] | None = None) -> Any:
    """A copy of the whole CP-SAT model with every (employee, day) on which the LP solution
    is integral fixed to it (the rest free), and a branch-and-price node's ``decisions``."""
    sub = rm.model.clone()
    for e, fixed in (decisions or {}).items():
        pin_cells(sub, rm.x[e], fixed)  # (a forced cell without a variable: no row, pruned)
    decided: dict[tuple[int, int], int | None] = {}
    for e, weighted in relaxation.weights.items():
        for d in range(rm.roster.days):
            shares: dict[int | None, float] = {}
            for col, value in weighted:
                shares[col.row[d]] = shares.get(col.row[d], 0.0) + value
            top, weight = max(shares.items(), key=lambda kv: kv[1])
            if weight > 1 - 1e-6:
                decided[e, d] = top
    for e, d, s, var in rm.all_cells():
        if (e, d) in decided:
            domain = sub.proto.variables[var.index].domain
            domain[0] = domain[1] = int(decided[e, d] == s)
    return sub


#: With ``colgen_step=dive``: the dive's share of the time (the MILP's and some of the fixed
#: model's).
DIVE = 0.15


#: At most this many more fixed solves, each under another seed, while the roster stays a
#: whole shortfall above the bound (see :func:`avoidable_gap`): one more on Instance9 ended
#: at 439 on some runs and 539 again on others (60 s, 2 threads, idle machine).
RETRIES = 2
#: A roster: (grid, stations, penalty).
Seed = tuple[list[list[int | None]], dict[tuple[int, int], str], int]


def first_roster(rm: RosterModel, backend: Any, ctx: SolveContext, share: float,
                 mip_share: float, fix_share: float, stats: dict[str, Any],
                 run: Any, branch: str = "off", step: str = "fix"
                 ) -> tuple[Seed | None, float | None]:
    """The column-generation phase of ``cpsat``: the relaxation for at most ``share`` of the
    remaining time; the restricted master MILP for at most ``mip_share`` (if the relaxation
    has a bound: :func:`proved`; else its time goes to the fixed model) and the LP's
    rounding; then the whole model with the LP's integral days fixed, hinted with the
    better roster (``run``: the caller's stall-stopped CP-SAT solve of (model, seconds,
    hint, floor, seed offset); given at most ``fix_share``), once more under another seed
    from its roster if that is a whole shortfall above the bound (:func:`avoidable_gap`);
    then branch-and-price (``branch``: :func:`use_branch`).  Returns (the better roster or
    None, the valid lower bound or None)."""
    remaining = ctx.remaining()
    budget = 60.0 if remaining is None else remaining
    relaxation = generate(rm.roster, ctx, ctx.elapsed() + share * budget, stats)
    if relaxation is None:
        return None, None
    bound = integral_bound(relaxation.bound)
    stats["colgen_bound"] = bound
    if bound is not None:
        ctx.report(None, bound, "colgen")
    if ctx.expired() or not relaxation.weights:
        # Stopped (Ctrl-C) before the roster steps: the LP's rows still make a roster.
        return pool_roster(rm.roster, relaxation), bound
    best = None
    weights = relaxation.weights  # the LP whose integral days the fixed model fixes
    if proved(relaxation) and relaxation.exact and step == "dive":
        # A dive replaces the MILP: its LP, with rows fixed, is what the fixed model fixes.
        seconds = max(mip_share, DIVE) * budget
        fix_share -= max(0.0, DIVE - mip_share)
        dived = dive(rm.roster, relaxation.pool, relaxation.pricers, ctx, seconds, stats)
        if dived is not None:
            weights = dived.weights
    elif proved(relaxation) and len(relaxation.pool) <= MILP_COLUMNS:
        best = master_roster(rm, ctx, relaxation.pool, mip_share * budget)
        if best is not None:
            ctx.report(float(best[2]), None, "colgen-mip")
    else:
        fix_share += mip_share  # the MILP's time goes to the fixed model
    stats["colgen_mip"] = None if best is None else best[2]
    rounded = support_roster(rm.roster, weights)
    stats["colgen_rounded"] = None if rounded is None else rounded[1]
    if rounded is not None and (best is None or rounded[1] < best[2]):
        best = _seed(*rounded)
        ctx.report(float(best[2]), None, "colgen-rounded")
    if ctx.expired():
        return best or pool_roster(rm.roster, relaxation), bound
    hint = None if best is None else rm.hint(best[0], best[1])
    fixed_lp = Relaxation(weights=weights)
    result = run(fixing(rm, fixed_lp), fix_share * budget, hint,
                 None if best is None else float(best[2]), 0)
    stats["colgen_fixed_s"] = round(ctx.elapsed(), 1)
    best = _better(rm, result, best)
    stats["colgen_fixed"] = None if best is None else best[2]
    retries = 0
    while best is not None and bound is not None and retries < RETRIES \
            and not ctx.expired() and avoidable_gap(rm.roster, best, bound):
        # The fixed model's search settled on a roster a whole shortfall above the bound
        # (Instance9: 539 where the bound is 405; the same fixing found 439-471 on other
        # runs): the same model again under another seed, from this roster.
        retries += 1
        if step == "retry" and retries == 1 and relaxation.exact:
            # The same model again settled the same way: fix a dive's rows instead.
            dived = dive(rm.roster, relaxation.pool, relaxation.pricers, ctx, DIVE * budget,
                         stats)
            if dived is not None:
                fixed_lp = Relaxation(weights=dived.weights)
        result = run(fixing(rm, fixed_lp), fix_share * budget, rm.hint(best[0], best[1]),
                     float(best[2]), retries)
        best = _better(rm, result, best)
    if retries:
        stats.update(colgen_repair=best[2] if best else None, colgen_retries=retries,
                     colgen_repair_s=round(ctx.elapsed(), 1))
    # ``auto`` only with exact pricing: with CP-SAT pricing the tree got 5-9 nodes a run and
    # never a better roster (README, branch roster-bp).
    if best is not None and bound is not None and use_branch(branch, best[2], bound) \
            and (branch == "on" or relaxation.exact) and not ctx.expired():
        best, bound = _branch(rm, ctx, relaxation, best, bound, budget, stats, run)
    return best, bound


#: Branch-and-price after the fixed model (:mod:`optikit_rostering.colgen_branch`): at most
#: ``BRANCH`` of the time, ending at least ``BRANCH_LEAVE`` of it before the deadline (for
#: the hinted whole model); with ``colgen_branch=auto`` only while the roster is within
#: ``BRANCH_GAP`` of the bound (a tree that small is searched); each node's CP-SAT
#: completion (the node's integral cells and decisions fixed, the penalty below the
#: incumbent) gets ``COMPLETE`` of the time.  With exact pricing (the labelling pricer) the
#: nodes run without completions: a node's LP rounds then take 0.1-0.3 s and the
#: completions (1-2 s each, 11 in 23.5 s on Instance6) were most of the tree's time; without
#: them 30-56 nodes instead of 6-10 in 24 s (Instances 6 and 7, load 6-7).
BRANCH, BRANCH_LEAVE, BRANCH_GAP, COMPLETE = 0.4, 0.1, 0.01, 0.03


def use_branch(choice: str, value: float, bound: float) -> bool:
    """Whether branch-and-price runs: ``on`` while the roster is above the bound, ``auto``
    while it is also within ``BRANCH_GAP`` of it."""
    if choice == "off" or value <= bound + 1e-9:
        return False
    return choice == "on" or value - bound <= BRANCH_GAP * max(1.0, abs(bound))


def _branch(rm: RosterModel, ctx: SolveContext, relaxation: Relaxation, best: Seed,
            bound: float, budget: float, stats: dict[str, Any],
            run: Any) -> tuple[Seed, float]:
    """Branch-and-price from the relaxation against ``best``: a better roster, and the
    bound raised to the optimum if the tree is searched to the end."""
    backend = linear_backend(ctx)
    remaining = ctx.remaining()
    seconds = BRANCH * budget if remaining is None else \
        min(BRANCH * budget, remaining - BRANCH_LEAVE * budget)
    if backend is None or seconds <= 0:
        return best, bound

    def complete(weights: dict[int, list[tuple[Column, float]]],
                 decisions: dict[int, Fixing], incumbent: int) -> Seed | None:
        sub = fixing(rm, Relaxation(weights=weights), decisions)
        sub.add(sum(w * v for w, v in rm.objective_terms) + rm.constant <= incumbent - 1)
        result = run(sub, max(1.0, COMPLETE * budget), None, float(incumbent), 0)
        return _better(rm, result, None)

    out = branch_and_price(rm.roster, relaxation, backend, ctx, best[2], seconds,
                           None if relaxation.exact else complete)
    stats.update(out.stats)
    if out.roster is not None and out.roster[2] < best[2]:
        best = out.roster
    if out.optimum is not None and out.optimum > bound:
        bound = out.optimum
        ctx.report(None, bound, "colgen-branch")
    stats["colgen_bound"] = bound
    return best, bound


#: With exact pricing, the restricted master MILP runs only while the relaxation's bound is
#: within this share of its LP value (see :func:`proved`).
MILP_GAP = 0.05
#: ... and only over a pool of at most this many columns (else its time goes to the fixed
#: model): over Instance12's 6,500-7,200 (60 staff) HiGHS found 14,746-20,411 in its 6 s,
#: lost to the fixed model every time; with those 6 s the fixed model gave 4,140-4,440
#: (against 4,144-4,847).  Instances 5-11 end with 650-3,150 columns (unchanged).
MILP_COLUMNS = 5000


def proved(relaxation: Relaxation) -> bool:
    """Whether some pricing round of the relaxation was proved throughout (it has a bound).
    Without one its pool holds only rows from short unproved calls, and the restricted
    master MILP over it is not worth its time: Instance12 (no bound at 24 s of 60) got
    rosters at 9,380-11,159 from the MILP's 6 s, which the LP's rounding
    (:mod:`optikit_rostering.colgen_round`) matches in 0.1 s.  Where a bound exists the MILP
    stays: on Instance8 (bound 8-20 % below the LP) its 2,146-2,750 hinted the fixed model
    better than the rounding's 2,846-3,255.  With exact pricing (the labelling pricer) every
    round has a bound, so the MILP runs only while the bound is within ``MILP_GAP`` of the
    LP: on Instance12 (LP 4,220, bound 3,608 at 24 s) its 6 s gave 23,036, lost to the
    rounding's 9,281; on Instance8 (LP 1,296.6, bound 1,297) it gave 2,009 and hinted the
    fixed model's 1,499."""
    if relaxation.bound is None or relaxation.lp_value is None:
        return False
    if not relaxation.exact:
        return True
    return relaxation.lp_value - relaxation.bound <= MILP_GAP * max(1.0, abs(relaxation.lp_value))


def _better(rm: RosterModel, result: Any, best: Seed | None) -> Seed | None:
    """The roster of a fixed-model ``result`` if it beats ``best``, else ``best``."""
    if result.status.has_solution and (best is None or round(result.objective) < best[2]):
        return (rm.grid(result.boolean_value), rm.stations(result.boolean_value),
                round(result.objective))
    return best


def avoidable_gap(roster: Roster, seed: Seed, bound: float) -> bool:
    """Whether ``seed`` leaves a cover line short while its penalty is above ``bound`` by
    more than the heaviest single shortfall: the bound leaves room to close one of them."""
    grid, stations, value = seed
    heaviest = max((c.under_weight for c in roster.cover), default=0)
    return value - bound > heaviest and any(
        c.under_weight > 0 and shortfall(roster, grid, stations, c) > 0 for c in roster.cover)


def master_roster(rm: RosterModel, ctx: SolveContext, pool: list[Column],
                  seconds: float) -> Seed | None:
    """The restricted master MILP's roster (price-and-branch), if it finds one that meets
    every safety rule within ``seconds``."""
    backend = linear_backend(ctx)
    if backend is None or seconds <= 0:
        return None
    master = build(rm.roster, pool, integer=True)
    result = backend.solve(master.model, ctx.narrowed(seconds, verbose=False))
    if result.x is None or result.objective is None:
        return None
    artificial = result.x[2 * master.cover_rows:master.first_column]
    picked = master.chosen(result.x)
    if len(picked) < rm.roster.num_employees or any(v > 0.5 for v in artificial):
        return None
    return _seed([picked[e] for e in range(rm.roster.num_employees)], round(result.objective))


def pool_roster(roster: Roster, relaxation: Relaxation) -> Seed | None:
    """A roster at once, for a run stopped during the relaxation: per employee the row
    with the largest value in the last LP (or their first row), if the rows together keep
    every safety rule."""
    chosen: list[Column] = []
    for e in range(roster.num_employees):
        weighted = relaxation.weights.get(e)
        if weighted:
            chosen.append(max(weighted, key=lambda cv: cv[1])[0])
        else:
            mine = [c for c in relaxation.pool if c.employee == e]
            if not mine:
                return None
            chosen.append(mine[0])
    value = penalty(roster, chosen)
    return None if value is None else _seed(chosen, value)


def _seed(chosen: list[Column], value: int) -> Seed:
    """The roster of one column per employee (in employee order) with its penalty."""
    grid = [list(col.row) for col in chosen]
    stations = {(col.employee, d): k for col in chosen for d, k in enumerate(col.stations)
                if k is not None}
    return grid, stations, value
