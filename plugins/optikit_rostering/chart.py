"""The roster chart (``optikit solve X --gantt PATH``): the grid of employees x days coloured by
shift (leave hatched), with a cover strip below marking under- and over-cover per day and shift.
matplotlib (the ``plot`` extra) is imported only when drawing."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit_rostering.checker import grid_from_payload, payload_of
from optikit_rostering.model import Roster

_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f")


def draw(roster: Roster, document: Mapping[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    grid, _bad = grid_from_payload(roster, payload_of(document))
    E, D, S = roster.num_employees, roster.days, roster.num_shifts
    height = min(40.0, 0.22 * (E + S) + 2.5)
    fig, (ax, cax) = plt.subplots(2, 1, figsize=(max(8.0, 0.35 * D + 2), height),
                                  gridspec_kw={"height_ratios": [max(E, 1), max(S, 1) + 1]},
                                  sharex=True)
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
    ax.legend(handles=[Patch(color=_COLOURS[s % len(_COLOURS)], label=sh.id)
                       for s, sh in enumerate(roster.shifts)], loc="lower right",
              bbox_to_anchor=(1.0, 1.0), fontsize=6, ncol=S, frameon=False)
    name = document.get("name") or roster.name or "rostering"
    ax.set_title(f"{name}: roster (shifts per employee and day; leave hatched)", loc="left")
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
    cax.set_xlabel("day")
    cax.set_title("cover: staffed minus required (red under, blue over)", fontsize=8)
    fig.tight_layout()
    fig.savefig(Path(path))
    plt.close(fig)
