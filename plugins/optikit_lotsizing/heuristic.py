"""Formulations ``rf`` and ``fl``: a start plan, fix-and-optimise, then the full model.

``fl`` (the default) is the short form: the cut loop (its LP bound is a proven bound; the
MILP keeps the plain rows, see ``MILP_CUTS``; skipped on large models where the
MILP's root bound is far higher, see ``ROOT_BOUND_BACKENDS``), a start plan (the constructed plan of
:mod:`construct`, which needs no LP; the rounded LP where it does not fit), on large
models improved by fix-and-optimise for half the time left, then the full MILP with
that plan as its MIP start (:class:`HintedModel`; every MIP backend takes it, see
:func:`optikit.paradigms.start_point`); the plan is the answer whenever the MILP finds
nothing better, so a planner always gets one.
``rf`` runs all three steps below.

Large instances (100 items x 52 periods x 3 levels) are out of reach of one MILP in a
minute, so the plan is found in pieces of the model with the (l,S) cuts:

1. a start plan: on large models (where every LP costs seconds) the last LP of the cut
   loop is rounded (see :func:`round_lp`; orders rounded up to MOQ and multiple in the
   price segment they mostly use) and the remaining LP solved;
   on smaller models relax-and-fix: integers (setups, orders, lot counts) of ``window``
   periods are integer, later ones relaxed, earlier ones fixed; after each solve the
   first ``step`` periods are fixed; the constructed plan when neither gives one;
2. fix-and-optimise: windows of ``window`` periods are freed again one at a time with
   every other integer fixed at the incumbent (each window's MIP start), keeping
   improvements; on large models a window frees every column of a few periods and is
   solved as a model of its own, around the horizon (:func:`windows.sliding_windows`);
3. the full MILP runs for the rest of the time: the best of its dual bound, the LP
   bounds of the earlier phases and the unavoidable-cost floor (see :mod:`bounds`)
   proves the gap, and its incumbent replaces the heuristic's if better.

``share`` of the time goes to steps 1-2.  Every share is of the time left before the
last solve must end, a tail before the command's deadline (see :mod:`budget`).  The
status is ``optimal`` only when the proven bound closes the gap to the incumbent within
the requested tolerance.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import (
    LinearModel,
    LinearResult,
    LinearSolver,
    relative_gap,
)
from optikit.types import Outcome, SolveContext, Status
from optikit_lotsizing.bounds import phase_bound
from optikit_lotsizing.budget import Timed, last_solve, over, phase_end, slice_of, solve_end
from optikit_lotsizing.construct import backward_plan
from optikit_lotsizing.cuts import MAX_ROUNDS, relaxation, strengthen
from optikit_lotsizing.formulation import model_stats, outcome_from
from optikit_lotsizing.lagrange import bound_phase
from optikit_lotsizing.linear import LotModel, build
from optikit_lotsizing.model import LotSizingProblem
from optikit_lotsizing.proof import applies as guided_applies
from optikit_lotsizing.proof import counted_point, guided_start, milp_options, with_setup_counts
from optikit_lotsizing.purchases import repurchase
from optikit_lotsizing.startpoint import start_vector
from optikit_lotsizing.windows import (
    better,
    fix_and_optimise,
    hinted,
    relax_and_fix,
    sliding_windows,
    solve_window,
)

#: Models with more columns start from the rounded LP instead of relax-and-fix.
RELAX_AND_FIX_MAX_COLUMNS = 8000
#: Whether ``fl`` hands the (l,S) cuts to the MILP as rows.  Measured on HiGHS 1.14 (MIP
#: presolve off): its own root cuts reach the same bound, the node counts stay the same
#: and every node LP is slower (F1, G73, generated small and medium about 2x slower in
#: total; on the 100x52x3 instance the root bound is no better), so ``fl`` uses the cut
#: loop only for its proven LP bound and the LP that the start plan is rounded from.
MILP_CUTS = False
#: Cut rounds of ``fl`` on models that are not large (the seed LP's cuts come first).
FL_ROUNDS = 2
#: Backends whose MILP root bound on large models beats the cut loop's LP, so ``fl``
#: skips the loop there: with HiGHS on the 100 x 52 x 3 instances the loop's LP
#: (0.69-0.75 M after 3 rounds in 11 s) stays far below the MILP's root (0.94 M at 8 s,
#: 0.985 M at 27 s), and the start plan is the constructed one, which needs no LP.  CBC
#: got no bound from its MILP in 30 s (the answer fell to the unavoidable-cost floor,
#: 0.64 M, instead of the loop's 0.73 M), so the others keep the loop.
ROOT_BOUND_BACKENDS = frozenset({"highs"})
#: Multi-level models (a bill of materials) of at least this many columns take ``fl``'s
#: large-model path with HiGHS below ``RELAX_AND_FIX_MAX_COLUMNS`` too: on
#: ``generate_structured`` instances of 4-4-2 items x 13 periods (493-509 columns) and
#: 6-6-3 x 26 (1,571) HiGHS's MILP search found few plans and none below the windows'
#: (branch lot-s17: plans 1.3-9.4 % cheaper at 30 s, 6.4 % at 60 s); the ``tiny``
#: instances (about 100 columns) it proves in a second.
MULTI_LEVEL_MIN_COLUMNS = 400
#: Setup thresholds of the two-stage roundings of the LP (see :func:`round_lp`).
ROUNDING_THRESHOLDS = (0.5, 0.2)


def rounded_integers(lm: LotModel, lp: NDArray[np.float64], threshold: float = 0.0
                     ) -> NDArray[np.float64]:
    """Integer values from an LP solution.

    A setup wherever the LP's setup exceeds ``threshold`` (0: wherever it produces).
    Offers without a minimum quantity or multiple keep their order binary at 1 in every
    period (the quantity stays free, the order cost is only paid on what is ordered);
    other orders are placed where the LP's order binary reaches 1/2, in the price segment
    holding most of the quantity, rounded up to the MOQ and the multiple.
    """
    fixed = np.zeros(lm.model.num_cols)
    made = lm.x >= 0
    if threshold > 0:
        fixed[lm.y[made]] = (lp[lm.y[made]] > threshold).astype(float)
    else:
        fixed[lm.y[made]] = (lp[lm.x[made]] > 1e-6).astype(float)
    for order in lm.orders:
        if order.w.size == 0:
            continue
        source = order.source
        lows = np.maximum(source.break_from, source.min_order)
        kept = np.flatnonzero(lows <= np.append(source.break_from[1:], np.inf))
        if source.multiple <= 0 and float(lows.max()) <= 0:
            fixed[order.w[len(kept) - 1]] = 1.0  # free quantity: order cost if used
            continue
        qty = float(lp[order.q].sum())
        if float(lp[order.w].sum()) < 0.5 or qty <= 1e-6:
            if order.count >= 0:
                fixed[order.count] = 0.0
            continue
        qty = max(qty, float(lows.min()))
        if source.multiple > 0:
            qty = source.multiple * np.ceil(qty / source.multiple - 1e-9)
            fixed[order.count] = round(qty / source.multiple)
        segment = int(np.searchsorted(source.break_from, qty, "right")) - 1
        where = np.flatnonzero(kept == segment)
        fixed[order.w[where[0] if where.size else len(kept) - 1]] = 1.0
    return fixed


def round_lp(model: LinearModel, lm: LotModel, lp: NDArray[np.float64],
             backend: LinearSolver, ctx: SolveContext, until: float | None
             ) -> LinearResult | None:
    """Step 1 on large models: the best of two-stage roundings, else every setup the LP
    produces in.  A stage fixes the setups the LP opens beyond ``threshold`` and leaves
    the others fractional, so production gathers where setups are paid; the setups it
    still uses are then opened and one LP prices the plan."""
    nothing = np.zeros_like(model.integer)
    setups = np.zeros(model.num_cols, dtype=bool)
    setups[lm.y[lm.x >= 0]] = True
    best: LinearResult | None = None
    for k, threshold in enumerate(ROUNDING_THRESHOLDS):
        if over(ctx, until):
            break
        parts = 2 * (len(ROUNDING_THRESHOLDS) - k) + 1
        fixed = rounded_integers(lm, lp, threshold)
        first = solve_window(model, backend, ctx, nothing, setups & (fixed < 0.5), fixed,
                              slice_of(ctx, until, parts))
        if not first.status.has_solution or first.x is None:
            continue
        result = solve_window(model, backend, ctx, nothing, nothing,
                               rounded_integers(lm, first.x), slice_of(ctx, until, parts - 1))
        if better(result, best):
            best = result
    if best is None and not over(ctx, until):
        result = solve_window(model, backend, ctx, nothing, nothing, rounded_integers(lm, lp),
                               slice_of(ctx, until, 1))
        best = result if result.status.has_solution else None
    return best


def _plan_budget(ctx: SolveContext, problem: LotSizingProblem, backend: LinearSolver,
                 until: float | None) -> float | None:
    """Seconds for the LP that prices a start plan: a plan matters more than the phase's
    share, so up to a second past it, within the last solve's end."""
    end = solve_end(ctx, problem, backend.name)
    if until is None or end is None:
        return None
    return max(0.0, min(max(until - ctx.elapsed(), 1.0), end - ctx.elapsed()))


