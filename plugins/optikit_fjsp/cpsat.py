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
Keys with a dot (``cpsat.*``) belong to the backend.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from optikit.scheduling import check_schedule, schedule_to_payload
from optikit.types import Outcome, SolveContext, Status
from optikit_fjsp import (
    bound_probe,
    bounds,
    heuristic,
    lns,
    relinking,
    tabu,
    tabu_process,
    tardiness_search,
    tardy_process,
)
from optikit_fjsp.global_solve import (
    LATER_STALL_SECONDS,
    STALL_SECONDS,
    global_phase,
    search_horizon,
)
from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.options import CPSAT_OPTIONS
from optikit_fjsp.timetable import (
    Solution,
    objective_value,
    to_schedule,
)

# The improvement methods hand back to a global solve only after a longer stall: on
# hard instances the global re-solves rarely help, and each costs seconds.
IMPROVE_STALL_SECONDS = 10.0
IMPROVE_STALL_FRACTION = 0.5
# Seconds (and at most this share of the run) for each solver-free bound's set search.
BOUND_BUDGET_S = 0.4
BOUND_SHARE = 0.02
# Tabu walks in child processes (a core each, no GIL shared) when the run has this long.
CHILD_WALK_MIN_S = 3.0
# How often a paused background walk looks for a new shared best (seconds).
TABU_RESUME_POLL_S = 0.1
# Offset of the seed of the LNS the background thread runs while its walk pauses.
BACKGROUND_LNS_SEED = 7777
MAX_CHILD_WALKS = 2
# Settings per child walk.  The first is the classic walk (every critical operation,
# restarts from the best), as the thread ran it before.  A second one (3+ threads) is of
# another kind, for diversity: moves from one random critical path, restarts from an
# elite of good schedules with a little perturbation.  (At equal CPU time, one-path
# walks did about a third more iterations; on mk10 they ended lower, 203 and 202
# against 204 twice, on mk06 not: 59 and 63 against 59 and 60.)
CHILD_WALK_SETTINGS: tuple[dict[str, int], ...] = (
    {},
    {"elite_size": 8, "restart_iterations": 3000, "perturbation": 2, "single_path": 1},
)


def payload(problem: FjspProblem, sol: Solution) -> dict[str, Any]:
    return schedule_to_payload(problem.shop, to_schedule(problem.flat, sol))


def is_valid(problem: FjspProblem, sol: Solution) -> bool:
    """A quick self-check before a schedule leaves the formulation."""
    return not check_schedule(problem.shop, to_schedule(problem.flat, sol))


