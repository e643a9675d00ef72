"""The roster step of column generation: from the relaxation (:mod:`optikit_rostering.colgen`)
to a first roster, and branch-and-price.

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

``colgen_step=dives`` (:func:`dives`), when the relaxation is tight and cheap enough
(:func:`use_dives`), replaces the MILP and the fixed model on the relaxation's LP: dives to
the end with re-pricing (:mod:`optikit_rostering.colgen_dive`), each followed by the fixed
model on its own LP, hinted with its roster.  On Instance8 (bound 1,297) the fixed model on
the relaxation's LP settled at 1,400-1,500: 14-15 uncovered shifts where the LP has 12 (the
staff's night caps and two-weekend limits leave exactly 12 nights short; the 13th and 14th
gaps were weekend day shifts or weekday nights, which no fixed-day model can move between
people); the dive keeps the LP's night and weekend allocation and gave 1,303-1,308.
"""

from __future__ import annotations

import math
import random
from typing import Any

from optikit.types import SolveContext
from optikit_rostering.colgen import Relaxation, generate, integral_bound, linear_backend
from optikit_rostering.colgen_branch import branch_and_price
from optikit_rostering.colgen_dive import Dive, dive
from optikit_rostering.colgen_master import build, penalty
from optikit_rostering.colgen_pricing import Column, Fixing, pin_cells
from optikit_rostering.colgen_round import support_roster
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.lns import shortfall
from optikit_rostering.model import Roster
from optikit_rostering.options import CPSAT_OPTIONS


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
    began = ctx.elapsed()
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
    mip_done = False
    if step == "dives" and use_dives(relaxation, ctx.elapsed() - began, budget):
        # A short MILP first over a small pool: it may settle small instances at once
        # (Instance5: 1,143 in 1-4 s, where the dives' roster was 1,146).
        if len(relaxation.pool) <= MILP_COLUMNS:
            mip_done = True
            best = master_roster(rm, ctx, relaxation.pool, DIVES_MIP * budget)
            if best is not None:
                ctx.report(float(best[2]), None, "colgen-mip")
        if best is None or bound is None or far_above(best[2], bound):
            stats.update(colgen_step="dives", colgen_mip=None if best is None else best[2])
            best = dives(rm, ctx, relaxation, bound, budget, began + DIVES_END * budget,
                         stats, run, best)
            return _after_fixing(rm, ctx, relaxation, best, bound, budget, stats, run, branch)
    if step == "dives":
        stats["colgen_step"] = "fix"
    if proved(relaxation) and relaxation.exact and step == "dive":
        # A dive replaces the MILP: its LP, with rows fixed, is what the fixed model fixes.
        seconds = max(mip_share, DIVE) * budget
        fix_share -= max(0.0, DIVE - mip_share)
        dived = dive(rm.roster, relaxation.pool, relaxation.pricers, ctx, seconds, stats)
        if dived is not None:
            weights = dived.weights
    elif mip_done:
        fix_share += mip_share - DIVES_MIP  # the rest of the MILP's time
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
    return _after_fixing(rm, ctx, relaxation, best, bound, budget, stats, run, branch)


def _after_fixing(rm: RosterModel, ctx: SolveContext, relaxation: Relaxation,
                  best: Seed | None, bound: float | None, budget: float,
                  stats: dict[str, Any], run: Any, branch: str
                  ) -> tuple[Seed | None, float | None]:
    """Branch-and-price after the roster step, if ``branch`` says so (:func:`use_branch`)."""
    # ``auto`` only with exact pricing: with CP-SAT pricing the tree got 5-9 nodes a run and
    # never a better roster (README, branch roster-bp).
    if best is not None and bound is not None and use_branch(branch, best[2], bound) \
            and (branch == "on" or relaxation.exact) and not ctx.expired():
        best, bound = _branch(rm, ctx, relaxation, best, bound, budget, stats, run)
    return best, bound


#: ``colgen_step=dives``: dives (each to the end, at most ``DIVE`` of the time) and their
#: fixed models while the roster stays a whole shortfall above the bound, until ``DIVES_UNTIL``
#: of the time since the roster step began has gone, and at the latest ``DIVES_END`` of the
#: time after the column generation began (the rest for the whole model).
DIVES_UNTIL, DIVES_END = 0.6, 0.75
#: Column-generation rounds a dive to the end takes (30-50 on Instance8: 10-18 fixing steps
#: of up to ``colgen_dive.ROUNDS``), to foresee its time from the relaxation's rounds.
DIVE_ROUNDS = 40
#: The dives step's restricted master MILP first (pools up to ``MILP_COLUMNS``): at most
#: this share of the time; a roster within ``BRANCH_GAP`` of the bound from it skips the
#: dives (the fixed model on the relaxation's LP then, as with ``fix``).
DIVES_MIP = 0.05
#: Each dive's fixed model: at most this share of the time, then the next dive.  Uncapped
#: (stall-stopped only), Instance8 seed 1's first fixed model crept from 1,504 to 1,418 for
#: 20 s and one more dive fitted; capped at 9 s, the third dive gave 1,309 (seeds 0-2:
#: 1,303 / 1,307 / 1,305 against 1,303 / 1,311 / 1,307).
DIVE_FIX = 0.15
#: The attempt (counted from 0) that, instead of a dive, runs the fixed model on the
#: relaxation's own LP hinted with the best roster (-1: never, the default).  At 2 (the fix
#: step's retry, which reached 439 on Instance9 where a dives run stayed at 476): Instance9
#: seeds 2 / 0 440 / 439 (the second, jittered dive found them), Instance8 seed 1 1,318
#: (three attempts at 1,418, the fourth did not fit; every attempt a dive: 1,309).
RELAXED_AT = -1
#: The dives step's dives lazy (:func:`colgen_dive.dive`: no re-pricing while the LP has
#: not moved); off.
DIVE_LAZY = False
#: At most this many dives (Instance1's 607 is 9 % above its bound 558: 1,152 dives of 0.03 s
#: each went by before the step's time was spent, all at 607).
MAX_DIVES = 4


