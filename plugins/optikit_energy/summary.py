"""The human summary of an energy-scheduling solution: what an energy manager looks at.

Energy cost, kWh (with the processing / idle / start-up split), CO2 and the peak against
the cap, the makespan and tardiness, and the saving against the same shop scheduled for
makespan alone (the ``baseline`` the formulations store under ``analysis``).  Figures
are recomputed from the schedule, not copied from the solver.  With a ``start`` the
times are shown with their clock times, with when the peak falls, the switch-ons and the
late jobs' completions against their due dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.numbers import number
from optikit.scheduling import (
    ScheduledOperation,
    completion_times,
    makespan,
    schedule_from_payload,
    weighted_tardiness,
)
from optikit.scheduling.calendar import UNIT_SECONDS
from optikit.scheduling.critical import summary_rows as why_late_rows
from optikit.units import money
from optikit_energy import energy
from optikit_energy.checker import switch_on_from_payload
from optikit_energy.energy import EnergyFigures
from optikit_energy.model import EnergyProblem

#: Switch-ons and late jobs listed one by one in a row.
MAX_LISTED = 6

#: What each ``stats.bound_source`` of the formulations means, for the "bound from" row.
BOUND_SOURCES = {
    "cpsat": "CP-SAT's own bound",
    "bucket-lp": "time-bucket relaxation, LP (HiGHS)",
    "bucket-milp": "time-bucket relaxation, MILP dual bound (HiGHS)",
    "bucket-lp (tariff periods)": "time-bucket relaxation on the tariff periods, LP (HiGHS)",
    "bucket-milp (tariff periods)":
        "time-bucket relaxation on the tariff periods, MILP dual bound (HiGHS)",
    "time-indexed-milp (highs)": "time-indexed MILP beside the search, dual bound (HiGHS)",
    "time-indexed": "time-indexed model",
}


def _num(x: float, digits: int = 2) -> str:
    return number(x, decimals=digits)


def _pct(part: float | None) -> str:
    return "" if part is None else f" ({part:.1f}%)"


def _duration(problem: EnergyProblem, units: float) -> str:
    hours = units * problem.time_step / 60.0
    return f"{units:,.0f} units = {hours:,.2f} h"


def _ends(problem: EnergyProblem, units: float) -> str:
    """The makespan's clock time, when the document gives ``start``."""
    clock = problem.shop.clock
    return "" if clock is None else f", ends at {clock.label(units)}"


def _listed(items: list[str]) -> str:
    more = len(items) - MAX_LISTED
    return ", ".join(items[:MAX_LISTED]) + (f", ... {more} more" if more > 0 else "")


def clock_rows(problem: EnergyProblem, schedule: list[ScheduledOperation],
               switch_on: Mapping[int, Any], figures: EnergyFigures) -> list[tuple[str, str]]:
    """With a ``start``: when the peak falls, the switch-ons and the late jobs, as clock
    times (empty without one, so summaries in units stay as they were)."""
    clock = problem.shop.clock
    if clock is None:
        return []
    rows: list[tuple[str, str]] = []
    profile = figures.profile[: problem.horizon]
    if len(profile) and figures.peak_kw > 0:
        rows.append(("peak at", clock.label(int(profile.argmax()))))
    machines = problem.shop.machines
    for m, times in sorted(switch_on.items()):
        if times:
            rows.append((f"switch-ons {machines[m].id}",
                         _listed([clock.label(t) for t in sorted(times)])))
    done = completion_times(problem.shop, schedule)
    late = [(j, job) for j, job in enumerate(problem.shop.jobs)
            if job.due is not None and done[j] > job.due]
    if any(job.due is not None for job in problem.shop.jobs):
        rows.append(("late jobs", f"{len(late)} of {len(problem.shop.jobs)}" + (
            ": " + _listed([f"{job.id} done {clock.label(done[j])}, due {clock.label(job.due)}"
                            for j, job in late if job.due is not None]) if late else "")))
    return rows


