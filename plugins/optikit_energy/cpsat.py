"""Formulation ``cpsat``: the CP-SAT model, a constructive hint, and large-neighbourhood search.

Two CP-SAT models: on small instances (``model=auto`` picks it below
``SIDE_MILP_COLUMNS`` start variables) the time-indexed model of
:mod:`optikit_energy.timeindexed`, whose LP bound proves optima (the cross-checked toy
``samples/toy_full.yaml`` in about a second); otherwise the interval model of
:mod:`optikit_energy.cpsat_model`, whose size does not grow with the horizon.  Mid-size
instances (up to ``TIME_INDEXED_COLUMNS``) search with the interval model and its LNS
while HiGHS runs the time-indexed MILP beside it from the constructed schedule (one
worker fewer for CP-SAT): on ``machining_cell_day`` the time-indexed CP-SAT model with one
worker ended at 84.3-111 in 60 s, the interval LNS reaches 77.7-78.6, and HiGHS' dual
bound (73.6-74.6) is the best bound there.

The run, all under the shared deadline (``ctx.remaining()``) less a finish margin (2 %
of the limit, 0.3-2 s) for the payload, the runner's check and the output:

1. Constructive schedules (:mod:`optikit_energy.heuristic`): a checked schedule in well
   under a second, reported at once and kept as the fallback answer; then the shift
   search (:mod:`optikit_energy.shift_search`, single-operation moves priced as the
   checker prices them) on it, until no move is left or for at most 85 % of the time
   (50 s; it ends in 1-3 s up to the generated large instances): on large-1 it takes
   the start from 799.2 to 749.0, which the LNS alone did not reach in 60 s.
2. The makespan-only baseline (:mod:`optikit_energy.baseline`), for the saving the summary
   shows; a small share of the time.
3. A global CP-SAT solve of the model from the best constructed schedule as a hint (for
   the interval model a complete one); it gives the proven bound.  Not on instances where
   the bucket bound thread runs (from ``THREAD_BOUND_COLUMNS``, the generated medium and
   large ones): there, in its 9-11 s (loaded), it improved its hint by at most 0.5
   (large-1 749.0; medium-1 not at all) and its bound stayed below the bucket bound
   (592-605 against 650.7; 170-171 against 175.9): the LNS gets that time.
4. Interval model only, if time is left and optimality is not proven: large-neighbourhood
   search (:mod:`optikit_energy.lns`, each step on a sub-model of its own:
   :mod:`optikit_energy.lns_frame`), the shift search around each of its improvements
   (what the step moved; the LNS goes on from the polished schedule), and the shift
   search again on its result in the time the first one took (within 5 % of the time and
   3 s).  With the bound thread (no global solve) the full model is not even built.
   On the 2,880-minute benchmark instance it improves the incumbent several times faster
   than the global solve does; sub-solves give no global bound, so the reported bound is
   the global solve's (whose root LP gives it early: hence only ``global_share`` of the
   time for it).

5. Interval model only: the time-bucket relaxation (:mod:`optikit_energy.bucket_bound`) on
   HiGHS, in a thread from the start of the run (the LNS then uses one worker fewer; a
   bound not there by the deadline is not waited for), or sequentially on one thread.  The
   reported bound is the largest of it, CP-SAT's and the side MILP's;
   ``stats.bound_source`` says which (``cpsat``, ``bucket-lp``, ``bucket-milp`` or
   ``time-indexed-milp (highs)``).  In the thread, a MILP point that picks every
   operation's mode then guides a schedule (:mod:`optikit_energy.guided`): CP-SAT inside
   the point's modes and buckets, on one worker; the LNS goes on from it (``run.inbox``).
   On generated medium instances it is far better than what the LNS reaches alone
   (medium-1: 177.1 in 2 s against 197.3 after 600 s of LNS).

Options (``--option key=value``): ``model`` (auto, interval, time-indexed), ``lns``
(true/false), ``baseline`` (true/false), ``global_share`` (fraction of the time for the
interval model's global solve before LNS, default 0.2; no global solve while the bucket
bound thread runs), ``bucket_bound`` (true/false), ``bucket_relaxation`` (preemptive,
non-preemptive, classic: :mod:`optikit_energy.bucket_bound`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from optikit.types import Outcome, SolveContext, Status
from optikit_energy import (
    baseline,
    bound_thread,
    heuristic,
    side_solve,
    switching,
    timeindexed,
    timeindexed_points,
)
from optikit_energy import cpsat_solutions as solutions
from optikit_energy.cpsat_model import BuildStopped, EnergyCpModel
from optikit_energy.cpsat_search import lns_phase, mark, shift, time_share
from optikit_energy.diagnosis import diagnosis_analysis
from optikit_energy.model import EnergyProblem, Infeasible
from optikit_energy.options import CPSAT_OPTIONS
from optikit_energy.run import (
    FAST_PRESOLVE,
    Incumbent,
    Run,
    complete_hint,
    evaluate,
    incumbent_from,
)

# Interval runs start the bucket bound thread from this many time-indexed start columns.
THREAD_BOUND_COLUMNS = 8_000
# Time-indexed models from this many start columns get HiGHS' MILP bound beside CP-SAT
# (smaller ones are proven optimal by CP-SAT alone within seconds).
SIDE_MILP_COLUMNS = 2_500
# Use the time-indexed CP-SAT model (model=auto) up to this many start variables.
TIME_INDEXED_COLUMNS = 4_000
# Kept back from the deadline for the work after the search: this share of the limit,
# within these bounds (seconds).
FINISH_SHARE = 0.02
FINISH_MIN_S = 0.3
FINISH_MAX_S = 2.0
# The shift search on the constructed schedule: until no move is left, within this share
# of the time left and this many seconds.  Why so much: on 1,200 operations (generated
# 240 jobs x 40 machines) it still gained at 13 s (4,176 -> 3,975), where the LNS made 7
# steps and no improvement in the 37 s after it; up to 127 operations it ends in 1-3 s.
# Session 18: still cut at 31 s there (load 5), and the LNS made 5-6 steps in the 20 s
# after it, none better (CP-SAT sub-models of 1,200 operations: 1-2 s to build each).
START_SHIFT_SHARE = 0.85
START_SHIFT_MAX_S = 50.0


def solve(problem: EnergyProblem, backend: Any, ctx: SolveContext) -> Outcome:
    ctx = finish_margin(ctx)
    opts = ctx.options_for(CPSAT_OPTIONS)
    kind = str(opts["model"])
    side_milp = False
    if kind == "auto":
        size = _time_indexed_size(problem)
        kind = "time-indexed" if size == "small" else "interval"
        side_milp = size == "mid"
    elif kind == "time-indexed":
        timeindexed.check_size(problem)
    run = Run(problem, backend, ctx)
    started = time.monotonic()
    # The bound thread first: its LP took 21-31 s on large-1 on a loaded machine, and a
    # bound that is not there by the deadline is not waited for.
    bounding = _start_bucket_bound(run, opts) if kind == "interval" else None

    built = heuristic.best_constructed(problem, budget_s=time_share(ctx, 0.04, 3.0))
    if built is not None:
        run.offer(Incumbent(built.schedule, built.switch_on, built.objective, "heuristic"))
    run.stats["heuristic_objective"] = None if built is None else built.objective
    run.stats["heuristic_s"] = round(time.monotonic() - started, 3)
    shift(run, time_share(ctx, START_SHIFT_SHARE, START_SHIFT_MAX_S), "start")
    mark(run, "start_search")

    analysis: dict[str, Any] = {}
    if opts["baseline"] and not ctx.expired():
        base = baseline.compute(problem, backend, ctx, budget_s=time_share(ctx, 0.08, 10.0))
        if base is not None:
            analysis["baseline"] = base

    run.stats["model_kind"] = kind
    side: SideMilp | None = None
    threads = ctx.options.threads

    def workers() -> int | None:
        """CP-SAT workers now: one fewer while the bound thread or the side MILP runs."""
        helpers = [bounding, None if side is None else side.thread]
        busy = any(h is not None and h.is_alive() for h in helpers)
        return max(1, threads - 1) if busy else None

    try:
        if kind == "time-indexed":
            outcome = _solve_time_indexed(run, run.best)
            if outcome is not None:
                return _outcome(run, analysis, outcome)
            run.stats["model_kind"] = kind = "interval"
        if side_milp:
            # From the start: its bound grows with its time (started after the global
            # solve, from that solve's better schedule, it ended lower: 73.0 against 74.6).
            side = _start_side_milp(run, run.best)
        bounding = bounding or _start_bucket_bound(run, opts)
        if opts["lns"] and ctx.remaining() is not None and bounding is not None and (
            run.best is not None
        ):
            # With the bound thread (medium and large instances) the global solve gave
            # little beyond its hint and a bound below the bucket one (module docstring,
            # step 3): its time goes to the LNS, whose steps build their own sub-models,
            # so the full model (large-1: 4 s to build) is not built at all.
            run.stats["global"] = "skipped"
            lns_phase(run, workers)
            return _finish(run, analysis, bounding, side)
        building = time.monotonic()
        model = EnergyCpModel(problem, should_stop=ctx.expired)
    except BuildStopped:
        _cancel(bounding)
        _finish_side(run, side, cancel=True)
        run.stats["model_build"] = "stopped"
        return _outcome(run, analysis)
    except Infeasible as exc:
        _cancel(bounding)
        _finish_side(run, side, cancel=True)
        analysis["diagnosis"] = diagnosis_analysis(problem, ctx, run.stats)
        return Outcome(Status.INFEASIBLE, message=str(exc), analysis=analysis, stats=run.stats)
    run.stats["model"] = {
        "variables": len(model.model.proto.variables),
        "constraints": len(model.model.proto.constraints),
        **model.info.counts,
        "exact_scaling": model.info.exact,
    }
    run.stats["model_build_s"] = round(time.monotonic() - building, 3)
    mark(run, "model")
    if model.info.notes:
        run.stats["scaling_notes"] = model.info.notes

    remaining = ctx.remaining()
    share = float(opts["global_share"])
    use_lns = opts["lns"] and remaining is not None
    hint_values: dict[int, int] | None = None
    if run.best is not None:
        hint_values = complete_hint(run, model, run.best, time_share(ctx, 0.15, 10.0))
        run.stats["hint"] = "complete" if hint_values is not None else "failed"
        if hint_values is not None:
            run.best.values = hint_values
    global_limit = remaining
    if use_lns and remaining is not None:
        # Enough for presolve and the root LP (the bound) even under short limits.
        global_limit = max(remaining * share, min(remaining * 0.5, 3.0))
    if hint_values:
        solutions.set_hint(model.model, hint_values)
    result = backend.solve(
        model.model,
        ctx,
        time_limit=global_limit,
        objective_scale=model.objective_scale,
        workers=workers(),
        parameters=FAST_PRESOLVE if len(model.model.proto.variables) > 5_000 else None,
    )
    run.stats["global"] = _result_stats(result)
    mark(run, "global")
    if result.status is Status.INFEASIBLE:
        _cancel(bounding)
        _finish_side(run, side, cancel=True)
        return _outcome(run, analysis, Status.INFEASIBLE, message=result.message)
    if result.bound is not None and model.info.exact:
        run.bound = result.bound
    if result.status.has_solution:
        run.offer(incumbent_from(run, model, result, "cpsat"))
        run.proven = result.status is Status.OPTIMAL and model.info.exact
    run.stats["bound_source"] = "cpsat" if run.bound is not None else None
    if run.proven:
        _cancel(bounding)
        bounding = None
    elif opts["bucket_bound"] and bounding is None and side is None and not ctx.expired():
        # (With the side MILP running, its bound is the stronger one: LNS gets the time.)
        found = bound_thread.bucket_bound(run, time_share(ctx, 0.12, 8.0),
                                          relaxation=str(opts["bucket_relaxation"]))
        bound_thread.take_bucket_bound(run, found)

    if use_lns and not run.proven:
        lns_phase(run, workers)
    return _finish(run, analysis, bounding, side)


def _finish(run: Run, analysis: dict[str, Any],
            bounding: bound_thread.BucketBoundThread | None,
            side: SideMilp | None) -> Outcome:
    """Collect the bound thread and the side MILP (to the deadline), and the answer."""
    ctx = run.ctx
    if bounding is not None:
        if not ctx.stop.is_set():
            bounding.join(ctx.remaining())  # HiGHS may overrun: no waiting past the deadline
        _cancel(bounding)
        bounding.join()
        bound_thread.take_bucket_bound(run, bounding.found, bounding.label)
        run.collect()
    _finish_side(run, side, cancel=run.proven)
    mark(run, "bounds")
    return _outcome(run, analysis)


def finish_margin(ctx: SolveContext) -> SolveContext:
    """The run's context with its deadline brought forward by what follows the search:
    the payload, the runner's independent check and writing the answer (0.5 s on the
    large instance, loaded), so that the command as a whole ends within its limit."""
    limit = ctx.options.time_limit
    if ctx.deadline is None or limit is None:
        return ctx
    margin = min(FINISH_MAX_S, max(FINISH_MIN_S, FINISH_SHARE * limit))
    return ctx.narrowed(end=ctx.deadline - ctx.started - margin, progress=True)


def _start_bucket_bound(run: Run, opts: dict[str, Any]) -> bound_thread.BucketBoundThread | None:
    """The bound thread, when the interval model will search with LNS on 2+ threads."""
    ctx = run.ctx
    if not (opts["bucket_bound"] and opts["lns"] and ctx.options.threads > 1
            and ctx.remaining() is not None and not ctx.expired()):
        return None
    if timeindexed.size_estimate(run.problem)[0] < THREAD_BOUND_COLUMNS:
        return None  # small: the global solve gets every worker (it may prove optimality)
    return bound_thread.BucketBoundThread(run, str(opts["bucket_relaxation"]))


def _cancel(bounding: bound_thread.BucketBoundThread | None) -> None:
    if bounding is not None:
        bounding.cancel.set()


def _time_indexed_size(problem: EnergyProblem) -> str:
    """``small``: the time-indexed CP-SAT model (it proves optima the interval model cannot,
    its LP bound knows when machines are on); ``mid``: the interval model with LNS for the
    schedules and HiGHS on the time-indexed model beside it for the bound; ``large``: the
    interval model alone (with the bucket bound)."""
    if problem.shop.has_setups:
        return "large"
    cols, nnz = timeindexed.size_estimate(problem)
    if cols > TIME_INDEXED_COLUMNS or nnz > 20 * TIME_INDEXED_COLUMNS:
        return "large"
    return "mid" if cols >= SIDE_MILP_COLUMNS else "small"


@dataclass
class SideMilp:
    """HiGHS on the time-indexed model in a side thread, and the model to read its x."""

    thread: side_solve.SideSolve
    ti: timeindexed.TimeIndexed


def _start_side_milp(run: Run, start: Incumbent | heuristic.Constructed | None,
                     ti: timeindexed.TimeIndexed | None = None) -> SideMilp | None:
    """The time-indexed MILP on HiGHS beside the CP-SAT search until the deadline, from
    ``start``'s schedule as its MIP start; None without a second thread or HiGHS."""
    ctx, problem = run.ctx, run.problem
    remaining = ctx.remaining()
    if remaining is None or ctx.options.threads < 2:
        return None
    try:
        ti = ti or timeindexed.build(problem, span_rows=True)  # timeindexed_span
    except Infeasible:
        return None  # the interval model says so with a diagnosis
    model = ti.model if start is None else timeindexed_points.with_start(
        problem, ti, start.schedule, start.switch_on)
    thread = side_solve.start(ctx, model, remaining - 1.0)
    return None if thread is None else SideMilp(thread, ti)


