"""Gantt chart of an energy schedule, with the plant's power profile and the tariff beneath.

Three panels sharing the time axis (in hours from the start of the horizon; clock times
when the document gives ``start``):

1. machines as rows, on the shared Gantt panel (:mod:`optikit.plotting.static_gantt`):
   operations coloured by job (labelled where the label fits), due dates and late jobs
   marked, the machine's on-but-idle time hatched, switch-ons marked with a triangle;
2. the plant's power profile (kW per time unit) with the peak cap as a dashed line;
3. the tariff: price per kWh as a step line over bands shaded by price level.

``.png``, ``.svg`` and ``.pdf`` come from matplotlib (the shared static style and
saving); ``.html`` is a self-contained page wrapping the SVG.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from optikit.plotting import static, style
from optikit.plotting import static_gantt as sg
from optikit.scheduling import Clock, schedule_from_payload
from optikit.units import money
from optikit_energy import energy
from optikit_energy.checker import switch_on_from_payload
from optikit_energy.model import EnergyProblem

#: Tariff bands listed one by one in the legend.
MAX_LEGEND_BANDS = 6


def draw(problem: EnergyProblem, document: Mapping[str, Any], path: Path,
         colour_by: str = "job") -> None:
    """``colour_by``: ``job``, ``family`` (= ``product``) or ``machine``."""
    payload = document.get("solution")
    if not isinstance(payload, Mapping):
        raise ValueError("the document has no solution to draw")
    fig = figure(problem, payload, title=str(document.get("name", "")), document=document,
                 colour_by=colour_by)
    static.save(fig, Path(path), str(document.get("name", "schedule")))


def figure(problem: EnergyProblem, payload: Mapping[str, Any], title: str = "",
           document: Mapping[str, Any] | None = None, colour_by: str = "job") -> Any:
    schedule, _ = schedule_from_payload(problem.shop, payload)
    switch_on, _ = switch_on_from_payload(problem, payload)
    figures, _ = energy.compute(problem, schedule, switch_on)
    hours = problem.time_step / 60.0
    horizon_h = problem.horizon * hours
    shop = problem.shop
    rows = [m.id for m in shop.machines]
    fig, (ax_g, ax_p, ax_t) = static.new_figure(
        12, 3.2 + 0.42 * len(rows), rows=3,
        height_ratios=[max(2.0, 0.45 * len(rows)), 1.6, 1.0])

    # 1. Machines: the shared Gantt panel, the on-but-idle time and switch-ons on top.
    ends: dict[str, int] = {}
    last: dict[str, tuple[int, int]] = {}
    for s in schedule:
        job = str(shop.jobs[s.job].id)
        ends[job] = max(ends.get(job, s.end), s.end)
        if s.operation >= last.get(job, (-1, 0))[0]:
            last[job] = (s.operation, s.machine)
    due = {str(j.id): j.due for j in shop.jobs}
    late = sg.late_jobs(ends, due)
    bars = [sg.GanttBar(rows[m], a * hours, b * hours, kind="off")
            for m, a, b in _off_shift(shop, problem.horizon)]
    bars += [sg.GanttBar(rows[m], a * hours, b * hours, kind="idle")
             for m, segments in enumerate(figures.on_periods) for a, b in segments if b > a]
    def group_of(job: Any, machine: int) -> str:
        if colour_by in ("family", "product"):
            return f"{colour_by} {job.product if job.product is not None else '(none)'}"
        return f"machine {rows[machine]}" if colour_by == "machine" else f"job {job.id}"

    groups: list[str] = []
    job_group: dict[str, str] = {}
    for s in schedule:
        job = str(shop.jobs[s.job].id)
        group = job_group.setdefault(job, group_of(shop.jobs[s.job], s.machine))
        group = group_of(shop.jobs[s.job], s.machine) if colour_by == "machine" else group
        if group not in groups:
            groups.append(group)
        bars.append(sg.GanttBar(rows[s.machine], s.start * hours, s.end * hours, group,
                                (f"{job}.{s.operation}", job),
                                late=job in late and last[job] == (s.operation, s.machine)))
    dues = [sg.DueMark(rows[last[j][1]], d * hours, j in late, job_group[j])
            for j, d in due.items() if d is not None and j in last]
    groups.sort(key=style.natural)
    marks = [(rows[m], t * hours) for m, times in switch_on.items() for t in times]
    # The panels draw in hours: with a `start`, an hourly clock from it gives the ticks.
    hour_clock = None if shop.clock is None else Clock(shop.clock.start, "hour")
    sg.draw_gantt(ax_g, rows, bars, groups, "", dues, "h", hour_clock, horizon=horizon_h,
                  extra_handles=[static.marker("switch-on", "^", "black", 6)] if marks else [])
    for row, t in marks:
        ax_g.plot([t], [rows.index(row) + 0.43], marker="^", color="black", markersize=5,
                  linestyle="none", zorder=5, clip_on=False)
    ax_g.set_xlabel("")
    if document is not None:
        head = {**document, "type": document.get("type") or "energy-scheduling"}
        static.set_title(fig, head, "schedule, plant power and tariff"
                         + (f", {len(late)} late" if late else ""))
    else:
        fig.suptitle(title or "energy schedule", fontsize=10)

    # 2. Power profile and cap.
    profile = figures.profile[: problem.horizon]
    edges = np.arange(problem.horizon + 1) * hours
    ax_p.stairs(profile, edges, fill=True, color=style.colour(0), alpha=0.8,
                label="plant power", zorder=3)
    if problem.peak_power is not None:
        ax_p.axhline(problem.peak_power, color=style.LATE, linestyle="--", linewidth=1,
                     label=f"peak cap {problem.peak_power:g} kW")
    ax_p.set_ylabel(static.axis_label("plant power", "kW"))
    static.legend(ax_p, ax_p.get_legend_handles_labels()[0])

    # 3. Tariff bands.
    cur = f" {problem.currency}" if problem.currency else ""
    prices = [p.price for p in problem.tariff]
    lo, hi = min(prices), max(prices)
    bands: dict[float, Any] = {}
    for p in problem.tariff:
        level = 0.0 if hi == lo else (p.price - lo) / (hi - lo)
        colour = (0.75 + 0.25 * level, 0.95 - 0.45 * level, 0.75 - 0.45 * level)
        bands.setdefault(p.price, colour)
        for ax in (ax_p, ax_t):
            ax.axvspan(p.start * hours, p.end * hours, color=colour, alpha=0.3, linewidth=0,
                       zorder=0)
    ax_t.stairs(prices, [problem.tariff[0].start * hours] + [p.end * hours for p in problem.tariff],
                color="black", linewidth=1)
    ax_t.set_ylabel("price/kWh" + (f" ({problem.currency})" if cur else ""))
    ax_t.set_xlabel(static.axis_label("time from the start of the horizon", "h"))
    static.legend(ax_t, [
        static.line("price per kWh", "black", "-", 1.0),
        *(static.patch(f"tariff band {price:g}{cur}/kWh", colour, "none", alpha=0.3)
          for price, colour in sorted(bands.items())[:MAX_LEGEND_BANDS]),
    ])
    ax_t.set_xlim(0, horizon_h)
    if hour_clock is not None:  # ticks for the final limits, shared by the three panels
        sg.time_axis(ax_t, "h", hour_clock)
        ax_t.set_xlabel(f"clock time (time 0 = {hour_clock.start:%Y-%m-%d %a %H:%M})")
    for ax in (ax_g, ax_p):
        for label in ax.get_xticklabels():
            label.set_visible(False)
    fig.text(
        0.01, 0.005,
        f"cost {money(figures.cost, problem.currency)}  |  {figures.kwh:,.1f} kWh  |  "
        f"{figures.co2_kg:,.1f} kg CO2  |  "
        f"peak {figures.peak_kw:,.1f} kW",
        fontsize=8,
    )
    return fig


def _off_shift(shop: Any, horizon: int) -> list[tuple[int, int, int]]:
    """Machines' non-working calendar time ``(machine, start, end)`` up to ``horizon``."""
    out = []
    for m in range(len(shop.machines)):
        cal = shop.calendar(m) if shop.has_calendars else None
        if cal is None:
            continue
        t = 0
        for a, b in [*cal.working_windows(horizon), (horizon, horizon)]:
            if a > t:
                out.append((m, t, min(a, horizon)))
            t = max(t, b)
    return out