class _Run:
    """One solve: the shared incumbent, the bound, the background tabu search, stats."""

    def __init__(self, problem: FjspProblem, backend: Any, ctx: SolveContext) -> None:
        self.problem = problem
        self.backend = backend
        self.ctx = ctx
        self.opts = ctx.options_for(CPSAT_OPTIONS)
        self.threads = max(1, ctx.options.threads)
        budget = self.opts["heuristic_time"]
        restarts = heuristic.MAX_RESTARTS
        remaining = ctx.remaining()
        if remaining is not None and problem.objective.uses_tardiness:
            # Randomised ATC restarts keep improving for seconds on tardiness objectives,
            # faster than LNS sub-solves do (module docstring of heuristic).
            budget = max(budget, self.opts["dispatch_share"] * remaining)
            restarts = tardiness_search.MAX_RESTARTS
        if remaining is not None:
            budget = min(budget, 0.25 * remaining)  # one rule always runs in full
        self.start = heuristic.construct(
            problem, budget=budget, seed=ctx.options.seed, max_restarts=restarts, stop=ctx.stop
        )
        value = objective_value(problem, self.start)
        ctx.report(value, None, "dispatch")
        self.shared = SharedIncumbent(
            self.start, value, lambda _s, v, source: ctx.report(v, None, source)
        )
        # A solver-free bound, so that even a run stopped early has one to report.
        left = ctx.remaining()
        budget = BOUND_BUDGET_S if left is None else min(BOUND_BUDGET_S, BOUND_SHARE * left)
        part = bounds.makespan_bound_with_source(problem, budget)
        self.makespan_lower = part[0] if problem.objective.makespan_weight else 0
        bound, self.bound_source = bounds.lower_bound_with_source(problem, part, budget)
        self.bound: float | None = bound
        ctx.report(None, self.bound, "relaxation")
        self.proven = False
        self.hoods: list[lns.Neighbourhood] | None = None
        self.rounds = 0
        self.stats: dict[str, Any] = {"heuristic_objective": value, "phases": []}
        self.lns_iterations = 0
        self.use_tabu = bool(self.opts["tabu"]) and tabu.applicable(problem)
        self.tabu_search: tabu.Walk | None = None
        self.relink_search: relinking.RelinkSearch | None = None
        self.finished = threading.Event()
        self.background: threading.Thread | None = None
        self.error: BaseException | None = None
        self.walks: list[tabu_process.TabuWalk] = []
        self.tabu_pauses = 0
        self.background_hoods: list[lns.Neighbourhood] | None = None
        self.background_lns_iterations = 0
        remaining = ctx.remaining()
        # With ``bound_share``, the search (global solves, LNS) ends this much early and
        # the rest goes to refuting makespans (:mod:`optikit_fjsp.bound_probe`); the
        # background walk keeps going until the deadline.
        self.search_end: float | None = None
        share = float(self.opts["bound_share"])
        if share > 0 and remaining is not None and problem.objective.is_makespan:
            self.search_end = time.monotonic() + (1.0 - share) * remaining
        if self.use_tabu and self.threads > 1 and remaining is not None:
            if self.opts["tabu_processes"] and remaining > CHILD_WALK_MIN_S:
                self._start_walks()
            if not self.walks:
                self.background = threading.Thread(target=self._tabu_forever, daemon=True)
                self.background.start()
        self.tardy_walk: tabu_process.TabuWalk | None = None

    def _start_walks(self) -> None:
        """Tabu walks in child processes, one per thread beyond the first (at most 2)."""
        assert self.ctx.deadline is not None
        for i in range(min(self.threads - 1, MAX_CHILD_WALKS)):
            settings = CHILD_WALK_SETTINGS[i % len(CHILD_WALK_SETTINGS)]
            if i == 0 and self.opts["tabu_relink"]:
                settings = {"relink": 1}
            settings = {**settings, "compiled": int(bool(self.opts["tabu_compiled"]))}
            walk = tabu_process.start_walk(
                self.problem.flat,
                self.shared,
                seed=self.ctx.options.seed * 31 + 1009 * (i + 1),
                deadline=self.ctx.deadline,
                settings=settings,
                log=self.ctx.log,
            )
            if walk is None:
                break
            self.walks.append(walk)

    def _start_tardy_walk(self) -> None:
        """Shops the Brandimarte walk does not fit (changeovers, tardiness): the exact
        tardiness walk in a child process on one of the threads, once the first global
        solve has not closed the instance (small ones keep every thread for the proof)."""
        ctx, remaining = self.ctx, self.ctx.remaining()
        if (self.tardy_walk is None and self.opts["tardy_walk"] and self.threads > 1
                and not tabu.applicable(self.problem) and ctx.deadline is not None
                and remaining is not None and remaining > CHILD_WALK_MIN_S):
            self.tardy_walk = tardy_process.start_walk(
                self.problem, self.shared, seed=ctx.options.seed * 31 + 4001,
                deadline=ctx.deadline, log=ctx.log)

    @property
    def foreground_threads(self) -> int:
        return (self.threads - (self.background is not None) - len(self.walks)
                - (self.tardy_walk is not None))

    def search_remaining(self) -> float | None:
        """Seconds left for the search: to the deadline, or to the probes' share."""
        remaining = self.ctx.remaining()
        if self.search_end is None or remaining is None:
            return remaining
        return max(0.0, min(remaining, self.search_end - time.monotonic()))

    def over(self) -> bool:
        """Nothing left to do: proven, out of time, stopped or failed."""
        return (
            self.proven
            or self.ctx.expired()
            or self.error is not None
            or _meets(self.shared.value, self.bound, self.ctx.options.gap)
        )

    def done(self) -> bool:
        """The search's part of the run is over (the walk goes on to :meth:`over`)."""
        return self.over() or self.search_remaining() == 0.0

    def close(self) -> None:
        self.finished.set()
        for walk in self.walks:
            walk.close()
        if self.tardy_walk is not None:
            self.tardy_walk.close()
        if self.background is not None:
            self.background.join()
        if self.error is not None:
            raise self.error

    def global_round(self) -> None:
        remaining = self.search_remaining()
        share = self.opts["global_share"]
        if self.problem.objective.uses_tardiness:
            share *= tardiness_search.GLOBAL_SHARE_FACTOR
        if remaining is None:
            limit, stall = None, None  # no time limit: let CP-SAT run to a proof
        elif self.rounds == 0:
            limit, stall = max(0.5, remaining * share), STALL_SECONDS
        elif self._endgame():
            limit, stall = remaining, None  # one step from a proof: give CP-SAT the rest
        else:
            # Never past the deadline: with the tardiness walk keeping the incumbent
            # fresh, the LNS can hand back with a tenth of a second left (0.5 s over).
            limit = min(remaining, max(0.5, remaining * share / 2))
            stall = LATER_STALL_SECONDS
        hint, _value, _version = self.shared.snapshot()
        phase = global_phase(
            self.problem,
            self.backend,
            self.ctx,
            hint,
            limit,
            stall,
            workers=self.foreground_threads,
            best_so_far=lambda: self.shared.value,
            makespan_lower=self.makespan_lower,
        )
        self.stats["phases"].append(phase.stats)
        if phase.bound is not None and (self.bound is None or phase.bound > self.bound + 1e-9):
            self.bound, self.bound_source = phase.bound, "cpsat (global model)"
        self.proven = phase.proven
        if phase.best is not None:
            self.shared.offer(phase.best, objective_value(self.problem, phase.best), "cpsat")
        self.rounds += 1

    def _endgame(self) -> bool:
        """The incumbent is within one unit (or 1 %) of the proven bound."""
        if self.bound is None:
            return False
        value = self.shared.value
        return value - self.bound <= max(1.0, 0.01 * abs(value)) + 1e-9

    def _stalled(self, started: float) -> bool:
        if self.done():
            return True
        quiet = self.shared.quiet_for()
        elapsed = time.monotonic() - started
        return quiet > max(IMPROVE_STALL_SECONDS, IMPROVE_STALL_FRACTION * elapsed)

    def improve_round(self) -> None:
        """LNS (and, with one thread, a tabu walk first) until the incumbent stalls.

        With tabu walks in child processes the foreground runs the LNS as it does beside
        a tabu thread, unless ``walk_foreground``: then a tabu walk of its own and no
        LNS (in one 60 s run none of ~50 LNS moves improved mk06 or mk10, but in the
        3-seed runs of ``benchmarks/fjsp/results`` this variant did no better).
        """
        self._start_tardy_walk()
        started = time.monotonic()
        self.shared.last_improvement = started
        foreground_walk = not self.walks or bool(self.opts["walk_foreground"])
        if self.use_tabu and self.background is None and foreground_walk:
            self._tabu(lambda: self._stalled(started))
            if self.walks:
                self.stats["phases"].append(
                    {"tabu_s": round(time.monotonic() - started, 2), "best": self.shared.value}
                )
                return
            started = self.shared.last_improvement = time.monotonic()
        parallel = int(self.opts["lns_parallel"]) or self.foreground_threads
        settings = self._lns_settings(parallel, max(1, self.foreground_threads // parallel))
        best, _value, _version = self.shared.snapshot()
        state = lns.improve(
            self.problem,
            self.backend,
            self.ctx,
            best,
            horizon=search_horizon(self.problem, best),
            settings=settings,
            lower_bound=self.bound,
            hoods=self.hoods,
            incumbent=self.shared,
            should_stop=lambda: self._stalled(started),
        )
        self.hoods = state.hoods
        self.lns_iterations += state.iterations
        self.stats["phases"].append(
            {"improve_s": round(time.monotonic() - started, 2), "best": self.shared.value}
        )

    def _lns_settings(self, parallel: int, workers: int) -> lns.LnsSettings:
        settings = lns.LnsSettings(
            sub_dtime=self.opts["lns_sub_dtime"] or None,
            workers=workers,
            parallel=parallel,
            tie_break=int(self.opts["tie_break"]),
        )
        if self.problem.objective.uses_tardiness:
            settings = tardiness_search.lns_settings(settings)
        return settings

    def _tabu(self, stop: Callable[[], bool], stall_iterations: int | None = None) -> None:
        deadline = self.ctx.deadline if self.ctx.deadline is not None else math.inf
        best, _value, _version = self.shared.snapshot()
        if self.tabu_search is None:
            rng = random.Random(self.ctx.options.seed * 31 + 7)
            self.tabu_search = tabu.new_walk(self.problem.flat, best, rng,
                                             compiled=bool(self.opts["tabu_compiled"]))
        else:
            self.tabu_search.restart_from(best)
        self.tabu_search.run(
            deadline, stop=stop, incumbent=self.shared, stall_iterations=stall_iterations
        )

    def _tabu_forever(self) -> None:
        """The background walk; with ``tabu_stall`` it hands over once it stalls.

        A walk that has found nothing new for ``tabu_stall`` iterations rarely finds
        anything later (mk10: the same makespan after 120,000 iterations as after
        30,000), while the LNS still improves such a schedule (mk10 202 -> 200, mk06
        61 -> 59 from a 20,000-iteration walk); so the thread then runs an LNS of its
        own, and the walk resumes from the shared best once anyone has improved it.
        Off by default: in 3-seed runs at 60 s it was not measurably better on
        mk06/mk10, and proofs on mk02/mk05/mk07/mk09 came a little later
        (``benchmarks/fjsp/README.md``).
        """
        stall = int(self.opts["tabu_stall"]) or None
        stopped = lambda: self.finished.is_set() or self.over()  # noqa: E731
        try:
            if self.opts["tabu_relink"]:
                self._relink_forever(stopped)
                return
            seen = -1
            while not stopped():
                version = self.shared.version
                if version == seen:
                    self.finished.wait(TABU_RESUME_POLL_S)
                    continue
                self._tabu(stopped, stall)
                seen = self.shared.version
                if stall is not None and not stopped():
                    self.tabu_pauses += 1
                    self._lns_while_paused(stopped, seen)
        except BaseException as exc:  # re-raised on the solving thread by close()
            self.error = exc

    def _relink_forever(self, stopped: Callable[[], bool]) -> None:
        """The background walk as an elite pool with path relinking (``tabu_relink``)."""
        best, _value, _version = self.shared.snapshot()
        rng = random.Random(self.ctx.options.seed * 31 + 7)
        self.relink_search = relinking.RelinkSearch(
            self.problem.flat, best, rng,
            relinking.RelinkSettings(compiled=bool(self.opts["tabu_compiled"])))
        deadline = self.ctx.deadline if self.ctx.deadline is not None else math.inf
        self.relink_search.run(deadline, stop=stopped, incumbent=self.shared)

    def _lns_while_paused(self, stopped: Callable[[], bool], version: int) -> None:
        """LNS on the walk's thread while the walk pauses, so that its core stays busy.

        Its own seed (the foreground LNS draws the same neighbourhoods otherwise) and its
        own neighbourhood statistics; it ends when anyone improves the shared best (its
        ``version`` moves on).
        """
        best, _value, _version = self.shared.snapshot()
        options = replace(self.ctx.options, seed=self.ctx.options.seed + BACKGROUND_LNS_SEED)
        ctx = SolveContext(options, stop=self.ctx.stop, log=self.ctx.log, started=self.ctx.started)
        state = lns.improve(
            self.problem,
            self.backend,
            ctx,
            best,
            horizon=search_horizon(self.problem, best),
            settings=self._lns_settings(1, 1),
            lower_bound=self.bound,
            hoods=self.background_hoods,
            incumbent=self.shared,
            should_stop=lambda: stopped() or self.shared.version != version,
        )
        self.background_hoods = state.hoods
        self.background_lns_iterations += state.iterations


def solve(problem: FjspProblem, backend: Any, ctx: SolveContext) -> Outcome:
    if problem.batching is not None:  # unit-capacity search does not apply (calendars too)
        from optikit_fjsp import batching_solve

        return batching_solve.solve(problem, backend, ctx)
    if problem.shop.has_calendars:  # the search below assumes always-available machines
        from optikit_fjsp import calendar_solve

        return calendar_solve.solve(problem, backend, ctx)
    run = _Run(problem, backend, ctx)
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
    optimal = run.proven or _meets(best_value, run.bound, ctx.options.gap)
    return Outcome(
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        payload=payload(problem, best),
        objective=best_value,
        bound=run.bound,
        stats=stats,
    )


def _probe_bound(run: _Run) -> None:
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


def _meets(value: float, bound: float | None, gap: float) -> bool:
    if bound is None:
        return False
    return value - bound <= gap * max(abs(value), 1e-9) + 1e-9
