"""The roster chart (``optikit solve X --gantt PATH``): the grid of employees x days coloured by
shift (leave hatched), each person placed at a station marked with that station's label and a
coloured corner; a cover strip below marks under- and over-cover per day and shift, then per
station (a shift's demand for a skilled person) so an unstaffed station shows in red.
Drawn with the shared static module (matplotlib, the ``plot`` extra, imported when drawing)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit.plotting import static, style
from optikit_rostering.checker import grid_from_payload, payload_of, staffed, stations
from optikit_rostering.model import Roster

_COLOURS = style.PALETTE
UNDER, OVER, MET = "#e15759", "#4e79a7", "#d4edda"
#: Station marker colours, most distinct first (yellow, purple, green, brown, pink).
_MARKERS = ("#edc948", "#b07aa1", "#59a14f", "#9c755f", "#ff9da7")
#: Cells get text only on grids of at most this many employees and days.
TEXT_EMPLOYEES, TEXT_DAYS = 40, 42


def station_labels(roster: Roster) -> dict[str, str]:
    """A short, unique label per station (the skills cover lines ask for): the shortest
    upper-case prefix no other station shares, e.g. press -> P, forklift -> FO, first-aid -> FI."""
    skills = sorted({c.skill for c in roster.cover if c.skill is not None})
    letters = {k: "".join(ch for ch in k if ch.isalnum()).upper() or k.upper() for k in skills}
    out: dict[str, str] = {}
    for skill in skills:
        mine = letters[skill]
        n = next((n for n in range(1, len(mine) + 1) if not any(
            o != skill and letters[o].startswith(mine[:n]) for o in skills)), len(mine))
        label = mine[:n]
        while label in out.values():  # two stations spelt alike but for punctuation
            label += "'"
        out[skill] = label
    return out


def _station_rows(roster: Roster) -> list[tuple[int, str]]:
    """(shift, skill) pairs with station demand on some day, in shift order."""
    return sorted({(c.shift, c.skill) for c in roster.cover if c.skill is not None})


def _cells(ax: Any, cells: list[tuple[int, int]], colours: list[str], **style_: Any) -> None:
    """Unit squares at (x, y) as one collection: one patch per cell (add_patch) took half a
    minute to draw on a 200-staff roster."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    if cells:
        ax.add_collection(PatchCollection([Rectangle(xy, 1, 1) for xy in cells],
                                          facecolors=colours, **style_))


