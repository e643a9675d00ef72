"""Formulation ``cpsat``: the main CP-SAT model, a whole-model solve, then neighbourhood search.

The whole model (:mod:`optikit_rostering.cpsat_model`) searches first.  With neighbourhood
search (``lns``: ``auto`` and ``on``, the default, on every size) the
whole-model solve gets ``global_share`` of the time (by default all of it, on every size;
with a share below 1 small rosters still run on while they improve: until a pause of a tenth
of the limit, at most 90 % of it) and is stopped once it has gone
``stall`` seconds without a better roster; then solution-guided large-neighbourhood
search (:mod:`optikit_rostering.lns`) improves its incumbent.  When the neighbourhoods go
``patience`` seconds without a better roster, the whole model runs again from the incumbent
(hinted, a new seed, stopped by ``stall`` again), then the neighbourhoods, and so on until the
deadline: on Instances 2 and 4 the neighbourhood search found nothing in 10 s where the
whole model still made its late jumps (Instance2 922 -> 828: a weekend moved between three
people; Instance4 about 1,820 -> 1,720).  The whole-model solve is stopped from outside, not
through CP-SAT's own time limit: CP-SAT's search differs with its limit, and with the limit
cut to the share it stalled more often (Instance2, seed 0: 922 three runs out of three; with
the whole limit 828).  On the 28-day
Curtois & Qu instances (1,100-1,700 cells, 2 threads, 60 s) an early hand-over measured
worse than the whole model alone (Instance7: 1,379 against 1,208: the LNS settles in a local
optimum), a late one (70 % of the time) better (1,095), so small rosters hand over late:
only once the whole model stalls (on Instances 4 and 5 at 30 s the neighbourhoods found 0-1
improvements per run, and stopping a whole model still descending slowly under load lost to
the plain model; see ``SHARE``).
On rosters up to ``COLGEN_CELLS`` a column-generation phase comes first
(:mod:`optikit_rostering.colgen`): its LP bound (the first useful bound on the Curtois & Qu
instances: Instance5 1,141 where CP-SAT's stays near 110) and its roster, which hints the
whole-model solve.
The result is ``optimal`` only with a proof: the whole-model solve's, or an incumbent that
meets its bound (CP-SAT's or the column generation's).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import replace
from typing import Any

from optikit.types import Outcome, ProgressEvent, SolveContext, Status
from optikit_rostering import colgen_roster, lns
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.model import Roster, Stations, to_payload
from optikit_rostering.options import CPSAT_OPTIONS

Grid = list[list[int | None]]
#: Rosters with more (employee, day, shift) cells than this count as large: no run-on past a
#: share below 1.
LARGE_CELLS = 5000
#: Above this many cells CP-SAT's presolve costs more than it saves (presolve off): on the
#: 200-staff plant (16,479 cells, 25 s) penalty 5 off against 39,525 on; Instance12 (10,452)
#: about even at 60 s (5,520-6,129 off, 5,481-6,097 on); on Instance11 (5,304 cells, once
#: above the old 5,000 threshold) it measured worse (seeds 0-2: 3,685 / 3,667 / 3,981 off,
#: 3,477 / 3,597 / 3,496 on).
PRESOLVE_OFF_CELLS = 10_000
#: Default share of the time for the whole-model solve.  Small rosters: LNS from an early,
#: poor roster settles in a local optimum (Instance7: 1,379 with a 10 % share), and the
#: whole model is stopped only by ``stall``: with a 70 % share (and the ``QUIET`` run-on) it
#: was handed over mid-descent on a loaded machine, where its improvements come seconds
#: apart, and the neighbourhoods then found almost nothing (Instance5, 30 s, 3 seeds, load
#: 7: 1,236 / 1,247 / 1,465 against 1,259 / 1,252 / 1,249 with the whole time).  Large
#: rosters too: handed over after 30 % of 60 s, Instance12's neighbourhoods ended at 6,864-7,649
#: where the whole model alone, still improving at 60 s, reached 5,520-6,129 (seeds 0-2).
SHARE = 1.0
#: Default patience of the neighbourhood search, as a share of the time limit: after that
#: long without a better roster it hands back to the whole model (from the incumbent).
PATIENCE = 0.1
#: Small rosters with a share below 1 (``global_share``): once its share is spent the whole
#: model still keeps the search until it
#: pauses this share of the time limit without a better roster (at most until ``LAST``
#: of the time).  Cut at the share mid-descent it lost to the plain model on Instance5 at
#: 30 s (seed 0: 1,503 at the hand-over at 21.6 s, where the whole model alone went on from
#: 1,817 at 20.1 s to 1,261 at 28.6 s; the neighbourhoods reached 1,372).
QUIET, LAST = 0.1, 0.9
#: Rosters up to this many cells (worked cells of the model) get the column-generation
#: phase with ``colgen=auto``: Instances 1-12 (Instance12 has 10,452), not the generated
#: 200-staff plant (16,479, proven optimal in about 19 s without it).  Quiet, 60 s: it
#: proved Instance10 (3,484 cells; seeds 0-2) and Instance11 (5,304; seed 0) optimal at their
#: best known in 20-30 s, where the whole model ended 2.9-7 % above; Instance12 4,876
#: (seed 0) against 4,918-5,210.  Instance9 (2,912) is mixed: 442 on seed 0, 539 on seed 1
#: where the whole model alone reached 442 (its relaxation stops far from converged).
COLGEN_CELLS = 12_000
#: The LP-guided fixed solve of the column-generation phase: at most this share of the
#: time, stopped after ``COLGEN_FIX_STALL`` of it without a better roster.
COLGEN_FIX, COLGEN_FIX_STALL = 0.35, 0.1
#: The restricted master MILP (price-and-branch) of the column-generation phase: at most
#: this share of the time.
COLGEN_MIP = 0.1


def solve(roster: Roster, backend: Any, ctx: SolveContext) -> Outcome:
    opts = ctx.options_for(CPSAT_OPTIONS)
    rm = RosterModel(roster, symmetry=bool(opts["symmetry"]), caps=bool(opts["caps"]))
    cells = len(rm.all_cells())
    use_lns = opts["lns"] != "off"
    remaining = ctx.remaining()
    share = first_share(float(opts["global_share"]))
    first_limit = None if remaining is None or not use_lns else max(0.5, remaining * share)
    stall = float(opts["stall"]) if use_lns else None
    if stall is not None and stall <= 0 and remaining is not None:
        stall = max(2.0, remaining / 3)  # auto: a third of the limit, at least 2 s
    params = whole_model_parameters(cells, use_lns)
    quiet = None
    if first_limit is not None and remaining is not None and cells <= LARGE_CELLS:
        quiet = (max(1.0, remaining * QUIET), max(first_limit, remaining * LAST))
    stats: dict[str, Any] = {}
    seeded, cg_bound = None, None
    if use_colgen(opts["colgen"], cells):
        seeded, cg_bound = colgen_roster.first_roster(
            rm, backend, ctx, float(opts["colgen_share"]), COLGEN_MIP, COLGEN_FIX, stats,
            lambda model, seconds, hint, floor, reseed: _whole_model(
                model, backend, ctx, seconds, max(1.0, (remaining or 60.0) * COLGEN_FIX_STALL),
                _reseeded(params, int(ctx.options.seed) + reseed) if reseed else params,
                hint=hint, floor=floor, bounds=False), branch=str(opts["colgen_branch"]),
            step=str(opts["colgen_step"]))
    hint = floor = None
    if seeded is not None:
        grid, stations, best = seeded
        if cg_bound is not None and best <= cg_bound + 1e-9:  # proved by the bound
            stats.update(first_solve=best, first_solve_s=round(ctx.elapsed(), 1))
            return _outcome(roster, grid, stations, best, cg_bound, Status.OPTIMAL, stats)
        hint, floor = rm.hint(grid, stations), float(best)
    result = _whole_model(rm.model, backend, ctx, first_limit, stall, params, quiet=quiet,
                          hint=hint, floor=floor, target=cg_bound)
    if not result.status.has_solution and seeded is None and use_lns and not ctx.expired():
        # Keep looking, but hand the first roster found over to the neighbourhood search.
        result = backend.solve(rm.model, ctx, parameters={
            **(params or {}), "stop_after_first_solution": True})
    bound = _max_bound(result.bound, cg_bound)
    if result.status.has_solution and (seeded is None or round(result.objective) <= seeded[2]):
        grid = rm.grid(result.boolean_value)
        stations = rm.stations(result.boolean_value)
        best = round(result.objective)
        status = result.status
    elif seeded is not None:  # the hinted solve stopped before it returned its hint
        status = Status.FEASIBLE  # the fixed model's proof says nothing of the whole
    else:
        return Outcome(status=result.status, message=result.message)
    stats.update({"first_solve": best, "first_solve_s": round(ctx.elapsed(), 1),
                  "lns_steps": 0, "lns_improvements": 0, "whole_restarts": 0})
    if bound is not None and best <= bound + 1e-9:
        status = Status.OPTIMAL
    if status is Status.OPTIMAL or not use_lns or ctx.expired():
        return _outcome(roster, grid, stations, best, bound, status, stats)
    patience = float(opts["patience"]) or max(2.0, (remaining or 60.0) * PATIENCE)
    hoods = lns.Neighbourhoods(roster, random.Random(ctx.options.seed))
    proved = False
    while not ctx.expired() and not proved:
        best, grid, stations = lns.improve(rm, backend, ctx, grid, stations, best, bound,
                                           float(opts["lns_time"]), stats, patience, hoods)
        if ctx.expired() or (bound is not None and best <= bound + 1e-9):
            break
        # The neighbourhoods are stuck: the whole model again, from the incumbent.
        stats["whole_restarts"] += 1
        fresh = opts["restart"] == "fresh"
        hint = None if fresh else rm.hint(grid, stations)
        reseeded = _reseeded(params, int(ctx.options.seed) + stats["whole_restarts"])
        again = _whole_model(rm.model, backend, ctx, None, stall, reseeded, hint=hint,
                             floor=best, target=bound)
        if again.status.has_solution:
            bound = _max_bound(bound, again.bound)
            if round(again.objective) <= best:
                best = round(again.objective)
                grid = rm.grid(again.boolean_value)
                stations = rm.stations(again.boolean_value)
            proved = again.status is Status.OPTIMAL
    status = Status.OPTIMAL if proved or (bound is not None and best <= bound + 1e-9) \
        else Status.FEASIBLE
    return _outcome(roster, grid, stations, best, bound, status, stats)


def first_share(chosen: float) -> float:
    """Share of the time for the first whole-model solve: ``chosen``, or ``SHARE`` if 0
    (whatever the size)."""
    return chosen or SHARE


def whole_model_parameters(cells: int, use_lns: bool) -> dict[str, Any] | None:
    """CP-SAT parameters of the whole-model solves: presolve off on very large rosters with
    neighbourhood search (see ``PRESOLVE_OFF_CELLS``), else CP-SAT's defaults (and the
    user's ``cpsat.*`` options)."""
    return {"cp_model_presolve": False} if cells > PRESOLVE_OFF_CELLS and use_lns else None


