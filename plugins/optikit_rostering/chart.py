"""The roster chart (``optikit solve X --gantt PATH``): the grid of employees x days coloured by
shift (leave hatched), with a cover strip below marking under- and over-cover per day and shift.
Drawn with the shared static module (matplotlib, the ``plot`` extra, imported when drawing)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit.plotting import static, style
from optikit_rostering.checker import grid_from_payload, payload_of
from optikit_rostering.model import Roster

_COLOURS = style.PALETTE


def draw(roster: Roster, document: Mapping[str, Any], path: Path) -> None:
    from matplotlib.patches import Rectangle

    grid, _named, _bad = grid_from_payload(roster, payload_of(document))
    E, D, S = roster.num_employees, roster.days, roster.num_shifts
    height = min(40.0, 0.22 * (E + S) + 2.5)
    fig, (ax, cax) = static.new_figure(max(8.0, 0.35 * D + 3.5), height, rows=2,
                                       height_ratios=[max(E, 1), max(S, 1) + 1])
    for e, emp in enumerate(roster.employees):
        for d in range(D):
            s = grid[e][d]
            if s is not None:
                ax.add_patch(Rectangle((d, e), 1, 1, color=_COLOURS[s % len(_COLOURS)]))
                if E <= 40 and D <= 42:
                    ax.text(d + 0.5, e + 0.5, roster.shifts[s].id, ha="center", va="center",
                            fontsize=6, color="white")
            elif d in emp.days_off:
                ax.add_patch(Rectangle((d, e), 1, 1, fill=False, hatch="///", color="#bbbbbb"))
    for week in roster.weekends():
        ax.axvspan(week[0], week[-1] + 1, color="#eeeeee", zorder=-1)
    ax.set_xlim(0, D)
    ax.set_ylim(E, 0)
    if E <= 60:
        ax.set_yticks([e + 0.5 for e in range(E)], [emp.id for emp in roster.employees],
                      fontsize=6)
    static.legend(ax, [*(static.patch(f"shift {sh.id}", _COLOURS[s % len(_COLOURS)], "none")
                         for s, sh in enumerate(roster.shifts)),
                       static.patch("leave", "white", "#bbbbbb", "///"),
                       static.patch("weekend", "#eeeeee", "none")])
    ax.set_ylabel("employee")
    static.set_title(fig, document, "roster (shifts per employee and day)")
    # Cover strip: staffed - required per day and shift (red under, blue over).
    for c in roster.cover:
        if c.skill is not None:
            continue
        n = sum(1 for e in range(E) if grid[e][c.day] == c.shift)
        diff = n - c.requirement
        colour = "#e15759" if diff < 0 else "#4e79a7" if diff > 0 else "#d4edda"
        cax.add_patch(Rectangle((c.day, c.shift), 1, 1, color=colour))
        if diff and D <= 42:
            cax.text(c.day + 0.5, c.shift + 0.5, f"{diff:+d}", ha="center", va="center",
                     fontsize=6, color="white")
    cax.set_ylim(S, 0)
    cax.set_yticks([s + 0.5 for s in range(S)], [sh.id for sh in roster.shifts], fontsize=6)
    cax.set_xlabel(static.axis_label("day", "from 0"))
    cax.set_ylabel("shift")
    cax.set_title("cover: staffed minus required", fontsize=8)
    static.legend(cax, [static.patch("under-cover (number: missing)", "#e15759", "none"),
                        static.patch("over-cover", "#4e79a7", "none"),
                        static.patch("cover met", "#d4edda", "none")])
    static.save(fig, path, str(document.get("name", "")))