def draw(roster: Roster, document: Mapping[str, Any], path: Path) -> None:
    grid, named, _bad = grid_from_payload(roster, payload_of(document))
    placed = stations(roster, grid, named) if any(c.skill for c in roster.cover) else {}
    labels = station_labels(roster)
    rows = _station_rows(roster)
    E, D, S = roster.num_employees, roster.days, roster.num_shifts
    strip = S + len(rows)
    text = E <= TEXT_EMPLOYEES and D <= TEXT_DAYS
    height = min(40.0, 0.22 * (E + strip) + 2.5)
    fig, (ax, cax) = static.new_figure(max(8.0, 0.35 * D + 3.5), height, rows=2,
                                       height_ratios=[max(E, 1), strip + 1])
    shift_colours = {_COLOURS[s % len(_COLOURS)] for s in range(S)}
    free = [c for c in (*_MARKERS, *_COLOURS) if c not in shift_colours | {UNDER, OVER}] \
        or list(_MARKERS)
    station_colour = {k: free[i % len(free)] for i, k in enumerate(labels)}
    corners: dict[str, list[tuple[float, float]]] = {k: [] for k in labels}
    worked: list[tuple[int, int]] = []
    colours: list[str] = []
    leave: list[tuple[int, int]] = []
    for e, emp in enumerate(roster.employees):
        for d in range(D):
            s = grid[e][d]
            if s is not None:
                worked.append((d, e))
                colours.append(_COLOURS[s % len(_COLOURS)])
                at = placed.get((e, d))
                if at is not None and at in corners:
                    corners[at].append((d + 0.84, e + 0.2))
                if text:
                    cell = roster.shifts[s].id + (f":{labels[at]}" if at in labels else "")
                    ax.text(d + 0.45, e + 0.55, cell, ha="center", va="center", fontsize=5.5,
                            color="white")
            elif d in emp.days_off:
                leave.append((d, e))
    _cells(ax, worked, colours, edgecolors="none")
    _cells(ax, leave, ["none"] * len(leave), edgecolors="#bbbbbb", hatch="///", linewidths=0.5)
    for k, points in corners.items():
        if points:
            ax.scatter([x for x, _y in points], [y for _x, y in points], marker="v", s=9,
                       color=station_colour[k], edgecolors="black", linewidths=0.3, zorder=3)
    for week in roster.weekends():
        ax.axvspan(week[0], week[-1] + 1, color="#eeeeee", zorder=-1)
    ax.set_xlim(0, D)
    ax.set_ylim(E, 0)
    if E <= 60:
        ax.set_yticks([e + 0.5 for e in range(E)], [emp.id for emp in roster.employees],
                      fontsize=6)
    static.legend(ax, [*(static.patch(f"shift {sh.id}", _COLOURS[s % len(_COLOURS)], "none")
                         for s, sh in enumerate(roster.shifts)),
                       *(static.marker(_legend(roster, k, labels[k], i == 0 and text), "v",
                                       station_colour[k], 5) for i, k in enumerate(labels)),
                       static.patch("leave", "white", "#bbbbbb", "///"),
                       static.patch("weekend", "#eeeeee", "none")])
    ax.set_ylabel("employee")
    static.set_title(fig, document, "roster (shifts per employee and day)")
    _cover_strip(cax, roster, grid, placed, rows, D <= TEXT_DAYS)
    static.save(fig, path, str(document.get("name", "")))


def _legend(roster: Roster, skill: str, label: str, explain: bool) -> str:
    if not explain:
        return f"station {skill} ({label})"
    sid = roster.shifts[0].id
    return f"station {skill} ({label}; cell {sid}:{label} = shift {sid} at {skill})"


def _cover_strip(cax: Any, roster: Roster, grid: list[list[int | None]],
                 placed: dict[tuple[int, int], str], rows: list[tuple[int, str]],
                 text: bool) -> None:
    """Staffed minus required: one row per shift (headcount), then one per shift and station
    (people placed there); red under, blue over, green met."""
    S = roster.num_shifts
    row_of = {(s, k): S + i for i, (s, k) in enumerate(rows)}
    at = {(c.day, c.shift if c.skill is None else row_of[c.shift, c.skill]): c
          for c in roster.cover}  # a later line on the same cell is drawn over an earlier
    colours = []
    for (day, y), c in at.items():
        diff = staffed(roster, grid, placed, day, c.shift, c.skill) - c.requirement
        colours.append(UNDER if diff < 0 else OVER if diff > 0 else MET)
        if diff and text:
            cax.text(day + 0.5, y + 0.5, f"{diff:+d}", ha="center", va="center",
                     fontsize=6, color="white")
    _cells(cax, list(at), colours, edgecolors="none")
    if rows:
        cax.axhline(S, color="black", linewidth=0.6)
    cax.set_ylim(S + len(rows), 0)
    cax.set_yticks([y + 0.5 for y in range(S + len(rows))],
                   [sh.id for sh in roster.shifts]
                   + [f"{roster.shifts[s].id} {k}" for s, k in rows], fontsize=6)
    cax.set_xlabel(static.axis_label("day", "from 0"))
    cax.set_ylabel("shift" + (" / station" if rows else ""))
    cax.set_title("cover: staffed minus required" + (" (per shift, then per station)"
                                                      if rows else ""), fontsize=8)
    static.legend(cax, [static.patch("under-cover (number: missing)", UNDER, "none"),
                        static.patch("over-cover", OVER, "none"),
                        static.patch("cover met", MET, "none")])
