"""The independent checker of an ``energy-scheduling`` payload.

It reads the schedule and switch-on times from the payload alone, applies the shared
job-shop checks (eligibility, durations, precedence, capacity, setups, release), then the
energy type's own rules (horizon, switching, peak cap), recomputes kWh, cost, CO2 and
the peak unit by unit with :mod:`optikit_energy.energy`, verifies the payload's
``energy`` figures against them, and recomputes the objective.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from optikit.scheduling import (
    ScheduledOperation,
    check_schedule,
    makespan,
    schedule_from_payload,
    weighted_tardiness,
)
from optikit.types import CheckReport, Violation
from optikit_energy import energy
from optikit_energy.model import EnergyProblem

RTOL = 1e-6
ATOL = 1e-6
ENERGY_KEYS = ("kwh", "cost", "co2_kg", "peak_kw")


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b))


def switch_on_from_payload(
    problem: EnergyProblem, payload: Mapping[str, Any]
) -> tuple[dict[int, list[int]], list[Violation]]:
    """``payload['switch_on']`` ({machine id: [times]}) by machine index, with violations."""
    raw = payload.get("switch_on", {})
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        return {}, [Violation("payload", "switch_on must map machine ids to lists of times")]
    index = problem.shop.machine_index
    out: dict[int, list[int]] = {}
    violations: list[Violation] = []
    for mid, times in raw.items():
        if str(mid) not in index:
            violations.append(Violation("payload", f"switch_on: unknown machine {mid!r}"))
            continue
        ok = isinstance(times, list) and all(
            isinstance(t, int | float) and not isinstance(t, bool) and int(t) == t for t in times
        )
        if not ok:
            violations.append(
                Violation("payload", f"switch_on.{mid} must be a list of integer times")
            )
            continue
        out[index[str(mid)]] = [int(t) for t in times]
    for m in range(problem.num_machines):
        if problem.can_switch_off(m) and m not in out:
            out[m] = []
    return out, violations


def horizon_violations(
    problem: EnergyProblem, schedule: Sequence[ScheduledOperation]
) -> list[Violation]:
    out = []
    for s in schedule:
        if s.end > problem.horizon:
            out.append(
                Violation(
                    "horizon",
                    f"job {problem.shop.jobs[s.job].id} op {s.operation} ends at {s.end}, "
                    f"after the horizon {problem.horizon}",
                    float(s.end - problem.horizon),
                )
            )
    return out


def peak_violations(problem: EnergyProblem, figures: energy.EnergyFigures) -> list[Violation]:
    cap = problem.peak_power
    if cap is None or figures.profile.size == 0:
        return []
    limit = cap + ATOL + RTOL * abs(cap)
    over = (figures.profile > limit).nonzero()[0]
    if over.size == 0:
        return []
    worst = int(over[figures.profile[over].argmax()])
    return [
        Violation(
            "peak_power",
            f"plant power {figures.profile[worst]:g} kW at unit {worst} exceeds the cap "
            f"{cap:g} kW ({over.size} unit(s) over the cap)",
            float(figures.profile[worst] - cap),
        )
    ]


def energy_claim_violations(
    payload: Mapping[str, Any], figures: energy.EnergyFigures
) -> list[Violation]:
    claim = payload.get("energy")
    if not isinstance(claim, Mapping):
        return [Violation("energy", "the payload has no energy block {kwh, cost, co2_kg, peak_kw}")]
    actual = figures.payload()
    out = []
    for key in ENERGY_KEYS:
        value = claim.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            out.append(Violation("energy", f"energy.{key} is missing or not a number"))
        elif not _close(float(value), actual[key]):
            out.append(
                Violation(
                    "energy",
                    f"energy.{key} says {value}, recomputed from the schedule {actual[key]}",
                    abs(float(value) - actual[key]),
                )
            )
    return out


def check(problem: EnergyProblem, payload: Mapping[str, Any]) -> CheckReport:
    """Feasibility, energy figures and objective, recomputed from the payload alone."""
    schedule, violations = schedule_from_payload(problem.shop, payload)
    violations += check_schedule(problem.shop, schedule)
    violations += horizon_violations(problem, schedule)
    switch_on, bad = switch_on_from_payload(problem, payload)
    violations += bad
    figures, bad = energy.compute(problem, schedule, switch_on)
    violations += bad
    violations += peak_violations(problem, figures)
    violations += energy_claim_violations(payload, figures)
    span = makespan(schedule)
    tardiness = weighted_tardiness(problem.shop, schedule)
    objective = energy.objective(problem, figures, schedule)
    return CheckReport(
        objective=objective,
        violations=violations,
        figures={
            **figures.payload(),
            **figures.breakdown(),
            "makespan": span,
            "total_weighted_tardiness": tardiness,
        },
    )
