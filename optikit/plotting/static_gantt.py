"""The static Gantt panel (matplotlib) that the scheduling types share: one look for
operations, changeovers, maintenance and non-working time; due dates and late jobs
marked; job labels inside the bars only where they fit (so 100 jobs stay readable);
a legend entry for every colour and marker; the time axis in the problem's unit, or in
clock times when the problem gives a ``start``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optikit.plotting import static, style

#: Colour groups listed one by one in the legend; the rest are summarised in one entry.
MAX_LEGEND_GROUPS = 20
OFF_SHIFT = "#e4e4e4"
KINDS = ("op", "setup", "maintenance", "off", "idle")


@dataclass(frozen=True)
class GanttBar:
    """A bar on a machine row. ``labels``: texts to try inside the bar, longest first
    (``J2.1``, then ``J2``); the first that fits is drawn, none if none fits."""

    row: str
    start: float
    end: float
    group: str = ""
    labels: tuple[str, ...] = ()
    kind: str = "op"  # one of KINDS
    late: bool = False


@dataclass(frozen=True)
class DueMark:
    """A job's due date, drawn on the row of its last operation."""

    row: str
    time: float
    late: bool = False
    group: str = ""  # the job's colour group: the marker is filled with its colour


def height(rows: int) -> float:
    """Figure height in inches for a Gantt of ``rows`` machines (and a legend beside)."""
    return max(2.6, 1.4 + 0.42 * rows)


def width(bars: Iterable[GanttBar]) -> float:
    """Figure width in inches: wider for busy rows, so more job labels fit (12 to 24)."""
    per_row: dict[str, int] = {}
    for b in bars:
        if b.kind == "op":
            per_row[b.row] = per_row.get(b.row, 0) + 1
    return min(24.0, max(12.0, 4.0 + 0.22 * max(per_row.values(), default=0)))


def group_colours(groups: Sequence[str]) -> dict[str, str]:
    return {g: style.colour(i, len(groups)) for i, g in enumerate(groups)}


def draw_gantt(
    ax: Any, rows: Sequence[str], bars: Iterable[GanttBar], groups: Sequence[str],
    group_title: str = "job", dues: Sequence[DueMark] = (), time_unit: str = "",
    clock: Any = None, horizon: float | None = None, extra_handles: Sequence[Any] = (),
) -> None:
    """Draw ``bars`` on ``ax`` with machine ``rows`` top to bottom, and its legend."""
    items = list(bars)
    y = {r: i for i, r in enumerate(rows)}
    end = max([b.end for b in items] + [d.time for d in dues] + [horizon or 0.0, 1.0])
    ax.set_xlim(0, end * 1.01)  # due dates after the last bar stay on the chart
    ax.set_ylim(len(rows) - 0.4, -0.6)  # first row on top
    colours = group_colours(groups)
    used: set[str] = set()
    for b in items:
        if b.row not in y:
            continue
        used.add(b.kind)
        yy, width = y[b.row], b.end - b.start
        if b.kind == "off":
            ax.barh(yy, width, left=b.start, height=0.92, color=OFF_SHIFT, linewidth=0,
                    zorder=0)
        elif b.kind == "idle":  # a machine on but not processing
            ax.barh(yy, width, left=b.start, height=0.6, color="none", edgecolor="0.55",
                    hatch="///", linewidth=0.5, zorder=1)
        elif b.kind in ("setup", "maintenance"):
            ax.barh(yy, width, left=b.start, height=0.5 if b.kind == "setup" else 0.7,
                    color="white", edgecolor=style.SETUP, linewidth=0.6, zorder=2,
                    hatch="\\\\\\\\" if b.kind == "setup" else "///")
        else:
            ax.barh(yy, width, left=b.start, height=0.7, color=colours.get(b.group, style.SETUP),
                    edgecolor=style.LATE if b.late else "black",
                    linewidth=1.8 if b.late else 0.4, zorder=3)
            used.update({"late"} if b.late else set())
            label = next((t for t in b.labels
                          if static.text_width(t, ax) <= width * 0.92), None)
            if label:
                ax.text(b.start + width / 2, yy, label, ha="center", va="center",
                        fontsize=static.LABEL_FONT, zorder=4)
    for d in dues:
        if d.row in y:
            ax.plot([d.time], [y[d.row] - 0.43], marker="v", markersize=6, linestyle="none",
                    markerfacecolor=colours.get(d.group, style.DUE), markeredgecolor=style.DUE,
                    markeredgewidth=1.0, zorder=5, clip_on=False)
    ax.set_yticks(range(len(rows)), labels=list(rows))
    ax.set_ylabel("machine")
    ax.grid(True, axis="x", alpha=0.25)
    time_axis(ax, time_unit, clock)
    handles = [static.patch(f"{group_title} {g}".strip(), colours[g])
               for g in groups[:MAX_LEGEND_GROUPS]]
    if len(groups) > MAX_LEGEND_GROUPS:
        handles.append(static.patch(f"... {len(groups) - MAX_LEGEND_GROUPS} more "
                                    f"({group_title or 'name'} in the bar where it fits)",
                                    "white", "white"))
    if "setup" in used:
        handles.append(static.patch("changeover", "white", style.SETUP, "\\\\\\\\"))
    if "maintenance" in used:
        handles.append(static.patch("maintenance", "white", style.SETUP, "///"))
    if "idle" in used:
        handles.append(static.patch("on, idle", "none", "0.55", "///"))
    if "off" in used:
        handles.append(static.patch("non-working time", OFF_SHIFT, "none"))
    if dues:
        handles.append(static.marker("due date (in the colour of the job's bars)", "v",
                                     style.DUE, 6))
    if "late" in used:
        handles.append(static.patch("late job (its last operation outlined)", "white",
                                    style.LATE))
    handles.extend(extra_handles)
    static.legend(ax, handles, ncol=2 if len(handles) > 24 else 1)


def time_axis(ax: Any, unit: str = "", clock: Any = None) -> None:
    """Label the x axis with its unit; with a clock, ticks at round clock times."""
    if clock is None:
        ax.set_xlabel(static.axis_label("time", unit or "time units"))
        return
    from matplotlib.ticker import FixedFormatter, FixedLocator

    ticks, labels = style.clock_ticks(clock, *ax.get_xlim())
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FixedFormatter(labels))
    ax.set_xlabel(style.clock_axis_label(clock))


def late_jobs(ends: Mapping[str, float], due: Mapping[str, float | None]) -> set[str]:
    """Jobs whose last operation ends after their due date."""
    return {j for j, e in ends.items() if (d := due.get(j)) is not None and e > d}
