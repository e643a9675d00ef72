"""One ``cpsat`` solve's state and rounds: the shared incumbent, the bound, the walks.

Why apart from :mod:`optikit_fjsp.cpsat`: that module says how a solve runs and
assembles its answer; this one holds the moving parts (the global rounds, the
improvement rounds, the tabu walks on threads or in child processes, the tardiness
walk) and their timing rules.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from optikit.types import SolveContext
from optikit_fjsp import (
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
from optikit_fjsp.timetable import objective_value

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



class Run:
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
            or meets(self.shared.value, self.bound, self.ctx.options.gap)
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


def meets(value: float, bound: float | None, gap: float) -> bool:
    """Whether ``value`` is within the relative ``gap`` of a proven ``bound``."""
    if bound is None:
        return False
    return value - bound <= gap * max(abs(value), 1e-9) + 1e-9
