"""The independent checker of ``rostering`` solutions.

Written from the contract, sharing no code with the formulations: it rebuilds the roster
grid from the payload, lists every rule broken (with employee and day) and recomputes the
penalty: unmet requests plus weighted under- and over-cover.  Cover by skill counts the
people placed at that station (one station per person on a shift): the payload's ``skill``
on each row when any row has the key, else the most favourable placement
(:mod:`optikit_rostering.matching`).  Safety rules count presence: everyone on the shift who
holds the skill, whatever their station.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.types import CheckReport, Violation
from optikit_rostering.matching import best_placement
from optikit_rostering.model import Roster, average_cap

Grid = list[list[int | None]]
Placed = dict[tuple[int, int], str]


def payload_of(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """Accept a whole solution document or the bare payload."""
    solution = document.get("solution")
    return solution if isinstance(solution, Mapping) else document


def grid_from_payload(roster: Roster,
                      payload: Mapping[str, Any]) -> tuple[Grid, Placed | None, list[Violation]]:
    """``grid[e][d]`` = shift index or None; the stations the payload names ((employee, day)
    -> skill; None when no row has a ``skill`` key); the payload's own format errors."""
    grid: Grid = [[None] * roster.days for _ in roster.employees]
    bad: list[Violation] = []
    employees = {e.id: k for k, e in enumerate(roster.employees)}
    shifts = {s.id: k for k, s in enumerate(roster.shifts)}
    rows = payload.get("assignments")
    if not isinstance(rows, list):
        return grid, None, [Violation("payload", "the payload has no `assignments` list")]
    placed: Placed = {}
    named = False
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            bad.append(Violation("payload", f"assignments[{i}] is not a mapping"))
            continue
        e, s, d = employees.get(str(row.get("employee"))), shifts.get(str(row.get("shift"))), \
            row.get("day")
        if e is None:
            bad.append(Violation("payload", f"assignments[{i}]: unknown employee "
                                 f"{row.get('employee')!r}"))
            continue
        if s is None:
            bad.append(Violation("payload",
                                 f"assignments[{i}]: unknown shift {row.get('shift')!r}"))
            continue
        if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d < roster.days:
            bad.append(Violation("payload", f"assignments[{i}]: day {d!r} is not in "
                                 f"0..{roster.days - 1}"))
            continue
        who, skill = roster.employees[e].id, row.get("skill")
        named = named or "skill" in row
        if grid[e][d] is not None:
            if grid[e][d] == s and skill is not None:
                bad.append(Violation("one_station", f"{who} is placed at two stations on day "
                                     f"{d} shift {roster.shifts[s].id} ({placed.get((e, d))}, "
                                     f"{skill}): one person fills one station"))
            else:
                bad.append(Violation("one_shift_per_day", f"{who} has two shifts on day {d}"))
            continue
        grid[e][d] = s
        if skill is None:
            continue
        if str(skill) not in roster.employees[e].skills:
            bad.append(Violation("station", f"{who} is placed at {skill!r} on day {d} shift "
                                 f"{roster.shifts[s].id} without holding that skill"))
        else:
            placed[e, d] = str(skill)
    return grid, placed if named else None, bad


