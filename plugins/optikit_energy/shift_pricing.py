"""Machine-by-machine pricing of shift-search moves.

Why: the shift search priced every candidate move with the checker's computation over
the whole schedule (:func:`optikit_energy.energy.compute`): 9 ms on a generated
1,200-operation instance (23 ms for the greedy switching policy), so one pass over its
operations did not end within the 20 s the run gives it.  But the energy objective is a
sum over machines (each machine's power profile priced unit by unit, plus its start-ups);
only the peak cap and the makespan / tardiness terms join them.  So a move is priced by
recomputing the one or two machines it touches (the same computation on their
operations alone) against the other machines' cached profiles, for the cap.  A move the
search takes is priced once more over the whole schedule before it is applied (the
search's objective stays the checker's).  Each machine's figure comes from the objective
price's prefix sums (:mod:`optikit_energy.machine_energy`, session 18: about twice the
pricings per second on 1,200 operations), the makespan and tardiness terms from each
machine's last end and each job's completion kept here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from optikit.scheduling import ScheduledOperation, makespan, weighted_tardiness
from optikit_energy import energy, switching
from optikit_energy.checker import ATOL, RTOL
from optikit_energy.machine_energy import MachineEnergy
from optikit_energy.model import EnergyProblem

Priced = tuple[float, dict[int, list[int]]]  # objective, switch-ons of the machines touched


class MachinePricer:
    """Each machine's operations, switch-ons, priced energy and power profile."""

    def __init__(self, problem: EnergyProblem, schedule: Sequence[ScheduledOperation],
                 switch_on: Mapping[int, Sequence[int]]) -> None:
        self.p = problem
        self.horizon = problem.horizon
        n = problem.num_machines
        self.ops: list[list[ScheduledOperation]] = [[] for _ in range(n)]
        for s in schedule:
            self.ops[s.machine].append(s)
        self.on = {m: list(t) for m, t in switch_on.items()}
        # Prefix-sum pricing where no machine has a calendar (the shift search's case).
        self.fast = None if problem.shop.has_calendars else MachineEnergy(problem)
        self.energy = np.zeros(n)
        self.profiles = np.zeros((n, self.horizon))
        for m in range(n):
            found = self.machine(m, self.ops[m], self.on.get(m, []))
            if found is not None:  # (a valid schedule: always)
                self.energy[m] = found[0]
                if found[1] is not None:
                    self.profiles[m] = found[1]
        self.total = self.profiles.sum(axis=0)
        cap = problem.peak_power
        self.limit = None if cap is None else cap + ATOL + RTOL * abs(cap)
        # The makespan and tardiness terms, kept per machine and per job.
        self.last_end = np.array([max((s.end for s in ops), default=0) for ops in self.ops])
        self.last_op = [len(job.operations) - 1 for job in problem.shop.jobs]
        self.done = np.zeros(len(problem.shop.jobs), dtype=np.int64)
        for s in schedule:
            if s.operation == self.last_op[s.job]:
                self.done[s.job] = max(int(self.done[s.job]), s.end)
        self.tardy = sum(self._late(j, int(c)) for j, c in enumerate(self.done))

    def machine(self, m: int, ops: Sequence[ScheduledOperation], on: Sequence[int]
                ) -> tuple[float, NDArray[np.float64] | None] | None:
        """Machine ``m``'s objective energy and profile with ``ops`` and switch-ons ``on``
        (None if they break the switching rules or leave the horizon; the profile None
        without a peak cap on the prefix-sum path)."""
        if self.fast is not None:
            return self.fast.price(m, ops, on)
        figures, bad = energy.compute(self.p, ops, {m: on} if self.p.can_switch_off(m) else {})
        if bad or figures.profile.size > self.horizon:
            return None
        w = self.p.weights
        return w.energy_cost * figures.cost + w.carbon * figures.co2_kg, figures.profile

    def price(self, changes: Mapping[int, ScheduledOperation],
              old: Mapping[int, ScheduledOperation],
              schedule: Sequence[ScheduledOperation], greedy: bool = False) -> Priced | None:
        """The objective of ``schedule`` (this pricer's schedule with operations
        ``changes`` placed anew; ``old``: where they were) and the switch-ons of the
        machines touched (kept where valid, else the machine's greedy policy; with
        ``greedy`` both, the cheaper one); None if no choice keeps the rules and the cap."""
        moved = {(s.job, s.operation) for s in old.values()}
        touched = {s.machine for s in old.values()} | {s.machine for s in changes.values()}
        value = float(self.energy.sum())
        total = self.total
        chosen: dict[int, list[int]] = {}
        ends: dict[int, int] = {}
        for m in touched:
            ops = [s for s in self.ops[m] if (s.job, s.operation) not in moved]
            ops += [s for s in changes.values() if s.machine == m]
            best = self._cheapest(m, ops, greedy)
            if best is None:
                return None
            value += best[0] - self.energy[m]
            if best[1] is not None:
                total = total + (best[1] - self.profiles[m])
            if self.p.can_switch_off(m):
                chosen[m] = best[2]
            ends[m] = max((s.end for s in ops), default=0)
        if self.limit is not None and float(total.max()) > self.limit:
            return None
        if self.fast is None:
            return value + self.other_terms(schedule), chosen
        return value + self._other_terms_with(changes, ends), chosen

    def _other_terms_with(self, changes: Mapping[int, ScheduledOperation],
                          ends: Mapping[int, int]) -> float:
        """:meth:`other_terms` of this pricer's schedule with ``changes`` (``ends``: the
        touched machines' new last ends), from the kept per-machine and per-job figures:
        the whole schedule's makespan and tardiness cost a pass over 1,200 operations a
        candidate (a quarter of the first shift search's time there)."""
        w = self.p.weights
        value = 0.0
        if w.makespan:
            last = self.last_end.copy()
            for m, e in ends.items():
                last[m] = e
            value += w.makespan * int(last.max(initial=0))
        if w.total_weighted_tardiness:
            done = {s.job: s.end for s in changes.values() if s.operation == self.last_op[s.job]}
            value += w.total_weighted_tardiness * self._tardiness(done)
        return value

    def _tardiness(self, done: Mapping[int, int]) -> float:
        """The weighted tardiness with the jobs in ``done`` completed at those times."""
        return self.tardy + sum(self._late(j, c) - self._late(j, int(self.done[j]))
                                for j, c in done.items())

    def _late(self, j: int, c: int) -> float:
        """Job ``j``'s weighted tardiness when it completes at ``c``."""
        job = self.p.shop.jobs[j]
        return 0.0 if job.due is None or c <= job.due else job.weight * (c - job.due)

    def _cheapest(self, m: int, ops: list[ScheduledOperation], greedy: bool
                  ) -> tuple[float, NDArray[np.float64] | None, list[int]] | None:
        """Machine ``m`` with ``ops``: its switch-ons kept, or (if those break the rules,
        or with ``greedy``) its greedy policy; the cheaper valid choice."""
        kept = self.on.get(m, [])
        found = self.machine(m, ops, kept)
        best = None if found is None else (found[0], found[1], kept)
        if self.p.can_switch_off(m) and (greedy or best is None):
            on = switching.best_policy(self.p, ops).get(m, [])
            found = self.machine(m, ops, on)
            if found is not None and (best is None or found[0] < best[0]):
                best = (found[0], found[1], on)
        return best

    def other_terms(self, schedule: Sequence[ScheduledOperation]) -> float:
        """The makespan and tardiness terms of the objective."""
        w = self.p.weights
        value = 0.0
        if w.makespan:
            value += w.makespan * makespan(schedule)
        if w.total_weighted_tardiness:
            value += w.total_weighted_tardiness * weighted_tardiness(self.p.shop, schedule)
        return value

    def commit(self, changes: Mapping[int, ScheduledOperation],
               old: Mapping[int, ScheduledOperation], on: Mapping[int, list[int]]) -> None:
        """Take a move priced by :meth:`price` (``on``: its switch-ons)."""
        moved = {(s.job, s.operation) for s in old.values()}
        touched = {s.machine for s in old.values()} | {s.machine for s in changes.values()}
        for m in touched:
            self.ops[m] = [s for s in self.ops[m] if (s.job, s.operation) not in moved]
            self.ops[m] += [s for s in changes.values() if s.machine == m]
            if self.p.can_switch_off(m):
                self.on[m] = list(on.get(m, []))
            found = self.machine(m, self.ops[m], self.on.get(m, []))
            if found is not None:
                self.energy[m] = found[0]
                if found[1] is not None:
                    self.profiles[m] = found[1]
            self.last_end[m] = max((s.end for s in self.ops[m]), default=0)
        for s in changes.values():
            if s.operation == self.last_op[s.job]:
                self.done[s.job] = s.end
        self.tardy = sum(self._late(j, int(c)) for j, c in enumerate(self.done))
        self.total = self.profiles.sum(axis=0)

    def machine_ops(self, m: int) -> list[ScheduledOperation]:
        """Machine ``m``'s operations by start."""
        return sorted(self.ops[m], key=lambda s: (s.start, s.end))