def _late_unit(problem: EnergyProblem) -> str | None:
    """How the why-late rows name a time unit: ``min`` for a one-minute step, ``x 15 min``
    for a quarter hour; none without a clock (bare units, as before clocks)."""
    clock = problem.shop.clock
    if clock is None:
        return None
    return clock.unit if clock.unit in UNIT_SECONDS else f"x {problem.time_step:g} min"


def summarize(problem: EnergyProblem, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    payload = document.get("solution")
    if not isinstance(payload, Mapping):
        return []
    schedule, _ = schedule_from_payload(problem.shop, payload)
    switch_on, _ = switch_on_from_payload(problem, payload)
    figures, _ = energy.compute(problem, schedule, switch_on)
    rows: list[tuple[str, str]] = [
        ("energy cost", money(figures.cost, problem.currency)),
        (
            "energy",
            f"{_num(figures.kwh, 1)} kWh (processing {_num(figures.processing_kwh, 1)}, "
            f"idle {_num(figures.idle_kwh, 1)}, start-ups {_num(figures.startup_kwh, 1)} "
            f"in {figures.switch_ons} switch-on(s))",
        ),
        ("CO2", f"{_num(figures.co2_kg, 1)} kg"),
        (
            "peak",
            f"{_num(figures.peak_kw, 1)} kW"
            + ("" if problem.peak_power is None else f" (cap {_num(problem.peak_power, 1)} kW)"),
        ),
        ("makespan", _duration(problem, makespan(schedule))
         + _ends(problem, makespan(schedule))),
    ]
    if any(job.due is not None for job in problem.shop.jobs):
        rows.append(("weighted tardiness",
                     f"{_num(weighted_tardiness(problem.shop, schedule))} "
                     f"(units of {problem.time_step:g} min x weight)"))
        rows.extend(why_late_rows(problem.shop, schedule, _late_unit(problem)))
    rows.extend(clock_rows(problem, schedule, switch_on, figures))
    source = bound_source(document)
    if source is not None:
        rows.append(("bound from", source))
    analysis = document.get("analysis")
    base = analysis.get("baseline") if isinstance(analysis, Mapping) else None
    if isinstance(base, Mapping) and isinstance(base.get("energy"), Mapping):
        b = base["energy"]
        cost_saving = b["cost"] - figures.cost
        co2_saving = b["co2_kg"] - figures.co2_kg
        rows.append(
            (
                "saving",
                f"cost {money(cost_saving, problem.currency)}"
                f"{_pct(_share(cost_saving, b['cost']))}, "
                f"CO2 {_num(co2_saving, 1)} kg{_pct(_share(co2_saving, b['co2_kg']))}, "
                f"peak {_num(b['peak_kw'] - figures.peak_kw, 1)} kW "
                "vs the same shop scheduled for makespan alone",
            )
        )
        rows.append(
            (
                "makespan-only plan",
                f"cost {money(b['cost'], problem.currency)}, {_num(b['kwh'], 1)} kWh, "
                f"{_num(b['co2_kg'], 1)} kg "
                f"CO2, peak {_num(b['peak_kw'], 1)} kW, makespan "
                f"{_duration(problem, float(base.get('makespan', 0)))}",
            )
        )
    return rows


def bound_source(document: Mapping[str, Any]) -> str | None:
    """Which relaxation gave the reported bound (issue #20: the gap is judged against it),
    from ``stats.bound_source``; None without a bound or a source."""
    stats = document.get("stats")
    if document.get("bound") is None or not isinstance(stats, Mapping):
        return None
    source = stats.get("bound_source")
    if not isinstance(source, str):
        return None
    text = BOUND_SOURCES.get(source, source)
    bucket = stats.get("bucket_bound")
    if (source.startswith("bucket-") and isinstance(bucket, Mapping)
            and bucket.get("relaxation") and bucket.get("method") == source):
        text += f", {bucket['relaxation']}, {bucket.get('buckets')} buckets"
    return text


def _share(part: float, whole: float) -> float | None:
    return None if whole == 0 else 100.0 * part / whole