def constructive(problem: LotSizingProblem, lm: LotModel) -> LinearResult | None:
    """The plan of :mod:`construct` as a checked point of the model (no LP: it exists
    even when no LP fits in the time); None when it does not fit."""
    built = backward_plan(problem)
    return None if built is None else start_vector(problem, lm, built)


def start_plan(problem: LotSizingProblem, lm: LotModel, lp: NDArray[np.float64] | None,
               backend: LinearSolver, ctx: SolveContext, until: float | None,
               window: int, step: int, stats: dict[str, Any], *,
               constructed_failed: bool = False) -> LinearResult | None:
    """Step 1: the rounded LP on large models, relax-and-fix on small ones, or the
    constructed plan where it is cheaper; the rounded "setup wherever a column exists"
    plan when none gave one (no LP in time).  ``constructed_failed``: the caller already
    found no constructed plan (it is deterministic: not built again)."""
    model, best, source = lm.model, None, "relax-and-fix"
    if lp is not None and model.num_cols > RELAX_AND_FIX_MAX_COLUMNS:
        best, source = round_lp(model, lm, lp, backend, ctx, until), "rounded LP"
    elif lp is not None or model.num_cols <= RELAX_AND_FIX_MAX_COLUMNS:
        best = relax_and_fix(model, lm.col_period, problem.periods, backend, ctx, until,
                             window, step)
    end = solve_end(ctx, problem, backend.name)
    built = None if constructed_failed else constructive(problem, lm)
    if built is not None and (best is None or better(built, best)):
        best, source = built, "constructive"
    if best is None and not over(ctx, end):
        nothing = np.zeros_like(model.integer)
        everywhere = rounded_integers(lm, np.ones(model.num_cols))
        best, source = solve_window(model, backend, ctx, nothing, nothing, everywhere,
                                     _plan_budget(ctx, problem, backend, until)
                                     ), "setups everywhere"
        if not best.status.has_solution or best.x is None:
            best = None
    return _noted(best, source, stats, ctx)


