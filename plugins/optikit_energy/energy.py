"""Power profile and energy figures of a schedule, minute by minute (unit by unit).

This is the reference computation the checker relies on: it reads only the schedule
(operations with modes and times) and the machines' switch-on times, never anything a
solver computed.  Semantics are those documented in :mod:`optikit_energy.model`.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from optikit.scheduling import ScheduledOperation, makespan, weighted_tardiness
from optikit.types import Violation
from optikit_energy.model import EnergyProblem


@dataclass
class EnergyFigures:
    """kWh, cost, CO2 and peak of a schedule, with a breakdown and the power profile."""

    kwh: float
    cost: float
    co2_kg: float
    peak_kw: float
    processing_kwh: float = 0.0
    idle_kwh: float = 0.0
    startup_kwh: float = 0.0
    switch_ons: int = 0
    # kW drawn in each time unit (length >= horizon).
    profile: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    # Per machine, its on periods [start, end).
    on_periods: list[list[tuple[int, int]]] = field(default_factory=list)

    def payload(self) -> dict[str, float]:
        """The contract's ``energy`` block."""
        return {
            "kwh": float(self.kwh),
            "cost": float(self.cost),
            "co2_kg": float(self.co2_kg),
            "peak_kw": float(self.peak_kw),
        }

    def breakdown(self) -> dict[str, float]:
        return {
            "processing_kwh": float(self.processing_kwh),
            "idle_kwh": float(self.idle_kwh),
            "startup_kwh": float(self.startup_kwh),
            "switch_ons": self.switch_ons,
        }


def on_periods(
    problem: EnergyProblem,
    schedule: Sequence[ScheduledOperation],
    switch_on: Mapping[int, Sequence[int]],
) -> tuple[list[list[tuple[int, int]]], list[Violation]]:
    """Each machine's on periods, and violations of the switching rules.

    Without ``startup_energy`` a machine is on from its first start to its last end.  With
    it, each switch-on ``s_k`` opens a period that lasts until the last end of the
    operations starting in ``[s_k, s_{k+1})``; an operation needs a switch-on at or before
    its start, and a machine must be off again before its next switch-on.
    """
    violations: list[Violation] = []
    by_machine: list[list[ScheduledOperation]] = [[] for _ in range(problem.num_machines)]
    for s in schedule:
        by_machine[s.machine].append(s)
    periods: list[list[tuple[int, int]]] = []
    for m, ops in enumerate(by_machine):
        mid = problem.shop.machines[m].id
        ops.sort(key=lambda s: (s.start, s.end))
        if not problem.can_switch_off(m):
            if m in switch_on and list(switch_on[m]):
                violations.append(
                    Violation(
                        "switching",
                        f"machine {mid} has no startup_energy: it cannot be switched on and "
                        "off (it is on from its first start to its last end)",
                    )
                )
            periods.append([(ops[0].start, max(s.end for s in ops))] if ops else [])
            continue
        times = sorted(switch_on.get(m, ()))
        for a, b in itertools.pairwise(times):
            if a == b:
                violations.append(Violation("switching", f"machine {mid} switched on twice at {a}"))
        for t in times:
            if not 0 <= t < problem.horizon:
                violations.append(
                    Violation("switching", f"machine {mid}: switch-on at {t} outside the horizon")
                )
        ends = list(times)  # each period's end: the last end of its operations
        for s in ops:
            k = bisect.bisect_right(times, s.start) - 1
            if k < 0:
                violations.append(
                    Violation(
                        "switching",
                        f"machine {mid} is off when job {problem.shop.jobs[s.job].id} op "
                        f"{s.operation} starts at {s.start} (switch-ons: {times})",
                    )
                )
                continue
            ends[k] = max(ends[k], s.end)
        for k in range(len(times) - 1):
            if ends[k] > times[k + 1]:
                violations.append(
                    Violation(
                        "switching",
                        f"machine {mid} is switched on at {times[k + 1]} while still on "
                        f"(busy until {ends[k]})",
                        float(ends[k] - times[k + 1]),
                    )
                )
        segments = list(zip(times, ends, strict=True))
        periods.append(segments)
    return periods, violations