def _finish_side(run: Run, side: SideMilp | None, cancel: bool) -> None:
    """Wait for the side MILP; take its bound if higher and its schedule if better."""
    if side is None:
        return
    remaining = run.ctx.remaining()
    wait_s = None if remaining is None else max(0.0, remaining - 0.3)
    side.thread.finish(cancel=cancel, wait_s=wait_s)
    run.stats["side_milp"] = side_solve.describe(side.thread)
    bound = side.thread.safe_bound()
    if bound is not None and (run.bound is None or bound > run.bound):
        run.bound = bound
        run.stats["bound_source"] = "time-indexed-milp (highs)"
    found = side.thread.result
    if found is not None and found.x is not None and not run.proven:
        problem = run.problem
        schedule, switch_on = timeindexed_points.extract(problem, side.ti, found.x)
        switch_on = switching.normalize(problem, schedule, switch_on)
        run.offer(Incumbent(schedule, switch_on, evaluate(problem, schedule, switch_on),
                            "highs-time-indexed"))


def _solve_time_indexed(run: Run, built: Incumbent | None) -> Status | None:
    """Solve the time-indexed model on CP-SAT; None if it cannot be made integral."""
    from optikit_energy.linear_to_cpsat import NotIntegral, convert

    problem, ctx = run.problem, run.ctx
    ti = timeindexed.build(problem)
    try:
        conv = convert(ti.model, should_stop=ctx.expired)
    except NotIntegral as exc:
        run.stats["time_indexed_refused"] = str(exc)
        return None
    run.stats["model"] = {
        "variables": len(conv.variables),
        "constraints": len(conv.model.proto.constraints),
        "start_columns": ti.num_start_columns,
    }
    hint = None
    if built is not None:
        values = timeindexed_points.hint_vector(problem, ti, built.schedule, built.switch_on)
        hint = {conv.variables[j]: v for j, v in values.items()}
    # Mid-size models: HiGHS' branch-and-cut on the same model beside CP-SAT, for its bound.
    side = None
    if ti.num_start_columns >= SIDE_MILP_COLUMNS:
        side = _start_side_milp(run, built, ti)
    # The time-indexed model's strength is its LP: make sure a worker runs the full one.
    threads = max(1, ctx.options.threads - (1 if side is not None else 0))
    parameters: dict[str, Any] = (
        {"subsolvers": ["max_lp", "default_lp"]} if threads > 1 else {"linearization_level": 2}
    )
    result = run.backend.solve(
        conv.model, ctx, hint=hint, objective_scale=conv.objective_scale,
        objective_offset=conv.objective_offset, parameters=parameters, workers=threads,
    )
    run.stats["global"] = _result_stats(result)
    if result.status is Status.INFEASIBLE:
        _finish_side(run, side, cancel=True)
        return Status.INFEASIBLE
    if result.bound is not None:
        run.bound = result.bound
        run.stats["bound_source"] = "cpsat"
    if result.status.has_solution:
        x = np.array([result.value(v) for v in conv.variables], dtype=np.float64)
        schedule, switch_on = timeindexed_points.extract(problem, ti, x)
        switch_on = switching.normalize(problem, schedule, switch_on)
        objective = evaluate(problem, schedule, switch_on)
        run.offer(Incumbent(schedule, switch_on, objective, "cpsat-time-indexed"))
        run.proven = result.status is Status.OPTIMAL
    _finish_side(run, side, cancel=result.status is Status.OPTIMAL)
    return result.status