def _repurchased(problem: LotSizingProblem, lm: LotModel, best: LinearResult,
                 stats: dict[str, Any], ctx: SolveContext) -> LinearResult:
    """``best`` with its bought items' orders re-planned where cheaper
    (:mod:`purchases`), noted as ``repurchased`` when it gained."""
    better = repurchase(problem, lm, best)
    if better is best:
        return best
    return _noted(better, "repurchased", stats, ctx) or best


def _noted(best: LinearResult | None, source: str, stats: dict[str, Any],
           ctx: SolveContext) -> LinearResult | None:
    """``best``, its objective in ``stats`` (as ``rounded_LP``...) and the progress."""
    if best is not None:
        stats[source.replace(" ", "_").replace("-", "_")] = best.objective
        ctx.report(objective=best.objective, source=source)
    return best


def finish(problem: LotSizingProblem, lm: LotModel, full: LinearResult,
           best: LinearResult | None, stats: dict[str, Any], ctx: SolveContext
           ) -> Outcome:
    """The better of the heuristic plan and the full MILP's, with the best proven bound
    (see :mod:`bounds`; the LP bounds are read from ``stats``); ``optimal`` only when that
    bound closes the gap."""
    stats.update({f"solver_{k}": v for k, v in full.stats.items()})
    bound, stats["bound_source"] = phase_bound(problem, full, stats)
    if full.status in (Status.INFEASIBLE, Status.UNBOUNDED, Status.ERROR) and best is None:
        return outcome_from(problem, lm, full, stats)
    if best is None or (full.status.has_solution and full.objective is not None
                        and best.objective is not None and full.objective <= best.objective):
        best = full
    if best.x is None or best.objective is None:
        return outcome_from(problem, lm, full, stats)
    gap = relative_gap(best.objective, bound)
    proven = gap is not None and gap <= ctx.options.gap + 1e-12
    if full.status is Status.OPTIMAL and best is full:
        proven = True
    # the MILP's message ("Time limit reached"), not the last window's ("Optimal")
    answer = dataclasses.replace(best, status=Status.OPTIMAL if proven else Status.FEASIBLE,
                                 bound=bound, message=full.message)
    return outcome_from(problem, lm, answer, stats)


