"""Switch-on decisions for a *fixed* schedule, and the payload built from a schedule.

Formulations decide switching inside their models; the constructive heuristic and the
makespan-only baseline have a schedule first and then need the machines' switch-on times:

- :func:`stay_on_policy`: the energy-unaware plant: each machine switched on at its first
  start and left on until its last end.
- :func:`best_policy`: for each gap between two operations of a switchable machine (and
  before its first one), the cheapest of staying on or switching off and on again at the
  best unit of the gap, keeping the plant under its peak cap.  Gaps are decided one at a
  time, so it is a heuristic (exact per gap, greedy across gaps sharing the cap).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.scheduling import ScheduledOperation, schedule_to_payload
from optikit_energy import energy
from optikit_energy.model import EnergyProblem


def objective_price(problem: EnergyProblem) -> NDArray[np.float64]:
    """Objective weight of one kWh in each unit: w_cost * price + w_carbon * carbon."""
    w = problem.weights
    return w.energy_cost * problem.price_per_unit + w.carbon * problem.carbon_per_unit


def _by_machine(
    problem: EnergyProblem, schedule: Sequence[ScheduledOperation]
) -> list[list[ScheduledOperation]]:
    out: list[list[ScheduledOperation]] = [[] for _ in range(problem.num_machines)]
    for s in schedule:
        out[s.machine].append(s)
    for ops in out:
        ops.sort(key=lambda s: (s.start, s.end))
    return out


def stay_on_policy(
    problem: EnergyProblem, schedule: Sequence[ScheduledOperation]
) -> dict[int, list[int]]:
    """One switch-on per used switchable machine, at its first start."""
    out: dict[int, list[int]] = {}
    for m, ops in enumerate(_by_machine(problem, schedule)):
        if problem.can_switch_off(m):
            out[m] = [ops[0].start] if ops else []
    return out


def best_policy(
    problem: EnergyProblem, schedule: Sequence[ScheduledOperation]
) -> dict[int, list[int]]:
    """Cheapest stay-on / switch-off choice per gap that keeps the peak cap (greedy)."""
    pi = objective_price(problem)
    h = problem.kwh_per_kw_unit
    horizon = problem.horizon
    cap = problem.peak_power
    machines = _by_machine(problem, schedule)
    # Start from every switchable machine off in every gap: the least power there is.
    switch_on: dict[int, list[int]] = {}
    for m, ops in enumerate(machines):
        if problem.can_switch_off(m):
            switch_on[m] = _off_in_every_gap(ops)
    figures, _ = energy.compute(problem, schedule, switch_on)
    profile = figures.profile[:horizon].copy()
    # prefix[t] = sum of pi over units < t, for idle cost of [a, b): h * I * (prefix[b]-prefix[a]).
    prefix = np.concatenate(([0.0], np.cumsum(pi)))
    for m, ops in enumerate(machines):
        if not problem.can_switch_off(m) or not ops:
            continue
        idle = problem.idle_power[m]
        e_on = problem.startup_energy[m] or 0.0
        times: list[int] = []
        prev_end: int | None = None
        for s in ops:
            if prev_end is not None and s.start <= prev_end:
                prev_end = max(prev_end, s.end)  # contiguous: stays on, no choice
                continue
            lo = 0 if prev_end is None else prev_end
            best_cost, best_kwh, choice = np.inf, np.inf, s.start
            # Switch on at u in [lo, s.start]: start-up at u plus idle over [u, s.start).
            us = np.arange(lo, s.start + 1)
            cost = e_on * pi[np.minimum(us, horizon - 1)] + idle * h * (
                prefix[s.start] - prefix[us]
            )
            kwh = e_on + idle * h * (s.start - us)
            feasible = _idle_fits_from(profile, us, s.start, idle, cap)
            if feasible.any():
                k = int(np.lexsort((kwh[feasible], cost[feasible]))[0])
                best_cost = float(cost[feasible][k])
                best_kwh = float(kwh[feasible][k])
                choice = int(us[feasible][k])
            # Stay on through the gap (only between two operations).
            if prev_end is not None:
                stay_cost = idle * h * (prefix[s.start] - prefix[prev_end])
                stay_kwh = idle * h * (s.start - prev_end)
                fits = cap is None or idle == 0 or (
                    float(profile[prev_end : s.start].max(initial=0.0)) + idle <= cap + 1e-9
                )
                if fits and (stay_cost, stay_kwh) <= (best_cost, best_kwh):
                    choice = -1
            if choice >= 0:
                times.append(choice)
                if idle and choice < s.start:
                    profile[choice : s.start] += idle
            elif idle:
                assert prev_end is not None
                profile[prev_end : s.start] += idle
            prev_end = max(prev_end or 0, s.end)
        switch_on[m] = times
    return switch_on


def _off_in_every_gap(ops: Sequence[ScheduledOperation]) -> list[int]:
    times: list[int] = []
    prev_end: int | None = None
    for s in ops:
        if prev_end is None or s.start > prev_end:
            times.append(s.start)
        prev_end = s.end if prev_end is None else max(prev_end, s.end)
    return times


def _idle_fits_from(
    profile: NDArray[np.float64], us: NDArray[np.int64], end: int, idle: float, cap: float | None
) -> NDArray[np.bool_]:
    """For each u in ``us`` (ascending), whether idle power fits under the cap on [u, end)."""
    if cap is None or idle == 0 or us.size == 0:
        return np.ones(us.size, dtype=bool)
    lo = int(us[0])
    window = profile[lo:end]
    # Max over [u, end) for every u: a reversed running maximum.
    suffix_max = np.maximum.accumulate(window[::-1])[::-1] if window.size else window
    out = np.ones(us.size, dtype=bool)
    inside = us < end
    out[inside] = suffix_max[us[inside] - lo] + idle <= cap + 1e-9
    return out


def normalize(
    problem: EnergyProblem,
    schedule: Sequence[ScheduledOperation],
    switch_on: Mapping[int, Sequence[int]],
) -> dict[int, list[int]]:
    """Drop switch-ons that no operation uses (they only cost start-up energy)."""
    out: dict[int, list[int]] = {}
    machines = _by_machine(problem, schedule)
    for m, times in switch_on.items():
        if not problem.can_switch_off(m):
            continue
        ts = sorted(set(int(t) for t in times))
        used = []
        for k, t in enumerate(ts):
            nxt = ts[k + 1] if k + 1 < len(ts) else None
            if any(t <= s.start and (nxt is None or s.start < nxt) for s in machines[m]):
                used.append(t)
        out[m] = used
    return out


def build_payload(
    problem: EnergyProblem,
    schedule: Sequence[ScheduledOperation],
    switch_on: Mapping[int, Sequence[int]],
) -> tuple[dict[str, Any], energy.EnergyFigures]:
    """The contract payload: fjsp operations + ``energy`` + ``switch_on`` (switchable machines)."""
    figures, _ = energy.compute(problem, schedule, switch_on)
    payload = schedule_to_payload(problem.shop, schedule)
    payload["energy"] = figures.payload()
    machines = problem.shop.machines
    switchable = [m for m in range(problem.num_machines) if problem.can_switch_off(m)]
    if switchable:
        payload["switch_on"] = {
            str(machines[m].id): sorted(int(t) for t in switch_on.get(m, ())) for m in switchable
        }
    return payload, figures
