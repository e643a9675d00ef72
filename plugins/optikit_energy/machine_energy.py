"""One machine's objective energy and power profile, from prefix sums of the prices.

Why: the shift search prices every candidate move by recomputing the one or two machines
it touches (:mod:`optikit_energy.shift_pricing`).  Through the checker's
:func:`optikit_energy.energy.compute` that cost 0.3 ms a machine on a generated
1,200-operation instance (a horizon-long difference array, its cumulative sum and two dot
products, plus the switching rules' bookkeeping), over half of the first shift search's
time there (session 18 profile; a quarter more went to the makespan over the whole
schedule, now kept per machine by the pricer).  Here the same figures come from the objective
price's prefix sums, one term per on period and per operation, and the profile (needed
only against a peak cap) from one ``bincount``.  Same semantics as
:func:`optikit_energy.energy.compute` and :func:`optikit_energy.energy.on_periods` for a
machine without a calendar (the shift search declines calendars); the move the search
takes is priced once more by the checker's computation over the whole schedule.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from optikit.scheduling import ScheduledOperation
from optikit_energy import switching
from optikit_energy.model import EnergyProblem

_BY_TIME = operator.attrgetter("start", "end")


class MachineEnergy:
    """The problem's prices as prefix sums and its operations' powers, for
    :meth:`price`."""

    def __init__(self, problem: EnergyProblem) -> None:
        self.p = problem
        self.horizon = problem.horizon
        self.pi = switching.objective_price(problem)
        self.prefix = np.concatenate(([0.0], np.cumsum(self.pi)))
        self.prefix_list: list[float] = self.prefix.tolist()  # fast scalar reads
        self.pi_list: list[float] = self.pi.tolist()
        self.h = problem.kwh_per_kw_unit
        self.power = {(j, o): [mode.power for mode in problem.ops[g].modes]
                      for j, ops in enumerate(problem.job_ops) for o, g in enumerate(ops)}
        self.with_profile = problem.peak_power is not None
        self.idle = [float(x) for x in problem.idle_power]

    def price(self, m: int, ops: Sequence[ScheduledOperation], on: Sequence[int]
              ) -> tuple[float, NDArray[np.float64] | None] | None:
        """Machine ``m``'s objective energy (weighted cost and carbon) with ``ops`` and
        switch-ons ``on`` (ignored unless ``m`` can switch off), and its power profile
        over the horizon (None without a peak cap); None if they break the switching
        rules or leave the horizon."""
        p = self.p
        horizon = self.horizon
        ordered = sorted(ops, key=_BY_TIME)
        last = max([s.end for s in ordered], default=0)
        if last > horizon:
            return None
        idle = self.idle[m]
        startup = p.startup_energy[m]
        if startup is None:
            periods = [(ordered[0].start, last)] if ordered else []
        else:
            found = _periods(ordered, on, horizon)
            if found is None:
                return None
            periods = found
        prefix, h = self.prefix_list, self.h
        value = 0.0
        marks: list[int] = []
        weights: list[float] = []
        if idle:
            for a, b in periods:
                if b > a:
                    value += idle * (prefix[b] - prefix[a])
                    marks += (a, b)
                    weights += (idle, -idle)
        for s in ordered:
            extra = self.power[(s.job, s.operation)][s.mode] - idle
            if s.end > s.start:
                value += extra * (prefix[s.end] - prefix[s.start])
                marks += (s.start, s.end)
                weights += (extra, -extra)
        value *= h
        if startup is not None:
            for a, _b in periods:
                value += startup * self.pi_list[min(max(a, 0), horizon - 1)]
        profile: NDArray[np.float64] | None = None
        if self.with_profile:
            delta = np.bincount(np.asarray(marks, dtype=np.int64), weights=weights,
                                minlength=horizon + 1) if marks else np.zeros(horizon + 1)
            profile = np.cumsum(delta[:horizon], dtype=np.float64)
        return float(value), profile


def _periods(ordered: Sequence[ScheduledOperation], on: Sequence[int], horizon: int
             ) -> list[tuple[int, int]] | None:
    """A switchable machine's on periods (:func:`optikit_energy.energy.on_periods`), None
    where the switching rules are broken."""
    times = sorted(on)
    if any(a == b for a, b in itertools.pairwise(times)):
        return None
    if times and (times[0] < 0 or times[-1] >= horizon):
        return None
    ends = list(times)
    for s in ordered:
        k = bisect.bisect_right(times, s.start) - 1
        if k < 0:
            return None
        if s.end > ends[k]:
            ends[k] = s.end
    for k in range(len(times) - 1):
        if ends[k] > times[k + 1]:
            return None
    return list(zip(times, ends, strict=True))
