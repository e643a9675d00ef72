"""Improvement by large-neighbourhood search around CP-SAT (any objective, any setups).

Why LNS: it delegates the search inside a neighbourhood to CP-SAT (compiled, exact,
aware of every side constraint of the model: changeovers as circuits, releases,
tardiness) and keeps only the outer loop in Python, so one method covers makespan,
weighted tardiness, their mixes and sequence-dependent setups.  For pure makespan
without setups the tabu search of :mod:`optikit_fjsp.tabu` is faster at small moves;
the two run side by side and share the incumbent.  The scheme is the "partial order
schedule" relaxation of Godard, Laborie & Nuijten (ICAPS 2005) with the self-adapting
portfolio of neighbourhoods of Laborie & Godard (MISTA 2007):

- each iteration relaxes a set of operations (their mode becomes free and they may be
  re-inserted anywhere); every other operation keeps its machine and its relative
  order on that machine, but not its start time, so the whole schedule can still
  shift; operations that end before the first relaxed one starts keep their times too
  (presolve then removes them, which matters on large shops);
- the sub-problem is solved by CP-SAT with the current schedule as a complete hint
  (changeover arcs included) and the constraint ``objective <= incumbent``; among
  schedules of equal objective it prefers a smaller sum of job completion times
  (``tie_break``), which compacts the schedule and gives the next neighbourhood slack
  to cut the critical path; equal-objective answers are accepted, so the search walks
  across the plateaus typical of makespan;
- every sub-solve is small: a CP-SAT *deterministic-time* limit (``sub_dtime``, default
  0.05) rather than seconds, so a loaded machine does not shrink the search, and many
  short sub-solves beat few long ones (``benchmarks/fjsp/lns_ablation.py``: at equal
  total work, 0.05 gave a mean gap of 3.2 % on mk06/mk10 where 0.1 gave 5.1 % and 0.2
  5.9 %);
- neighbourhoods: a time window (operations consecutive in start order), random jobs,
  whole machines, and the critical path (or the late jobs) plus time neighbours; the
  choice is a roulette over recent success, and every neighbourhood adapts its size:
  it grows after a sub-problem was solved to optimality (too easy) and shrinks after a
  timeout.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from optikit.types import SolveContext, Status
from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.lns_window import sub_model
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.timetable import (
    Solution,
    critical_operations,
    job_completions,
    left_shift,
    machine_sequences,
    objective_value,
)


@dataclass
class Neighbourhood:
    """A way to pick operations to relax, with its adaptive size and its track record."""

    name: str
    pick: Callable[[LnsState, random.Random, int], set[int]]
    size: float
    weight: float = 1.0
    tries: int = 0
    improvements: int = 0


@dataclass
class LnsState:
    problem: FjspProblem
    best: Solution
    best_value: float
    current: Solution
    current_value: float
    horizon: int
    iterations: int = 0
    improvements: int = 0
    dtime: float = 0.0
    hoods: list[Neighbourhood] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    history: list[tuple[str, int, str, float, float]] = field(default_factory=list)
    _critical: list[int] | None = None

    def critical(self) -> list[int]:
        """Operations that drive the objective in the current schedule."""
        if self._critical is None:
            flat = self.problem.flat
            obj = self.problem.objective
            crit: set[int] = set()
            if obj.makespan_weight > 0:
                crit.update(critical_operations(flat, self.current))
            if obj.tardiness_weight > 0:
                for j, c in enumerate(job_completions(flat, self.current)):
                    due = flat.due[j]
                    if due is not None and c > due:
                        crit.update(flat.job_ops[j])
            self._critical = sorted(crit)
        return self._critical

    def set_current(self, sol: Solution, value: float) -> None:
        self.current, self.current_value = sol, value
        self._critical = None


# --- neighbourhoods -------------------------------------------------------------------


def _time_window(state: LnsState, rng: random.Random, k: int) -> set[int]:
    """``k`` operations consecutive in start order around a random (often critical) one."""
    sol = state.current
    order = sorted(range(len(sol.starts)), key=lambda g: sol.starts[g])
    crit = state.critical()
    centre = rng.choice(crit) if crit and rng.random() < 0.5 else rng.randrange(len(order))
    pos = order.index(centre)
    lo = max(0, min(pos - rng.randrange(k), len(order) - k))
    return set(order[lo : lo + k])


def _random_jobs(state: LnsState, rng: random.Random, k: int) -> set[int]:
    flat = state.problem.flat
    jobs = list(range(flat.num_jobs))
    rng.shuffle(jobs)
    chosen: set[int] = set()
    for j in jobs:
        if len(chosen) >= k:
            break
        chosen.update(flat.job_ops[j])
    return chosen


def _machines(state: LnsState, rng: random.Random, k: int) -> set[int]:
    """Whole machines (first one holding a critical operation) until ``k`` operations."""
    flat = state.problem.flat
    seqs = machine_sequences(flat, state.current)
    crit = state.critical()
    machines = [m for m in range(flat.num_machines) if seqs[m]]
    rng.shuffle(machines)
    if crit:
        first = state.current.machine(flat, rng.choice(crit))
        machines.remove(first)
        machines.insert(0, first)
    chosen: set[int] = set()
    for m in machines:
        if len(chosen) >= k:
            break
        seq = seqs[m]
        if len(chosen) + len(seq) > k and chosen:
            # Part of the machine: a random contiguous block of it.
            room = k - len(chosen)
            lo = rng.randrange(max(1, len(seq) - room + 1))
            chosen.update(seq[lo : lo + room])
        else:
            chosen.update(seq)
    return chosen


def _critical_path(state: LnsState, rng: random.Random, k: int) -> set[int]:
    """A random stretch of the critical operations, padded with time neighbours."""
    crit = state.critical()
    if not crit:
        return _random_jobs(state, rng, k)
    sol = state.current
    crit_sorted = sorted(crit, key=lambda g: sol.starts[g])
    take = max(1, min(len(crit_sorted), k // 2))
    lo = rng.randrange(len(crit_sorted) - take + 1)
    chosen = set(crit_sorted[lo : lo + take])
    order = sorted(range(len(sol.starts)), key=lambda g: sol.starts[g])
    where = {g: i for i, g in enumerate(order)}
    pool = sorted({where[g] for g in chosen})
    while len(chosen) < k and len(chosen) < len(order):
        p = rng.choice(pool) + rng.randint(-k, k)
        if 0 <= p < len(order):
            chosen.add(order[p])
    return chosen


def default_neighbourhoods(num_ops: int) -> list[Neighbourhood]:
    # Start small on big shops: a sub-solve must finish presolve to be of any use.
    start = float(min(num_ops, max(8, min(num_ops // 8, 40))))
    return [
        Neighbourhood("time-window", _time_window, start),
        Neighbourhood("random-jobs", _random_jobs, start),
        Neighbourhood("machines", _machines, start),
        Neighbourhood("critical-path", _critical_path, start),
    ]


# --- the loop ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LnsSettings:
    """Knobs of the LNS loop.

    - ``sub_dtime``: CP-SAT deterministic-time limit per sub-solve.  Deterministic time
      measures work, not seconds, so a loaded machine does not shrink every sub-search;
      ``sub_time`` (wall seconds) is only a safety cap.
    - ``workers``: CP-SAT threads per sub-solve; ``parallel``: concurrent sub-solves.
    - ``tie_break``: 0 objective only; 1 prefer compact schedules (smaller sum of job
      completions) among equal objectives; 2 the same with random job weights.
    - ``max_iterations`` / ``dtime_budget``: stop criteria besides the deadline, used by
      the reproducible experiments in ``benchmarks/fjsp``.
    """

    sub_dtime: float | None = 0.05
    sub_time: float = 3.0
    workers: int = 1
    parallel: int = 1
    tie_break: int = 1
    max_iterations: int | None = None
    dtime_budget: float | None = None
    # Above this many operations, sub-solves skip probing and the LP relaxation: on a
    # 1,200-operation shop they cost seconds per sub-solve before any search starts.
    large_model: int = 500
    # Stop after this long without improving the best (seconds, and at least this
    # fraction of the time spent so far), so the caller can switch methods.
    stall_seconds: float | None = None
    stall_fraction: float = 0.0
    # Redundant "makespan >= work on each machine" rows in sub-models.
    load_cuts: bool = False
    # Freeze operations starting this many mean operation durations after the
    # neighbourhood (see ``sub_model``); None: the whole tail stays free.
    freeze_after: float | None = None
    # Leave frozen operations out of the sub-model (``optikit_fjsp.lns_window``).
    compact: bool = False


def improve(
    problem: FjspProblem,
    backend: Any,
    ctx: SolveContext,
    start: Solution,
    *,
    horizon: int,
    settings: LnsSettings | None = None,
    lower_bound: float | None = None,
    deadline: float | None = None,
    on_improve: Callable[[Solution, float], None] | None = None,
    hoods: list[Neighbourhood] | None = None,
    incumbent: SharedIncumbent | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LnsState:
    """Run LNS from ``start`` until ``deadline`` (monotonic), the stop flag or the bound.

    ``settings.parallel`` searches share the incumbent (CP-SAT releases the GIL, so two
    single-threaded sub-solves keep two cores busy).  Pass the previous run's
    ``state.hoods`` as ``hoods`` to continue with the sizes and weights learnt so far.
    With ``incumbent``, improvements are shared with methods running alongside (and
    theirs are picked up before each sub-solve); ``should_stop`` ends the run early.
    """
    settings = settings or LnsSettings()
    value = objective_value(problem, start)
    state = LnsState(problem, start, value, start, value, horizon)
    search = _Search(problem, backend, ctx, state, settings, lower_bound, deadline, on_improve)
    search.incumbent = incumbent
    search.should_stop = should_stop
    if hoods:
        search.hoods = hoods
    seeds = [ctx.options.seed * 7919 + 17 + 101 * i for i in range(max(1, settings.parallel))]
    if len(seeds) == 1:
        search.run(random.Random(seeds[0]))
    else:
        threads = [
            threading.Thread(target=search.run, args=(random.Random(s),), daemon=True)
            for s in seeds
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if search.error is not None:
        raise search.error
    state.iterations = search.iterations
    state.dtime = search.dtime
    state.hoods = search.hoods
    state.log = [
        f"{h.name}: tries {h.tries}, improved {h.improvements}, size {h.size:.0f}"
        for h in search.hoods
    ]
    return state


class _Search:
    """The LNS loop; several threads may run it on one shared state."""

    def __init__(
        self,
        problem: FjspProblem,
        backend: Any,
        ctx: SolveContext,
        state: LnsState,
        settings: LnsSettings,
        lower_bound: float | None,
        deadline: float | None,
        on_improve: Callable[[Solution, float], None] | None,
    ) -> None:
        self.problem = problem
        self.backend = backend
        self.ctx = ctx
        self.state = state
        self.settings = settings
        self.lower_bound = lower_bound
        self.deadline = deadline
        self.on_improve = on_improve
        self.hoods = default_neighbourhoods(problem.flat.num_ops)
        self.lock = threading.Lock()
        self.iterations = 0
        self.dtime = 0.0
        self.started = self.last_improvement = time.monotonic()
        self.incumbent: SharedIncumbent | None = None
        self.should_stop: Callable[[], bool] | None = None
        self.seen_version = -1
        self.error: BaseException | None = None

    def _remaining(self) -> float:
        remaining = math.inf if self.deadline is None else self.deadline - time.monotonic()
        ctx_left = self.ctx.remaining()
        return min(remaining, math.inf if ctx_left is None else ctx_left)

    def _done(self) -> bool:
        s = self.settings
        if self.ctx.stop.is_set() or self._remaining() < 0.05 or self.error is not None:
            return True
        if self.should_stop is not None and self.should_stop():
            return True
        if s.max_iterations is not None and self.iterations >= s.max_iterations:
            return True
        if s.dtime_budget is not None and self.dtime >= s.dtime_budget:
            return True
        if s.stall_seconds is not None:
            now = time.monotonic()
            quiet = now - self.last_improvement
            if quiet > max(s.stall_seconds, s.stall_fraction * (now - self.started)):
                return True
        lb = self.lower_bound
        return lb is not None and self.state.best_value <= lb + 1e-9

    def run(self, rng: random.Random) -> None:
        try:
            while not self._done():
                self.iterate(rng)
        except BaseException as exc:  # re-raised by improve() on the calling thread
            self.error = exc

    def _sync(self) -> None:
        """Adopt a better schedule another method has found (call with the lock held)."""
        if self.incumbent is None:
            return
        sol, value, version = self.incumbent.snapshot()
        if version == self.seen_version:
            return
        self.seen_version = version
        state = self.state
        if value < state.best_value - 1e-9:
            state.best, state.best_value = sol, value
        if value < state.current_value - 1e-9:
            state.set_current(sol, value)

    def _freeze_margin(self) -> int | None:
        if self.settings.freeze_after is None:
            return None
        flat = self.problem.flat
        mean = sum(min(d for _m, d in modes) for modes in flat.modes) / max(1, flat.num_ops)
        return round(self.settings.freeze_after * mean)

    def _tie_weights(self, rng: random.Random) -> list[int] | None:
        jobs = self.problem.flat.num_jobs
        if self.settings.tie_break == 1:
            return [1] * jobs
        if self.settings.tie_break == 2:
            return [rng.randint(0, 3) for _ in range(jobs)]
        return None

    def iterate(self, rng: random.Random) -> None:
        state = self.state
        n = self.problem.flat.num_ops
        now = time.monotonic()
        with self.lock:
            self._sync()
            hood = _roulette(self.hoods, rng)
            k = max(2, min(n, round(hood.size)))
            relaxed = hood.pick(state, rng, k)
            cm = sub_model(
                state,
                relaxed,
                self._tie_weights(rng),
                load_cuts=self.settings.load_cuts,
                freeze_after=self._freeze_margin(),
                compact=self.settings.compact,
            )
        limit = min(self.settings.sub_time, self._remaining())
        params: dict[str, Any] = {"random_seed": rng.randrange(1 << 30)}
        if self.settings.sub_dtime is not None:
            params["max_deterministic_time"] = self.settings.sub_dtime
        if n > self.settings.large_model:
            params.update(cp_model_probing_level=0, linearization_level=0)
        # a sub-solve's bound is not the run's: it stays out of the run's progress
        sub_ctx = self.ctx.narrowed(limit, verbose=False, extra={})
        result = self.backend.solve(
            cm.model,
            sub_ctx,
            time_limit=limit,
            workers=self.settings.workers,
            parameters=params,
        )
        sol = None
        if result.status.has_solution:
            sol = cm.solution(result.value, result.boolean_value)
            calendars = self.problem.shop.has_calendars  # left_shift ignores calendars
            if self.settings.freeze_after is not None and not calendars:  # pull the tail in
                flat = self.problem.flat
                sol = left_shift(flat, sol.modes, machine_sequences(flat, sol))
        with self.lock:
            self.iterations += 1
            self.dtime += float(result.stats.get("deterministic_time") or 0.0)
            hood.tries += 1
            state.history.append(
                (hood.name, k, result.status.value, time.monotonic() - now, state.best_value)
            )
            complete = result.status in (Status.OPTIMAL, Status.INFEASIBLE)
            hood.size = min(float(n), hood.size * 1.1) if complete else max(2.0, hood.size * 0.92)
            hood.weight = max(0.2, hood.weight * 0.98)
            if sol is None:
                return
            new_value = objective_value(self.problem, sol)
            if new_value < state.best_value - 1e-9:
                hood.improvements += 1
                hood.weight += 1.0
                state.improvements += 1
                state.best, state.best_value = sol, new_value
                state.set_current(sol, new_value)
                self.last_improvement = time.monotonic()
                if self.incumbent is not None:
                    self.incumbent.offer(sol, new_value, "lns")
                self.ctx.log(f"lns {self.iterations}: {hood.name} k={k} -> {new_value:g}")
                if self.on_improve is not None:
                    self.on_improve(sol, new_value)
            elif new_value <= state.current_value + 1e-9 and sol != state.current:
                state.set_current(sol, new_value)


def _roulette(hoods: list[Neighbourhood], rng: random.Random) -> Neighbourhood:
    total = sum(h.weight for h in hoods)
    r = rng.random() * total
    for h in hoods:
        r -= h.weight
        if r <= 0:
            return h
    return hoods[-1]
