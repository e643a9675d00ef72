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

The roster step that follows is :mod:`optikit_rostering.colgen_roster`.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from optikit.paradigms import LinearBackend
from optikit.types import SolveContext
from optikit_rostering.colgen_live import live_round, open_live
from optikit_rostering.colgen_master import build
from optikit_rostering.colgen_pricing import (
    ENTER,
    Column,
    Duals,
    Pricer,
    reduced_cost,
)
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
