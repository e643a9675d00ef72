"""Gantt chart of an energy schedule, with the plant's power profile and the tariff beneath.

Three panels sharing the time axis (in hours from the start of the horizon):

1. machines as rows: operations as bars coloured by job (labelled with job and operation),
   the machine's on-but-idle time hatched, switch-ons marked with a triangle;
2. the plant's power profile (kW per time unit) with the peak cap as a dashed line;
3. the tariff: price per kWh as a step line over bands shaded by price level.

``.png``, ``.svg`` and ``.pdf`` come from matplotlib; ``.html`` is a self-contained page
wrapping the SVG.  matplotlib is imported here only (the ``plot`` extra).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from optikit.plotting import static
from optikit.scheduling import schedule_from_payload
from optikit.units import money
from optikit_energy import energy
from optikit_energy.calendar_starts import CalendarStarts
from optikit_energy.checker import switch_on_from_payload
from optikit_energy.model import EnergyProblem

#: Jobs and tariff bands listed one by one in the legends.
MAX_LEGEND_JOBS = 20
MAX_LEGEND_BANDS = 6


def draw(problem: EnergyProblem, document: Mapping[str, Any], path: Path) -> None:
    payload = document.get("solution")
    if not isinstance(payload, Mapping):
        raise ValueError("the document has no solution to draw")
    fig = figure(problem, payload, title=str(document.get("name", "")), document=document)
    suffix = Path(path).suffix.lower()
    if suffix == ".html":
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight")
        title = escape(str(document.get("name", "schedule")))
        Path(path).write_text(
            "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
            f"<title>{title}</title></head><body>\n{buffer.getvalue()}\n</body></html>\n",
            encoding="utf-8",
        )
        return
    fmt = {".png": "png", ".svg": "svg", ".pdf": "pdf"}.get(suffix)
    if fmt is None:
        raise ValueError(f"unsupported chart format {suffix!r} (use .png, .svg, .pdf or .html)")
    fig.savefig(path, format=fmt, dpi=120)


def figure(problem: EnergyProblem, payload: Mapping[str, Any], title: str = "",
           document: Mapping[str, Any] | None = None) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    schedule, _ = schedule_from_payload(problem.shop, payload)
    switch_on, _ = switch_on_from_payload(problem, payload)
    figures, _ = energy.compute(problem, schedule, switch_on)
    hours = problem.time_step / 60.0
    horizon_h = problem.horizon * hours
    n_machines = problem.num_machines

    fig = Figure(figsize=(12, 3 + 0.45 * n_machines), layout="constrained")
    grid = fig.add_gridspec(
        3, 1, height_ratios=[max(2.0, 0.45 * n_machines), 1.6, 1.0], hspace=0.08
    )
    ax_g = fig.add_subplot(grid[0])
    ax_p = fig.add_subplot(grid[1], sharex=ax_g)
    ax_t = fig.add_subplot(grid[2], sharex=ax_g)

    # 1. Machines (non-working time of calendar machines shaded).
    cmap = _job_colours(len(problem.shop.jobs))
    for m, spans in enumerate(_off_shift(problem)):
        y = n_machines - 1 - m
        ax_g.broken_barh([(a * hours, (b - a) * hours) for a, b in spans], (y - 0.45, 0.9),
                         facecolors=OFF_SHIFT_COLOUR, linewidth=0, zorder=0)
    for m, segments in enumerate(figures.on_periods):
        y = n_machines - 1 - m
        for a, b in segments:
            if b > a:
                ax_g.broken_barh([(a * hours, (b - a) * hours)], (y - 0.3, 0.6),
                                 facecolors="none", edgecolors="0.55", hatch="///", linewidth=0.5)
        for t in switch_on.get(m, ()):
            ax_g.plot([t * hours], [y + 0.38], marker="v", color="black", markersize=5)
    for s in schedule:
        y = n_machines - 1 - s.machine
        ax_g.broken_barh([(s.start * hours, (s.end - s.start) * hours)], (y - 0.3, 0.6),
                         facecolors=cmap[s.job], edgecolors="black", linewidth=0.5)
        if (s.end - s.start) * hours > horizon_h / 60:
            ax_g.text((s.start + s.end) / 2 * hours, y,
                      f"{problem.shop.jobs[s.job].id}.{s.operation}",
                      ha="center", va="center", fontsize=6)
    ax_g.set_yticks(range(n_machines))
    ax_g.set_yticklabels([problem.shop.machines[n_machines - 1 - i].id for i in range(n_machines)])
    ax_g.set_ylim(-0.6, n_machines - 0.4)
    job_handles = [Patch(facecolor=cmap[j], edgecolor="black", label=f"job {job.id}")
                   for j, job in enumerate(problem.shop.jobs[:MAX_LEGEND_JOBS])]
    static.legend(ax_g, [
        *job_handles,
        static.patch("on, idle", "none", "0.55", "///"),
        static.marker("switch-on", "v", "black", 6),
        *([static.patch("non-working time", OFF_SHIFT_COLOUR, "none")]
          if problem.shop.has_calendars else []),
    ])
    if document is not None:
        static.set_title(fig, document, "schedule, plant power and tariff")
    else:
        ax_g.set_title(title or "energy schedule")

    # 2. Power profile and cap.
    profile = figures.profile[: problem.horizon]
    edges = np.arange(problem.horizon + 1) * hours
    ax_p.stairs(profile, edges, fill=True, color="tab:blue", alpha=0.8, label="plant power",
                zorder=3)
    if problem.peak_power is not None:
        ax_p.axhline(problem.peak_power, color="tab:red", linestyle="--", linewidth=1,
                     label=f"peak cap {problem.peak_power:g} kW")
    ax_p.set_ylabel(static.axis_label("plant power", "kW"))
    static.legend(ax_p, ax_p.get_legend_handles_labels()[0])

    # 3. Tariff bands.
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
    ax_t.set_ylabel("price/kWh")
    ax_t.set_xlabel(static.axis_label("time from the start of the horizon", "h"))
    static.legend(ax_t, [
        static.line("price per kWh", "black", "-", 1.0),
        *(static.patch(f"tariff band {price:g}/kWh", colour, "none", alpha=0.3)
          for price, colour in sorted(bands.items())[:MAX_LEGEND_BANDS]),
    ])
    ax_t.set_xlim(0, horizon_h)
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


OFF_SHIFT_COLOUR = "#e4e4e4"


def _off_shift(problem: EnergyProblem) -> list[list[tuple[int, int]]]:
    """Per machine, its runs of non-working units (none without a calendar)."""
    out: list[list[tuple[int, int]]] = []
    for mask in CalendarStarts(problem).working:
        if mask is None:
            out.append([])
            continue
        flips = np.flatnonzero(np.diff(np.concatenate(([1], mask.astype(int), [1]))))
        out.append([(int(a), int(b)) for a, b in zip(flips[::2], flips[1::2], strict=True)])
    return out


def _job_colours(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]