def solve_rf(problem: LotSizingProblem, backend: LinearSolver, ctx: SolveContext) -> Outcome:
    """Formulation entry point (see the module docstring)."""
    window, step = int(ctx.option("window")), int(ctx.option("step"))
    step = min(step, window)
    backend = Timed(backend)  # how late its windows return, for the last solve
    lm = build(problem, strong=False)
    end = solve_end(ctx, problem, backend.name)
    loop = strengthen(problem, lm, backend, ctx, share=0.2, end=end)
    extra, lp = loop.stats, loop.lp
    stats: dict[str, Any] = {**model_stats(lm), **extra}
    until = phase_end(ctx, end, float(ctx.option("share")))
    best = start_plan(problem, lm, lp, backend, ctx, until, window, step, stats)
    if best is not None:
        best = _repurchased(problem, lm, best, stats, ctx)
        best = fix_and_optimise(lm.model, lm.col_period, problem.periods, backend, ctx, until,
                                best, window, step,
                                lambda b: _repurchased(problem, lm, b, stats, ctx),
                                large=lm.model.num_cols > RELAX_AND_FIX_MAX_COLUMNS)
        stats["fix_and_optimise"] = best.objective
        ctx.report(objective=best.objective, source="fix-and-optimise")
        best = _repurchased(problem, lm, best, stats, ctx)
    full = last_solve(problem, backend, hinted(lm.model, best), ctx, end)
    return finish(problem, lm, full, best, stats, ctx)


def takes_large_path(problem: LotSizingProblem, model: LinearModel, backend: str) -> bool:
    """Whether ``fl`` plans by the constructed plan and the period windows before the
    MILP: models over ``RELAX_AND_FIX_MAX_COLUMNS``, and with HiGHS multi-level ones
    over ``MULTI_LEVEL_MIN_COLUMNS``."""
    if model.num_cols > RELAX_AND_FIX_MAX_COLUMNS:
        return True
    return (backend in ROOT_BOUND_BACKENDS and problem.levels >= 2
            and model.num_cols >= MULTI_LEVEL_MIN_COLUMNS)