def _result_stats(result: Any) -> dict[str, Any]:
    return {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "wall_time": round(result.wall_time, 3),
    }


def _outcome(
    run: Run, analysis: dict[str, Any], status: Status | None = None, message: str = ""
) -> Outcome:
    problem = run.problem
    best = run.best
    run.stats["time_to_first_solution_s"] = (
        None if run.first_solution_s is None else round(run.first_solution_s, 3)
    )
    if status is Status.INFEASIBLE:
        analysis["diagnosis"] = diagnosis_analysis(problem, run.ctx, run.stats)
        return Outcome(Status.INFEASIBLE, message=message or "CP-SAT proved the model infeasible",
                       analysis=analysis, stats=run.stats)
    if best is None:
        return Outcome(Status.UNKNOWN, message="no schedule found within the limits",
                       bound=run.bound, analysis=analysis, stats=run.stats)
    payload, figures = switching.build_payload(problem, best.schedule, best.switch_on)
    run.stats["solution_source"] = best.source
    if "baseline" in analysis:
        analysis["saving"] = baseline.saving(analysis["baseline"], figures, best.objective)
    analysis["energy_breakdown"] = figures.breakdown()
    bound = run.bound
    if bound is not None and bound > best.objective:
        # Only float noise can do this (the scaled model is exact); never report it.
        run.stats["bound_above_objective"] = bound
        bound = best.objective
    return Outcome(Status.OPTIMAL if run.proven else Status.FEASIBLE, payload=payload,
                   objective=best.objective, bound=bound, analysis=analysis, stats=run.stats)
