"""Formulation ``cpsat``: dispatching, global CP-SAT, tabu search and LNS, one deadline.

How a solve runs:

1. :func:`optikit_fjsp.heuristic.construct` builds a schedule in a fraction of a
   second (with tardiness in the objective it keeps restarting for ``dispatch_share``
   of the run); it is the answer if nothing better is found in time, and the first hint.
   The solver-free bounds of :mod:`optikit_fjsp.bounds` (job chains, machine load,
   the one-machine preemptive relaxation with heads and tails over machine sets, and
   for tardiness preemptive queue slots with an assignment) give a bound at once; the
   makespan part also seeds CP-SAT's makespan domain.  ``stats.bound_source`` says
   which argument gave the reported bound.
2. A global CP-SAT solve of the full model (:mod:`optikit_fjsp.cpsat_model`, run by
   :mod:`optikit_fjsp.global_solve`), hinted
   with the best schedule so far.  It closes small and medium instances outright and
   raises the proven lower bound reported as ``bound``.
   It gets at most ``global_share`` of the remaining time and ends earlier once its
   incumbent stalls: CP-SAT's own search is strong at proving, weak at improving large
   schedules.  On very large instances with setups the circuit model would not fit;
   the global solve then drops the setups (a relaxation, so its bound stays valid) and
   its schedules are repaired by re-timing them with the changeovers.
3. The improvement methods until they stall, then back to 2 with the new best:

   - :mod:`optikit_fjsp.tabu` (pure makespan without changeovers): thousands of
     critical-path moves per second; with two or more threads it runs on its own
     thread for the whole solve, also during the global solves.  With
     ``tabu_processes=1`` the walks run in child processes instead
     (:mod:`optikit_fjsp.tabu_process`, one per extra thread, at most two), so they
     share no GIL with the LNS model building; in paired 3-seed runs on a loaded
     machine this was no better than the thread (``benchmarks/fjsp/results``), so it
     is not the default;
   - :mod:`optikit_fjsp.tardy_walk` (every other shop: changeovers, releases, weighted
     tardiness; option ``tardy_walk``, on by default): a tabu walk that rates each move
     by an exact forward pass, compiled, in a child process on one of the threads from
     the first improvement round on (:mod:`optikit_fjsp.tardy_process`); in paired 60 s runs on the
     fresh shops of issue #20 it cut the objective by 5-30 % (``benchmarks/fjsp``);
   - :mod:`optikit_fjsp.lns`: CP-SAT large-neighbourhood search, any objective, on the
     remaining threads (with tardiness in the objective: sub-models cut to a window
     of the schedule, lighter presolve and twice the work per sub-solve, see
     :mod:`optikit_fjsp.tardiness_search`).

   They share one incumbent (:class:`~optikit_fjsp.incumbent.SharedIncumbent`), so each
   continues from the other's improvements.
4. With ``bound_share`` (pure makespan, off by default) the end of the run refutes
   makespans from the bound up (:mod:`optikit_fjsp.bound_probe`) while the walk goes on.

Options (``--option key=value``): ``global_share`` (default 0.2; a quarter of it with
tardiness in the objective), ``lns_sub_dtime``
(CP-SAT deterministic time per LNS sub-solve, default 0.05), ``lns_parallel`` (LNS
searches; default: the threads not used by the tabu search), ``tie_break`` (0/1/2, see
:class:`~optikit_fjsp.lns.LnsSettings`), ``tabu`` (1/0), ``tabu_stall`` (iterations
without a new best after which the background walk hands its thread to an LNS until
the schedule improves; default 0: never), ``tabu_relink`` (1/0: the background walk
keeps an elite pool and relinks pairs of it, :mod:`optikit_fjsp.relinking`; off by
default: not measurably better at 60 s on mk06/mk10),
``tabu_processes`` (1/0), ``tardy_walk`` (1/0),
``heuristic_time`` (seconds, default 0.3), ``dispatch_share`` (share of the time
limit for randomised dispatching restarts when the objective has tardiness, default 0.1).
Keys with a dot (``cpsat.*``) belong to the backend.  The run's moving parts are in
:mod:`optikit_fjsp.cpsat_run`.
"""