def solve_fl(problem: LotSizingProblem, backend: LinearSolver, ctx: SolveContext) -> Outcome:
    """Formulation ``fl`` (the default): (l,S) cuts at the root, a start plan handed to
    the MILP, and on large models fix-and-optimise first, so a plan always comes back."""
    backend = Timed(backend)  # how late its windows return, for the last solve
    lm = build(problem, strong=False)
    plain = lm.model
    large = takes_large_path(problem, plain, backend.name)
    end = solve_end(ctx, problem, backend.name)
    # the seed LP carries most of the bound; more rounds mostly cost time on small models
    extra: dict[str, float] = {}
    lp: NDArray[np.float64] | None = None
    seed_setups: NDArray[np.float64] | None = None
    if not large or backend.name not in ROOT_BOUND_BACKENDS:
        loop = strengthen(problem, lm, backend, ctx, share=0.2 if large else 0.3,
                          max_rounds=MAX_ROUNDS if large else FL_ROUNDS, end=end)
        extra, lp, seed_setups = loop.stats, loop.lp, loop.seed_setups
    if not MILP_CUTS:
        lm.model = plain
    stats: dict[str, Any] = {**model_stats(lm), **extra}
    until = phase_end(ctx, end, 0.5 if large else 0.1)
    guided: LinearResult | None = None
    if (not large and seed_setups is not None and guided_applies(lm, backend.name)
            and not over(ctx, until)):
        # see :mod:`proof`: the start and the model that HiGHS proves fastest
        guided = _noted(guided_start(lm, seed_setups, backend, ctx, until),
                        "LP-guided start", stats, ctx)
    # the constructed plan pays setup times in full (both LP roundings fail on the
    # generated medium instances), needs no LP, and on the 100 x 52 x 3 instances is
    # 10-15 % cheaper than the rounded LP: there it comes first.  On smaller models it
    # is the fallback: as F1's MIP start (44,300) it doubled HiGHS's nodes (826 against
    # 429 from the rounded LP's 55,233)
    best = _noted(constructive(problem, lm), "constructive", stats, ctx) if large else guided
    if best is None:
        if large and lp is None and not over(ctx, until):
            # the cut loop found no LP in its share (short limit, busy machine): round
            # the plain LP rather than fall back to a setup wherever a column exists
            relaxed = backend.solve(relaxation(lm.model),
                                    ctx.narrowed(slice_of(ctx, until, 2)))
            lp = relaxed.x if relaxed.status is Status.OPTIMAL else None
            if lp is not None and relaxed.objective is not None:
                stats["lp_bound_plain"] = relaxed.objective
        if lp is not None:
            best = _noted(round_lp(lm.model, lm, lp, backend, ctx, until), "rounded LP",
                          stats, ctx)
    if best is None and not large:
        best = _noted(constructive(problem, lm), "constructive", stats, ctx)
    if best is None and (large or lp is not None):
        # the constructed plan was tried above and gave none
        best = start_plan(problem, lm, None, backend, ctx, until, 6, 4, stats,
                          constructed_failed=True)
    if large and best is not None:
        # the bought items' orders first (milliseconds; the windows see a few periods of
        # them at a time), and again for what the windows made
        best = _repurchased(problem, lm, best, stats, ctx)
        best = sliding_windows(lm.model, lm.col_period, problem.periods, backend, ctx, until,
                               best, lambda b: _repurchased(problem, lm, b, stats, ctx))
        stats["fix_and_optimise"] = best.objective
        ctx.report(objective=best.objective, source="fix-and-optimise")
        best = _repurchased(problem, lm, best, stats, ctx)
    if large:
        bound_phase(problem, backend, ctx, end, best, stats)  # off unless asked
    milp, milp_ctx = hinted(lm.model, best), ctx
    if not large and "constructive" not in stats:
        # not a MIP start here (see above), but the answer when nothing cheaper is found:
        # on a 15 x 26 three-level instance the MILP's minute ended 2.8 % above it
        # (README, branch lot-s16); building it takes milliseconds at this size, and so
        # does re-planning its purchases (3.6 % less there, branch lot-s17)
        built = constructive(problem, lm)
        if built is not None:
            built = repurchase(problem, lm, built)
        if built is not None and better(built, best):
            stats["constructive"] = built.objective
            best = built
    if guided is not None and guided.x is not None:
        milp = with_setup_counts(lm.model, lm).with_hint(counted_point(lm, guided.x))
        options = milp_options(backend.name, ctx)
        if options is not None:
            milp_ctx = ctx.narrowed(progress=True, extra=options)
    full = last_solve(problem, backend, milp, milp_ctx, end)
    return finish(problem, lm, full, best, stats, ctx)