def _whole_model(model: Any, backend: Any, ctx: SolveContext, limit: float | None,
                 stall: float | None, params: dict[str, Any] | None,
                 hint: dict[Any, int] | None = None, floor: float | None = None,
                 quiet: tuple[float, float] | None = None, bounds: bool = True,
                 target: float | None = None) -> Any:
    """One CP-SAT solve of the whole model, stopped after ``limit`` seconds or once it has
    gone ``stall`` seconds without a better solution (progress still reaches ``ctx``; with
    ``floor``, only solutions below it).  With ``quiet`` = (pause, last), past ``limit`` it
    runs on while it improves: until ``pause`` seconds without a better solution, or
    ``last`` seconds.  CP-SAT itself is given the whole remaining time and stopped from
    outside: its search runs as it would without the early stop.  ``bounds`` False: a
    restricted model's bounds, which say nothing of the roster's, are not reported.  It
    stops at a solution of value ``target`` or less (a known lower bound: proved optimal)."""
    if stall is None or (limit is None and ctx.remaining() is None):
        return backend.solve(model, ctx, time_limit=limit, parameters=params, hint=hint)
    started = time.monotonic()
    until = None if limit is None else started + limit
    stop = threading.Event()
    last: list[float] = []  # time of the latest improvement, once there is a solution

    def seen(event: ProgressEvent) -> None:
        better = floor is None or (event.objective is not None and event.objective < floor)
        if event.objective is not None:
            last[:] = [time.monotonic()]
            if target is not None and event.objective <= target + 1e-9:
                stop.set()
        if better and (event.objective is not None or bounds):
            ctx.report(event.objective, event.bound if bounds else None,
                       event.source or "cpsat")
        elif event.bound is not None and bounds:
            ctx.report(None, event.bound, event.source or "cpsat")

    sub_ctx = SolveContext(replace(ctx.options, time_limit=ctx.remaining()),
                           on_progress=seen, stop=stop, log=ctx.log)
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            now = time.monotonic()
            if ctx.stop.is_set() or (last and now - last[0] > stall) \
                    or (until is not None and now > until and _past_share(now, last, started,
                                                                          quiet)):
                stop.set()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return backend.solve(model, sub_ctx, parameters=params, hint=hint)
    finally:
        done.set()
        watcher.join()


def _reseeded(params: dict[str, Any] | None, seed: int) -> dict[str, Any]:
    """The whole-model parameters under another random seed (a search that settled)."""
    return {**(params or {}), "random_seed": seed}


def use_colgen(choice: str, cells: int) -> bool:
    """Whether the column-generation phase runs: ``on``, or ``auto`` up to ``COLGEN_CELLS``."""
    return choice == "on" or (choice == "auto" and cells <= COLGEN_CELLS)


def _max_bound(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


def _past_share(now: float, last: list[float], started: float,
                quiet: tuple[float, float] | None) -> bool:
    """Whether a whole-model solve past its share stops now (``quiet``: see _whole_model)."""
    if quiet is None or not last:
        return True
    pause, cap = quiet
    return now - last[0] > pause or now - started > cap


def _outcome(roster: Roster, grid: Grid, stations: Stations, value: int, bound: float | None,
             status: Status, stats: dict[str, Any]) -> Outcome:
    return Outcome(status=status, payload=to_payload(roster, grid, stations),
                   objective=float(value), bound=bound, stats=stats)