def use_dives(relaxation: Relaxation, seconds: float, budget: float) -> bool:
    """Whether the dives step applies: exact pricing, a tight relaxation (its rounded bound
    meets its rounded LP: the LP is the roster's target), and a dive at the relaxation's
    pace (``seconds`` for its rounds) fits in half the step's time.  Instance12's relaxation
    takes 16-24 s for 30 rounds (60 staff): a dive there would take most of the run."""
    if not relaxation.exact or relaxation.bound is None or relaxation.lp_value is None:
        return False
    if math.ceil(relaxation.bound - 1e-6) < math.ceil(relaxation.lp_value - 1e-6):
        return False
    pace = seconds / max(1, relaxation.rounds)
    return DIVE_ROUNDS * pace <= DIVES_UNTIL * budget / 2


def dives(rm: RosterModel, ctx: SolveContext, relaxation: Relaxation, bound: float | None,
          budget: float, end: float, stats: dict[str, Any], run: Any,
          best: Seed | None = None) -> Seed | None:
    """The roster step ``dives``: a dive to the end from the converged LP (its roster, and
    the LP of its last step within ``colgen_dive.RISE`` of the start), then the whole model
    with that LP's integral days fixed, hinted with the dive's roster; again with the
    dive's ranking jittered (another seed) while the best roster (at first ``best``) is
    more than ``BRANCH_GAP`` above the bound (:func:`far_above`), at most ``MAX_DIVES``
    times while time is left."""
    until = min(end, ctx.elapsed() + DIVES_UNTIL * budget)
    rng = random.Random(int(ctx.options.seed))
    done = 0
    while not ctx.expired() and ctx.elapsed() < until and done < MAX_DIVES:
        seconds = min(DIVE * budget, until - ctx.elapsed())
        if done == RELAXED_AT and best is not None:
            # The fixed model on the relaxation's own LP, from the best roster so far.
            dived: Dive | None = Dive(weights=relaxation.weights)
            found: tuple[list[Column], int] | None = None
            hint = rm.hint(best[0], best[1])
        else:
            dived = dive(rm.roster, relaxation.pool, relaxation.pricers, ctx, seconds, stats,
                         to_end=True, jitter=rng if done else None, lazy=DIVE_LAZY)
            found = None if dived is None else \
                dived.roster or support_roster(rm.roster, dived.weights)
            hint = None
        done += 1
        if dived is None:
            break
        if found is not None:
            seed = _seed(*found)
            hint = rm.hint(seed[0], seed[1])
            if best is None or seed[2] < best[2]:
                best = seed
                ctx.report(float(seed[2]), None, "colgen-dive")
        if ctx.expired() or ctx.elapsed() >= until:
            break
        result = run(fixing(rm, Relaxation(weights=dived.weights)),
                     max(1.0, min(DIVE_FIX * budget, until - ctx.elapsed())), hint,
                     None if best is None else float(best[2]), done - 1)
        best = _better(rm, result, best)
        stats.setdefault("colgen_dives_found", []).append(None if best is None else best[2])
        if best is None or bound is None or not far_above(best[2], bound):
            break
    stats.update(colgen_dives=done, colgen_fixed=None if best is None else best[2],
                 colgen_fixed_s=round(ctx.elapsed(), 1))
    return best


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


def far_above(value: float, bound: float) -> bool:
    """Whether a roster is more than ``BRANCH_GAP`` above the bound: the dives step dives
    again (Instance6: 2,045 against the bound 1,949 is less than one shortfall's weight, 100,
    above it, so :func:`avoidable_gap` stopped there; the best known is 1,950); within it the
    step hands over to branch-and-price."""
    return value - bound > BRANCH_GAP * max(1.0, abs(bound))


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

    live = ctx.options_for(CPSAT_OPTIONS)["colgen_branch_lp"] == "live"
    out = branch_and_price(rm.roster, relaxation, backend, ctx, best[2], seconds,
                           None if relaxation.exact else complete, live=live)
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
