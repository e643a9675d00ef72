"""Key figures of a roster for the CLI's human summary: penalty parts, cover gaps by day and
shift (stations counted as the checker does), who covers which station, fatigue (longest runs
of shifts and of nights, weekends worked) and requests met."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit_rostering.checker import Placed, grid_from_payload, payload_of, staffed, stations
from optikit_rostering.model import WEEKDAYS, Roster

#: People named per station in the summary line.
SHOWN = 6


def _longest(flags: list[bool]) -> int:
    best = run = 0
    for f in flags:
        run = run + 1 if f else 0
        best = max(best, run)
    return best


def day_name(roster: Roster, day: int) -> str:
    """``day 9 (Wed)``: planners read rosters by weekday."""
    return f"day {day} ({WEEKDAYS[roster.weekday(day)][:3].title()})"


def cover_gaps(roster: Roster, grid: list[list[int | None]],
               placed: Placed) -> list[tuple[int, int, int, int, str | None]]:
    """(day, shift, staffed, required, skill) for every cover line short of its requirement."""
    out = []
    for c in roster.cover:
        n = staffed(roster, grid, placed, c.day, c.shift, c.skill)
        if n < c.requirement:
            out.append((c.day, c.shift, n, c.requirement, c.skill))
    return out


def station_rows(roster: Roster, placed: Placed) -> list[tuple[str, str]]:
    """Per station, how many shifts were covered there and by whom (most shifts first)."""
    by_skill: dict[str, dict[str, int]] = {}
    for (e, _d), skill in placed.items():
        who = by_skill.setdefault(skill, {})
        who[roster.employees[e].id] = who.get(roster.employees[e].id, 0) + 1
    rows = []
    for skill in sorted(by_skill):
        ranked = sorted(by_skill[skill].items(), key=lambda t: (-t[1], t[0]))
        names = ", ".join(f"{who} {n}" for who, n in ranked[:SHOWN])
        rows.append((f"station {skill}", f"{sum(by_skill[skill].values())} shifts by "
                     f"{len(ranked)} staff: {names}" + (", ..." if len(ranked) > SHOWN else "")))
    return rows


def fatigue(roster: Roster, grid: list[list[int | None]]) -> dict[str, Any]:
    """Longest run of shifts and of nights (with who), and the most weekends anyone works."""
    runs = [_longest([x is not None for x in row]) for row in grid]
    nights = [_longest([x is not None and roster.shifts[x].night for x in row]) for row in grid]
    weekends = [sum(1 for w in roster.weekends() if any(row[d] is not None for d in w))
                for row in grid]
    e_run = max(range(len(runs)), key=runs.__getitem__)
    e_night = max(range(len(nights)), key=nights.__getitem__)
    return {"longest_run": runs[e_run], "longest_run_employee": roster.employees[e_run].id,
            "longest_nights": nights[e_night],
            "longest_nights_employee": roster.employees[e_night].id,
            "max_weekends": max(weekends)}


def summarize(roster: Roster, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    grid, named, _bad = grid_from_payload(roster, payload_of(document))
    placed = stations(roster, grid, named)
    rows: list[tuple[str, str]] = []
    gaps = cover_gaps(roster, grid, placed)
    short = sum(req - n for _d, _s, n, req, _k in gaps)
    if gaps:
        shown = ", ".join(f"{day_name(roster, d)} {roster.shifts[s].id}"
                          f"{f' {k}' if k else ''} {n}/{req}" for d, s, n, req, k in gaps[:6])
        rows.append(("cover gaps", f"{short} staff short on {len(gaps)} shift(s): {shown}"
                     + (", ..." if len(gaps) > 6 else "")))
    else:
        rows.append(("cover gaps", "none"))
    over = sum(max(0, sum(1 for e in range(roster.num_employees) if grid[e][c.day] == c.shift)
                   - c.requirement) for c in roster.cover if c.skill is None)
    rows.append(("over cover", f"{over} staff-shifts above requirement"))
    rows.extend(station_rows(roster, placed))
    fat = fatigue(roster, grid)
    rows.append(("longest run", f"{fat['longest_run']} shifts ({fat['longest_run_employee']})"))
    if any(s.night for s in roster.shifts):
        rows.append(("longest nights",
                     f"{fat['longest_nights']} in a row ({fat['longest_nights_employee']})"))
    rows.append(("weekends", f"at most {fat['max_weekends']} per person"))
    if roster.requests:
        met = 0
        for r in roster.requests:
            x = grid[r.employee][r.day]
            met += (x is not None and (r.shift < 0 or x == r.shift)) == r.on
        rows.append(("requests met", f"{met} of {len(roster.requests)}"))
    worked = sum(x is not None for row in grid for x in row)
    rows.append(("shifts worked", f"{worked} by {roster.num_employees} staff over "
                 f"{roster.days} days"))
    return rows