from __future__ import annotations

import math
from typing import Any

from optikit.scheduling import check_schedule, schedule_to_payload
from optikit.types import Outcome, SolveContext, Status
from optikit_fjsp import bound_probe
from optikit_fjsp.cpsat_run import Run, meets
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.timetable import Solution, objective_value, to_schedule


def payload(problem: FjspProblem, sol: Solution) -> dict[str, Any]:
    return schedule_to_payload(problem.shop, to_schedule(problem.flat, sol))


def is_valid(problem: FjspProblem, sol: Solution) -> bool:
    """A quick self-check before a schedule leaves the formulation."""
    return not check_schedule(problem.shop, to_schedule(problem.flat, sol))


def solve(problem: FjspProblem, backend: Any, ctx: SolveContext) -> Outcome:
    if problem.batching is not None:  # unit-capacity search does not apply (calendars too)
        from optikit_fjsp import batching_solve

        return batching_solve.solve(problem, backend, ctx)
    if problem.shop.has_calendars:  # the search below assumes always-available machines
        from optikit_fjsp import calendar_solve

        return calendar_solve.solve(problem, backend, ctx)
    run = Run(problem, backend, ctx)
    try:
        while not run.done():
            run.global_round()
            if run.done() or ctx.remaining() is None:
                break
            run.improve_round()
        _probe_bound(run)
    finally:
        run.close()
    stats = run.stats
    stats["bound_source"] = run.bound_source
    if run.lns_iterations or run.background_lns_iterations:
        stats["lns_iterations"] = run.lns_iterations + run.background_lns_iterations
    if run.tabu_search is not None or run.walks or run.relink_search is not None:
        own = run.tabu_search.iteration if run.tabu_search is not None else 0
        relinks = [w.relinks for w in run.walks if w.relinks is not None]
        if run.relink_search is not None:
            own += run.relink_search.iteration
            relinks.append(run.relink_search.relinks)
        if relinks:
            stats["relinks"] = sum(relinks)
        stats["tabu_iterations"] = own + sum(w.iterations for w in run.walks)
        stats["tabu_processes"] = len(run.walks)
        stats["tabu_pauses"] = run.tabu_pauses
    if run.tardy_walk is not None:
        stats["tardy_walk_iterations"] = run.tardy_walk.iterations
    if run.hoods:
        stats["lns_neighbourhoods"] = [
            f"{h.name}: tries {h.tries}, improved {h.improvements}, size {h.size:.0f}"
            for h in run.hoods
        ]
    best, best_value, _version = run.shared.snapshot()
    if not is_valid(problem, best):
        ctx.log("internal: improved schedule failed the self-check; using the heuristic one")
        best, best_value = run.start, objective_value(problem, run.start)
    optimal = run.proven or meets(best_value, run.bound, ctx.options.gap)
    return Outcome(
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        payload=payload(problem, best),
        objective=best_value,
        bound=run.bound,
        stats=stats,
    )


def _probe_bound(run: Run) -> None:
    """The probes' share of the run: refute makespans from the bound up (pure makespan)."""
    ctx = run.ctx
    if run.search_end is None or run.over() or run.bound is None:
        return
    found = bound_probe.refute_makespans(
        run.problem,
        run.backend,
        ctx,
        lower=math.ceil(run.bound - 1e-9),
        upper=int(run.shared.value),
        workers=max(1, run.foreground_threads),
        on_schedule=lambda sol, value: run.shared.offer(sol, value, "probe"),
    )
    run.stats["bound_probes"] = found.probes
    if found.bound > run.bound:
        run.bound = float(found.bound)
        run.bound_source = "refuted makespans (CP-SAT, machine-set cumulatives)"
        ctx.report(None, run.bound, "probe")
