"""Shift search: a fast local search that moves one operation at a time to cheaper time.

Why: on the 2,880-minute generated instances one CP-SAT LNS step costs seconds (copying,
fixing and presolving a model of about 29,000 variables), so a loaded minute makes a
dozen of them, and the constructed schedule it starts from leaves single operations in
dear periods or with idle gaps that one move would close.  Here a move takes one
operation to another start, mode or machine gap, and is priced exactly as the checker
prices schedules (:func:`optikit_energy.energy.compute`, the peak cap and switching rules
included), machine by machine (:mod:`optikit_energy.shift_pricing`; the move taken once
more over the whole schedule): thousands of moves per second pass, so the search
polishes the start of the CP-SAT search and its end result.  Once no single move is
left, machine neighbours exchange places (:mod:`optikit_energy.shift_swaps`), and the
single moves resume around each exchange.

A move keeps the operation between its job's neighbours (and its job's release), inside
one gap of the target machine (setups to both neighbours respected, and the setup the
operation's old neighbours need once it has left), and before the horizon.  Each priced
schedule is tried with the touched machines' switch-ons kept, else (and for the best
candidate) with their greedy cheapest policy
(:func:`optikit_energy.switching.best_policy`), the better of the two kept.  Machine
calendars are not handled (the search declines: calendar starts and pauses are the CP-SAT
model's business).  The answer is re-checked with the checker's rules before it is
returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from optikit.scheduling import ScheduledOperation
from optikit.scheduling.checking import check_schedule
from optikit_energy import energy, machine_dp, shift_swaps, switching
from optikit_energy.checker import horizon_violations, peak_violations
from optikit_energy.model import EnergyProblem
from optikit_energy.shift_pricing import MachinePricer

# Candidate starts priced per operation and pass (the best by processing-cost estimate,
# plus the starts next to the neighbours, which close idle gaps).
CANDIDATES_PER_OP = 8
# An improvement must beat the incumbent by this (relative) to count.
RELATIVE_GAIN = 1e-9
# Exchanges of machine neighbours once no single move is left (shift_swaps).
SWAPS = True
# Each machine's sequence re-timed (and its speed modes chosen) exactly once no single
# move is left (machine_dp):
# generated 504 operations, from the single moves' local optimum 1,496.70 -> 1,469.59 in
# 0.34 s (1,460.8 after the single moves around it); large-2 716.52 -> 714.10.
RETIME = True


@dataclass
class Shifted:
    """The improved schedule, its switch-ons and objective, and what the search did."""

    schedule: list[ScheduledOperation]
    switch_on: dict[int, list[int]]
    objective: float
    moves: int
    priced: int
    swapped: int = 0  # of the moves, exchanges of machine neighbours


def applicable(problem: EnergyProblem) -> bool:
    """Calendars need calendar-aware starts and pauses: left to the CP-SAT model."""
    return not problem.shop.has_calendars


def improve(
    problem: EnergyProblem,
    schedule: Sequence[ScheduledOperation],
    switch_on: dict[int, list[int]],
    objective: float,
    budget_s: float,
    should_stop: Callable[[], bool] = lambda: False,
    focus: Collection[int] | None = None,
    swaps: bool = SWAPS,
    retime: bool = RETIME,
) -> Shifted | None:
    """A better schedule within ``budget_s`` seconds, or None (no improving move, or the
    search does not apply).  ``focus``: the operations (global indices) to look at first
    (others only once a move has changed their room), e.g. what an LNS step moved in a
    schedule this search has already polished; None: every operation.  ``swaps``: once
    no single move is left, try exchanging machine neighbours (:mod:`shift_swaps`);
    ``retime``: and re-timing each machine exactly (:mod:`machine_dp`)."""
    search = start(problem, schedule, switch_on, objective, budget_s, should_stop)
    if search is None:
        return None
    # "Don't look" marks: an operation that found no move is looked at again only once a
    # move has changed its job or machine neighbourhood (later passes were most of the
    # time on large-1).
    dirty = set(search.index) if focus is None else set(focus) & set(search.index)
    descend(search, dirty, None if focus is None else set(dirty), swaps, retime)
    if search.moves == 0:
        return None
    return search.shifted()


def start(problem: EnergyProblem, schedule: Sequence[ScheduledOperation],
          switch_on: dict[int, list[int]], objective: float, budget_s: float,
          should_stop: Callable[[], bool]) -> _Search | None:
    """A search over a copy of ``schedule`` that runs out of time after ``budget_s``
    seconds or on ``should_stop()``; None when the search does not apply."""
    if not applicable(problem) or not schedule or budget_s <= 0:
        return None
    deadline = time.monotonic() + budget_s

    def out_of_time() -> bool:
        return time.monotonic() > deadline or should_stop()

    return _Search(problem, list(schedule), dict(switch_on), objective, out_of_time)


def descend(search: _Search, dirty: set[int], scope: set[int] | None, swaps: bool,
            retime: bool = RETIME) -> None:
    """Single moves of the ``dirty`` operations (and of those whose room a move changed)
    until none is left; then, with ``retime``, the exact re-timing of each machine (of
    the operations in ``scope``; None: all; :mod:`machine_dp`) and the single moves again
    around what it moved; then, with ``swaps``, exchanges of machine neighbours (of the
    operations in ``scope``) and the single moves again around each."""
    while not search.out_of_time():
        while dirty and not search.out_of_time():
            for g in search.order():
                if search.out_of_time():
                    break
                if g not in dirty:
                    continue
                dirty.discard(g)
                before = search.at(g)
                if search.move(g):
                    dirty |= search.neighbourhood(g, before)
        if retime and not search.out_of_time():
            machines = None if scope is None else {search.at(g).machine for g in scope}
            dirty |= machine_dp.sweep(search, machines)
            if dirty:
                continue  # single moves around the re-timed machines first
        if not swaps or search.out_of_time():
            break
        for g in search.order():
            if search.out_of_time():
                break
            if scope is not None and g not in scope:
                continue
            before = search.at(g)
            if shift_swaps.swap(search, g) is not None:
                search.swapped += 1
                dirty |= search.neighbourhood(g, before)
        if not dirty:
            break


class _Search:
    """The current schedule (by global operation index) and the move machinery."""

    def __init__(self, problem: EnergyProblem, schedule: list[ScheduledOperation],
                 switch_on: dict[int, list[int]], objective: float,
                 out_of_time: Callable[[], bool]) -> None:
        self.p = problem
        self.out_of_time = out_of_time
        self.schedule = schedule
        self.switch_on = switch_on
        self.objective = objective
        self.moves = self.priced = self.swapped = 0
        self.index = {problem.job_ops[s.job][s.operation]: i for i, s in enumerate(schedule)}
        pi = switching.objective_price(problem)
        self.prefix: NDArray[np.float64] = np.concatenate(([0.0], np.cumsum(pi)))
        self.cuts = sorted({p.start for p in problem.tariff} | {problem.horizon})
        self.pricer = MachinePricer(problem, schedule, switch_on)
        # Machines re-timed by machine_dp with nothing to gain, and untouched since: a
        # sweep skips them (1,200 operations: a sweep of all 40 machines takes 1.3-1.7 s).
        self.settled: set[int] = set()

    def at(self, g: int) -> ScheduledOperation:
        return self.schedule[self.index[g]]

    def shifted(self) -> Shifted | None:
        """The search's schedule as an answer, re-checked with the checker's rules."""
        if not _valid(self.p, self.schedule, self.switch_on):
            return None  # never expected: every move was priced feasible
        return Shifted(self.schedule, self.switch_on, self.objective, self.moves,
                       self.priced, self.swapped)

    def order(self) -> list[int]:
        """Operations by what their processing pays above the cheapest price, dearest first."""
        cheapest = float(np.diff(self.prefix).min()) if self.prefix.size > 1 else 0.0

        def excess(g: int) -> float:
            s = self.at(g)
            power = self.p.ops[g].modes[s.mode].power
            return power * (self.paid(s.start, s.end) - cheapest * (s.end - s.start))

        return sorted(self.index, key=excess, reverse=True)

    def neighbourhood(self, g: int, before: ScheduledOperation) -> set[int]:
        """Operations whose room a move of ``g`` (from ``before``) changed: its job's
        operations and every operation on its old and new machines (the peak cap and the
        switching costs reach further, but rarely decide)."""
        machines = {before.machine, self.at(g).machine}
        job = set(self.p.job_ops[before.job])
        return job | {h for h, i in self.index.items() if self.schedule[i].machine in machines}

    def paid(self, a: int, b: int) -> float:
        """What one kW costs over ``[a, b)`` (objective prices)."""
        h = self.p.horizon
        return float(self.prefix[min(b, h)] - self.prefix[min(a, h)])

    def move(self, g: int) -> bool:
        """Apply the best improving move of operation ``g``, if any (:meth:`take_best`)."""
        current = self.at(g)
        return self.take_best({g: cand} for cand in self.candidates(g, current))

    def take_best(self, options: Iterable[dict[int, ScheduledOperation]]) -> bool:
        """Apply the best improving one of these moves (each: operations placed anew), if
        any.

        Candidates are priced machine by machine (:mod:`shift_pricing`: the switch-ons
        of the machines touched kept, or their greedy policy where cheaper or needed);
        the best one again over the whole schedule before it is taken."""
        best: tuple[float, dict[int, ScheduledOperation], dict[int, list[int]]] | None = None
        for changes in options:
            if self.out_of_time():
                break  # the best so far is still a valid move
            found = self.try_move(changes)
            if found is not None and (best is None or found[0] < best[0]):
                best = (found[0], changes, found[1])
        if best is not None:  # the greedy switching policy too, where it may be cheaper
            again = self.try_move(best[1], greedy=True)
            if again is not None and again[0] < best[0]:
                best = (again[0], best[1], again[1])
        margin = RELATIVE_GAIN * max(1.0, abs(self.objective))
        if best is None or best[0] >= self.objective - margin:
            return False
        return self.take(best[1], best[2])

    def try_move(self, changes: dict[int, ScheduledOperation], greedy: bool = False
                 ) -> tuple[float, dict[int, list[int]]] | None:
        """The objective with operations ``changes`` placed anew, priced machine by
        machine, and the switch-ons of the machines touched (None: infeasible; ``greedy``:
        :meth:`MachinePricer.price`)."""
        self.priced += 1
        old = {g: self.at(g) for g in changes}
        return self.pricer.price(changes, old, self._with_all(changes), greedy)

    def take(self, changes: dict[int, ScheduledOperation], on: dict[int, list[int]]) -> bool:
        """Apply a move if, priced over the whole schedule, it improves the objective."""
        schedule = self._with_all(changes)
        switch_on = {**self.switch_on, **on}
        value = self._price(schedule, switch_on)
        margin = RELATIVE_GAIN * max(1.0, abs(self.objective))
        if value is None or value >= self.objective - margin:
            return False
        self._apply(changes, schedule, switch_on, value)
        return True

    def force(self, changes: dict[int, ScheduledOperation], on: dict[int, list[int]]) -> bool:
        """Apply a move if it is feasible, better or not (a kick: :mod:`shift_kick`)."""
        schedule = self._with_all(changes)
        switch_on = {**self.switch_on, **on}
        value = self._price(schedule, switch_on)
        if value is None:
            return False
        self._apply(changes, schedule, switch_on, value)
        return True

    def _apply(self, changes: dict[int, ScheduledOperation], schedule: list[ScheduledOperation],
               switch_on: dict[int, list[int]], value: float) -> None:
        old = {g: self.at(g) for g in changes}
        self.schedule = schedule
        self.objective = value
        self.switch_on = switching.normalize(self.p, self.schedule, switch_on)
        self.pricer.commit(changes, old, self.switch_on)
        for g, was in old.items():  # their machines and their jobs' windows changed
            self.settled -= {was.machine, changes[g].machine}
            self.settled -= {self.at(h).machine for h in self.p.job_ops[was.job]}
        self.moves += 1

    def _with_all(self, changes: dict[int, ScheduledOperation]) -> list[ScheduledOperation]:
        out = list(self.schedule)
        for g, s in changes.items():
            out[self.index[g]] = s
        return out

    def job_room(self, g: int) -> tuple[int, int]:
        """``g``'s earliest start and latest end between its job's neighbours."""
        s = self.at(g)
        ops_of_job = self.p.job_ops[s.job]
        o = s.operation
        lo = self.at(ops_of_job[o - 1]).end if o > 0 else self.p.shop.jobs[s.job].release
        hi = self.at(ops_of_job[o + 1]).start if o + 1 < len(ops_of_job) else self.p.horizon
        return lo, hi

    def _price(self, schedule: list[ScheduledOperation], on: dict[int, list[int]]
               ) -> float | None:
        """The checker's objective of ``schedule`` with switch-ons ``on``; None if they
        break the switching rules or the peak cap."""
        self.priced += 1
        figures, bad = energy.compute(self.p, schedule, on)
        if bad or peak_violations(self.p, figures):
            return None
        return float(energy.objective(self.p, figures, schedule))

    def candidates(self, g: int, current: ScheduledOperation) -> list[ScheduledOperation]:
        """Feasible placements of ``g`` (other than where it is), the most promising first."""
        p = self.p
        op = p.ops[g]
        j, o = current.job, current.operation
        ops_of_job = p.job_ops[j]
        lo_job = self.at(ops_of_job[o - 1]).end if o > 0 else p.shop.jobs[j].release
        hi_job = self.at(ops_of_job[o + 1]).start if o + 1 < len(ops_of_job) else p.horizon
        scored: list[tuple[float, int, ScheduledOperation]] = []
        leaves_ok = self._can_leave(g, current)
        old_cost = op.modes[current.mode].power * self.paid(current.start, current.end)
        cap = p.peak_power
        for k, mode in enumerate(op.modes):
            if cap is not None and mode.power > cap + 1e-9:
                continue
            d = mode.duration
            for a, b, same_gap in self._gaps(g, mode.machine, j, current):
                if not same_gap and not leaves_ok:
                    continue
                lo, hi = max(a, lo_job), min(b, hi_job) - d
                if lo > hi:
                    continue
                starts = {lo, hi}
                starts.update(c for c in self.cuts if lo < c < hi)
                starts.update(c - d for c in self.cuts if lo < c - d < hi)
                for t in starts:
                    if k == current.mode and t == current.start:
                        continue
                    estimate = mode.power * self.paid(t, t + d) - old_cost
                    touches = 0 if t in (lo, hi) else 1
                    s = ScheduledOperation(j, o, k, mode.machine, t, t + d)
                    scored.append((estimate, touches, s))
        scored.sort(key=lambda x: (x[0], x[1]))
        cheap = [s for _, _, s in scored[:CANDIDATES_PER_OP]]
        adjacent = [s for _, touches, s in scored[CANDIDATES_PER_OP:] if touches == 0]
        return cheap + adjacent[:CANDIDATES_PER_OP // 2]

    def _machine_ops(self, m: int, skip: int) -> list[ScheduledOperation]:
        s = self.at(skip)
        return [t for t in self.pricer.machine_ops(m)
                if (t.job, t.operation) != (s.job, s.operation)]

    def _gaps(self, g: int, m: int, job: int, current: ScheduledOperation
              ) -> list[tuple[int, int, bool]]:
        """``(earliest start, latest end, is g's own gap)`` of each gap on machine ``m``
        without ``g``, setups to the neighbours included."""
        shop = self.p.shop
        out: list[tuple[int, int, bool]] = []
        prev: ScheduledOperation | None = None
        for s in [*self._machine_ops(m, g), None]:
            a = 0 if prev is None else prev.end + shop.setup_time(m, prev.job, job)
            b = self.p.horizon if s is None else s.start - shop.setup_time(m, job, s.job)
            own = m == current.machine and (prev is None or prev.end <= current.start) and (
                s is None or current.end <= s.start)
            if b > a:
                out.append((a, b, own))
            prev = s
        return out

    def _can_leave(self, g: int, current: ScheduledOperation) -> bool:
        """Whether ``g``'s machine neighbours keep their setup once ``g`` has left."""
        shop = self.p.shop
        if not shop.has_setups:
            return True
        ops = self._machine_ops(current.machine, g)
        before = [s for s in ops if s.end <= current.start]
        after = [s for s in ops if s.start >= current.end]
        if not before or not after:
            return True
        u, v = before[-1], after[0]
        return v.start >= u.end + shop.setup_time(current.machine, u.job, v.job)


def touched(problem: EnergyProblem, before: Sequence[ScheduledOperation],
            after: Sequence[ScheduledOperation]) -> set[int]:
    """Operations (global indices) whose room differs between two schedules: those that
    moved, their jobs' operations and every operation on the machines they left or took."""
    placed = {problem.job_ops[s.job][s.operation]: s for s in before}
    moved = [(placed.get(problem.job_ops[s.job][s.operation]), s) for s in after]
    moved = [(a, b) for a, b in moved if a != b]
    machines = {s.machine for pair in moved for s in pair if s is not None}
    jobs = {b.job for _, b in moved}
    return {problem.job_ops[s.job][s.operation] for s in after
            if s.machine in machines or s.job in jobs}


def _valid(problem: EnergyProblem, schedule: list[ScheduledOperation],
           switch_on: dict[int, list[int]]) -> bool:
    """The checker's rules on a schedule (times, machines, setups, horizon, switching,
    peak)."""
    if check_schedule(problem.shop, schedule) or horizon_violations(problem, schedule):
        return False
    figures, bad = energy.compute(problem, schedule, switch_on)
    return not bad and not peak_violations(problem, figures)