def stations(roster: Roster, grid: Grid, named: Placed | None) -> Placed:
    """Who stands where: the payload's stations, or the most favourable placement."""
    return named if named is not None else best_placement(roster, grid)


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(first day, length) of every maximal run of True."""
    out: list[tuple[int, int]] = []
    start = None
    for d, f in enumerate([*flags, False]):
        if f and start is None:
            start = d
        elif not f and start is not None:
            out.append((start, d - start))
            start = None
    return out


def employee_violations(roster: Roster, e: int, row: list[int | None]) -> list[Violation]:
    """Every hard rule one employee's row breaks."""
    emp = roster.employees[e]
    lim = emp.limits
    who = emp.id
    out: list[Violation] = []
    n_days = roster.days
    work = [s is not None for s in row]
    for d in sorted(emp.days_off):
        if work[d]:
            out.append(Violation("days_off", f"{who} works on day {d}, a day off (leave)"))
    for d in range(n_days - 1):
        a, b = row[d], row[d + 1]
        if a is not None and b is not None and (a, b) in emp.forbidden:
            out.append(Violation("rest", f"{who}: shift {roster.shifts[b].id} on day {d + 1} may "
                                 f"not follow {roster.shifts[a].id} on day {d}"))
    for s, cap in enumerate(lim.max_per_shift):
        count = sum(1 for x in row if x == s)
        if cap is not None and count > cap:
            out.append(Violation("max_shifts", f"{who} works {count} {roster.shifts[s].id} "
                                 f"shifts, more than {cap}", count - cap))
    minutes = sum(roster.shifts[x].minutes for x in row if x is not None)
    if lim.max_minutes is not None and minutes > lim.max_minutes:
        out.append(Violation("max_total_minutes", f"{who} works {minutes} min, more than "
                             f"{lim.max_minutes}", minutes - lim.max_minutes))
    if lim.min_minutes is not None and minutes < lim.min_minutes:
        out.append(Violation("min_total_minutes", f"{who} works {minutes} min, less than "
                             f"{lim.min_minutes}", lim.min_minutes - minutes))
    cap = average_cap(roster, lim)
    if cap is not None and minutes > cap:
        out.append(Violation("max_average_weekly_hours", f"{who} works {minutes} min over the "
                             f"horizon, above the average-week cap ({cap} min)", minutes - cap))
    for start, length in _runs(work):
        last = start + length - 1
        if lim.max_consecutive is not None and length > lim.max_consecutive:
            out.append(Violation("max_consecutive_shifts", f"{who} works {length} days in a row "
                                 f"(days {start}-{last}), more than {lim.max_consecutive}"))
        if length < lim.min_consecutive and start > 0 and last < n_days - 1:
            out.append(Violation("min_consecutive_shifts", f"{who} works only {length} day(s) in a "
                                 f"row from day {start}, fewer than {lim.min_consecutive}"))
    for start, length in _runs([not w for w in work]):
        last = start + length - 1
        if length < lim.min_days_off_run and start > 0 and last < n_days - 1:
            out.append(Violation("min_consecutive_days_off", f"{who} has only {length} day(s) off "
                                 f"from day {start}, fewer than {lim.min_days_off_run}"))
    if lim.max_consecutive_nights is not None:
        nights = [x is not None and roster.shifts[x].night for x in row]
        for start, length in _runs(nights):
            if length > lim.max_consecutive_nights:
                out.append(Violation("max_consecutive_nights", f"{who} works {length} nights in a "
                                     f"row from day {start}, more than "
                                     f"{lim.max_consecutive_nights}"))
    if lim.max_weekends is not None:
        worked = [w for w in roster.weekends() if any(work[d] for d in w)]
        if len(worked) > lim.max_weekends:
            out.append(Violation("max_weekends", f"{who} works {len(worked)} weekends (from day "
                                 f"{worked[0][0]}), more than {lim.max_weekends}"))
    for week in roster.weeks():
        if lim.max_week_minutes is not None:
            m = sum(roster.shifts[x].minutes for d in week if (x := row[d]) is not None)
            if m > lim.max_week_minutes:
                out.append(Violation("max_weekly_hours", f"{who} works {m / 60:g} h in the week "
                                     f"of days {week[0]}-{week[-1]}, more than "
                                     f"{lim.max_week_minutes / 60:g} h", m - lim.max_week_minutes))
        if len(week) == 7 and lim.min_days_off_per_week:
            off = sum(1 for d in week if not work[d])
            if off < lim.min_days_off_per_week:
                out.append(Violation("min_days_off_per_week", f"{who} has {off} day(s) off in the "
                                     f"week of days {week[0]}-{week[-1]}, fewer than "
                                     f"{lim.min_days_off_per_week}"))
    return out


def present(roster: Roster, grid: Grid, day: int, shift: int, skill: str) -> int:
    """Staff on the shift holding ``skill`` (a safety rule: presence, not a station)."""
    return sum(1 for e, emp in enumerate(roster.employees)
               if grid[e][day] == shift and skill in emp.skills)


def staffed(roster: Roster, grid: Grid, placed: Placed, day: int, shift: int,
            skill: str | None) -> int:
    """A cover line's count: everyone on the shift, or with ``skill`` those at its station."""
    return sum(1 for e in range(roster.num_employees) if grid[e][day] == shift
               and (skill is None or placed.get((e, day)) == skill))


def penalty_parts(roster: Roster, grid: Grid, placed: Placed) -> dict[str, int]:
    """The penalty's terms: unmet requests and weighted under/over cover."""
    requests = 0
    for r in roster.requests:
        x = grid[r.employee][r.day]
        on_shift = x is not None and (r.shift < 0 or x == r.shift)
        if on_shift != r.on:
            requests += r.weight
    under = over = 0
    for c in roster.cover:
        n = staffed(roster, grid, placed, c.day, c.shift, c.skill)
        under += c.under_weight * max(0, c.requirement - n)
        over += c.over_weight * max(0, n - c.requirement)
    return {"requests": requests, "under_cover": under, "over_cover": over}


def check(roster: Roster, document: Mapping[str, Any]) -> CheckReport:
    """Verify a payload against the problem and recompute its penalty."""
    grid, named, violations = grid_from_payload(roster, payload_of(document))
    for e in range(roster.num_employees):
        violations.extend(employee_violations(roster, e, grid[e]))
    for h in roster.hard_cover:
        n = present(roster, grid, h.day, h.shift, h.skill)
        if n < h.minimum:
            violations.append(Violation("safety", f"day {h.day} shift "
                                        f"{roster.shifts[h.shift].id}: {n} staff with "
                                        f"{h.skill}, safety rule {h.rule!r} needs {h.minimum}",
                                        h.minimum - n))
    parts = penalty_parts(roster, grid, stations(roster, grid, named))
    figures: dict[str, Any] = {"penalty": sum(parts.values()), **parts,
                               "shifts_worked": sum(x is not None for row in grid for x in row)}
    if any(c.skill is not None for c in roster.cover):
        figures["stations"] = "from the payload" if named is not None else \
            "most favourable placement (the payload names none)"
    return CheckReport(objective=float(sum(parts.values())), violations=violations,
                       figures=figures)