def processing_parts(problem: EnergyProblem, s: ScheduledOperation) -> list[tuple[int, int]]:
    """The units of ``[s.start, s.end)`` in which the operation draws its mode's power.

    All of them, except for an interruptible operation on a machine with a calendar: it
    pauses over non-working time and draws nothing of its own then (its machine stays on
    and idles, as in any gap of an on period).
    """
    if s.end <= s.start:
        return []
    cal = problem.shop.calendar(s.machine)
    if cal is None or not problem.shop.jobs[s.job].operations[s.operation].interruptible:
        return [(s.start, s.end)]
    return [
        (max(a, s.start), b) for a, b in cal.working_windows(s.end) if b > s.start
    ]


def compute(
    problem: EnergyProblem,
    schedule: Sequence[ScheduledOperation],
    switch_on: Mapping[int, Sequence[int]],
) -> tuple[EnergyFigures, list[Violation]]:
    """Energy figures of a schedule, and violations of the switching rules.

    ``switch_on`` maps machine index -> switch-on times (only machines with
    ``startup_energy`` may appear).  Units past the horizon (only in invalid schedules)
    are priced like the last tariff period so the figures stay defined.
    """
    periods, violations = on_periods(problem, schedule, switch_on)
    length = max([problem.horizon, *(s.end for s in schedule)])
    price = _extend(problem.price_per_unit, length)
    carbon = _extend(problem.carbon_per_unit, length)
    h = problem.kwh_per_kw_unit

    # Difference array: +P at the start of a power step, -P at its end.
    delta = np.zeros(length + 1, dtype=np.float64)
    processing = 0.0
    on_units = 0.0
    busy_idle_units = 0.0
    for m, segs in enumerate(periods):
        idle = problem.idle_power[m]
        for a, b in segs:
            if b > a and idle:
                delta[max(a, 0)] += idle
                delta[b] -= idle
                on_units += idle * (b - a)
    for s in schedule:
        mode = problem.ops[problem.job_ops[s.job][s.operation]].modes[s.mode]
        extra = mode.power - problem.idle_power[s.machine]
        for a, b in processing_parts(problem, s):
            delta[max(a, 0)] += extra
            delta[b] -= extra
            processing += mode.power * (b - a)
            busy_idle_units += problem.idle_power[s.machine] * (b - a)
    profile = np.cumsum(delta)[:length]
    kwh_per_unit = profile * h
    kwh = float(kwh_per_unit.sum())
    cost = float(kwh_per_unit @ price)
    co2 = float(kwh_per_unit @ carbon)

    startup_kwh = 0.0
    count = 0
    for m, segs in enumerate(periods):
        energy = problem.startup_energy[m]
        if energy is None:
            continue
        for a, _b in segs:
            t = min(max(a, 0), length - 1)
            count += 1
            startup_kwh += energy
            cost += energy * float(price[t])
            co2 += energy * float(carbon[t])
    kwh += startup_kwh
    figures = EnergyFigures(
        kwh=kwh,
        cost=cost,
        co2_kg=co2,
        peak_kw=float(profile.max()) if length else 0.0,
        processing_kwh=processing * h,
        idle_kwh=(on_units - busy_idle_units) * h,
        startup_kwh=startup_kwh,
        switch_ons=count,
        profile=profile,
        on_periods=periods,
    )
    return figures, violations


def objective(
    problem: EnergyProblem, figures: EnergyFigures, schedule: Sequence[ScheduledOperation]
) -> float:
    """The objective of ``schedule`` whose energy ``figures`` are given: the one formula the
    checker, the baseline, the heuristic and the searches all price with."""
    return problem.weights.value(
        figures.cost, figures.co2_kg, makespan(schedule),
        weighted_tardiness(problem.shop, schedule),
    )


def _extend(values: NDArray[np.float64], length: int) -> NDArray[np.float64]:
    if length <= values.shape[0]:
        return values[:length]
    fill = values[-1] if values.shape[0] else 0.0
    return np.concatenate([values, np.full(length - values.shape[0], fill)])
