"""The old plan repaired after events: the right shift a planner does by hand.

Shared by the scheduling types whose re-plan needs an answer of last resort when CP-SAT
finds nothing in time.  :class:`ShopRepair` keeps the frozen operations and places every
other one in the order of its old start (rush jobs last, in job order), appended after
what is already on its machine (with the changeover), not before ``now``, its job
predecessor or its release, clear of the blocked windows and in working time of its
machine's calendar (:func:`place`) and, when the type gives one, as its :class:`Guard`
allows (a plant-wide rule such as a peak power cap).  An operation keeps its old mode
when that still fits (within ``horizon``, when given); otherwise, and for rush jobs, it
takes the mode that finishes first.  Types add their own machine occupants (maintenance
tasks) through :meth:`ShopRepair.occupy` and :meth:`ShopRepair.ready_at`.  The result
is only a candidate: the type's checker decides whether it may be used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from optikit.scheduling.calendar import Calendar, CalendarExhausted
from optikit.scheduling.model import ScheduledOperation, Shop
from optikit.scheduling.replan import Key, Situation, operation_end

Windows = list[tuple[int, int]]


def clear(windows: Sequence[tuple[int, int]], t: int, d: int) -> int:
    """The earliest start >= t at which [start, start + d) meets no window."""
    moved = True
    while moved:
        moved = False
        for a, b in windows:
            if a < t + d and t < b and (d > 0 or a <= t):
                t = b
                moved = True
    return t


def place(
    cal: Calendar | None, windows: Sequence[tuple[int, int]], t: int, d: int,
    interruptible: bool,
) -> tuple[int, int] | None:
    """Earliest (start, end) from ``t`` in working time of ``cal`` (pauses included for an
    interruptible operation) that meets no blocked window; None: the calendar runs out."""
    while True:
        t = clear(windows, t, d)
        if cal is None or d <= 0:
            return t, t + d
        s = cal.earliest_start(t, d, interruptible)
        if s is None:
            return None
        try:
            end = cal.finish(s, d) if interruptible else s + d
        except CalendarExhausted:
            return None
        cleared = clear(windows, s, end - s)
        if cleared == s:
            return s, end
        t = cleared  # every start before it ends later and still meets the window


class Guard(Protocol):
    """A type's plant-wide rule the placement must keep (energy: the peak power cap)."""

    def admit(self, op: ScheduledOperation) -> int | None:
        """None: ``op`` may go there; else a later time to try from."""

    def add(self, op: ScheduledOperation) -> None:
        """``op`` is placed (frozen or repaired)."""


class ShopRepair:
    """Machines filled left to right: the frozen work first, then :meth:`place_operation`."""

    def __init__(self, shop: Shop, situ: Situation, horizon: int | None = None,
                 guard: Guard | None = None) -> None:
        self.shop = shop
        self.guard = guard
        self.situ = situ
        self.horizon = horizon
        midx = shop.machine_index
        self.windows: dict[int, Windows] = {}
        for w in situ.blocked:
            self.windows.setdefault(midx[w.machine], []).append((w.start, w.end))
        n = len(shop.machines)
        self.ready = [0] * n  # end of the last occupant placed on the machine
        self.last_job = [-1] * n  # its job (-1: none, or not a job)
        self.jobs = shop.job_index
        self.placed: dict[Key, ScheduledOperation] = {}
        for key, f in sorted(situ.frozen.items(), key=lambda item: (item[1].start, item[0])):
            j = self.jobs[key[0]]
            m = midx[f.machine]
            self.placed[key] = ScheduledOperation(j, key[1], f.mode, m, f.start, f.end)
            if guard is not None:
                guard.add(self.placed[key])
            if f.end >= self.ready[m]:
                self.ready[m], self.last_job[m] = f.end, j

    def occupy(self, machine: int, start: int, end: int) -> None:
        """Something that is not a job's operation holds ``machine`` in [start, end)."""
        if end >= self.ready[machine]:
            self.ready[machine], self.last_job[machine] = end, -1

    def ready_at(self, machine: int) -> int:
        return self.ready[machine]

    def free_keys(self) -> list[tuple[float, Key]]:
        """The operations to place with their order (old start; rush jobs: infinity)."""
        out: list[tuple[float, Key]] = []
        for job in self.shop.jobs:
            for op in job.operations:
                key = (job.id, op.index)
                if key not in self.placed:
                    old = self.situ.old.get(key)
                    out.append((old.start if old is not None else math.inf, key))
        return sorted(out, key=lambda item: (item[0], self.jobs[item[1][0]], item[1][1]))

    def place_operation(self, key: Key) -> bool:
        """Place one operation (its job predecessor placed already); False: no mode fits."""
        j = self.jobs[key[0]]
        job = self.shop.jobs[j]
        op = job.operations[key[1]]
        earliest = max(self.situ.now, job.release)
        if key[1] > 0:
            earliest = max(earliest, self.placed[(key[0], key[1] - 1)].end)
        old = self.situ.old.get(key)
        options: list[tuple[int, int, int, int]] = []  # (end, start, mode, machine)
        for k, mode in enumerate(op.modes):
            m = mode.machine
            last = self.last_job[m]
            setup = self.shop.setup_time(m, last, j) if last >= 0 else 0
            t = max(earliest, self.ready[m] + setup)
            found = self._spot(j, key[1], k, t)
            if found is None:
                continue
            start, end = found
            if old is not None and k == old.mode:
                options = [(end, start, k, m)]
                break
            options.append((end, start, k, m))
        if not options:
            return False
        end, start, k, m = min(options)
        self.placed[key] = ScheduledOperation(j, key[1], k, m, start, end)
        if self.guard is not None:
            self.guard.add(self.placed[key])
        self.ready[m], self.last_job[m] = end, j
        return True

    def _spot(self, j: int, o: int, k: int, t: int) -> tuple[int, int] | None:
        """Earliest (start, end) from ``t`` in mode ``k`` that the calendar, the blocked
        windows, the horizon and the guard allow (None: nowhere)."""
        op = self.shop.jobs[j].operations[o]
        m = op.modes[k].machine
        while True:
            spot = place(self.shop.calendar(m), self.windows.get(m, []), t, op.modes[k].duration,
                         op.interruptible)
            if spot is None:
                return None
            start = spot[0]
            end = operation_end(self.shop, op, k, start)
            if self.horizon is not None and end > self.horizon:
                return None
            later = None if self.guard is None else self.guard.admit(
                ScheduledOperation(j, o, k, m, start, end))
            if later is None:
                return start, end
            t = max(later, start + 1)

    def schedule(self) -> list[ScheduledOperation]:
        return sorted(self.placed.values(), key=lambda s: (s.start, s.machine, s.job))


def repair(shop: Shop, situ: Situation, horizon: int | None = None,
           guard: Guard | None = None) -> list[ScheduledOperation] | None:
    """The repaired plan of the operations alone (None: some operation fits nowhere)."""
    r = ShopRepair(shop, situ, horizon, guard)
    for _order, key in r.free_keys():
        if not r.place_operation(key):
            return None
    return r.schedule()
