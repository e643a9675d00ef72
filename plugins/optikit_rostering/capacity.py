"""How many days one employee can work at most (over the horizon, or any set of days).

Why: on the Curtois & Qu instances the staff's minute caps add up to the cover demand, so
the penalty is mostly the shifts nobody can take (weight 100 each), and the LP relaxation
does not see that a person's run rules (longest and shortest runs of shifts and of days
off, weekends, leave) leave fewer workable days than the minutes allow (Instance2: 101
days for 108 shifts of demand, where the minutes allow 106).  The whole-model bound of
Instance2 at 30 s was about 200 against the best-known 828; with these caps the
relaxation alone gives 700.  The counts come from a dynamic programme over one
employee's days (work or rest, shift types ignored: a relaxation, so the cap is valid).
"""

from __future__ import annotations

from collections.abc import Iterable

from optikit_rostering.model import Employee, Limits, Roster

#: A state of the programme: (works today, length of the current run (capped), the run
#: began on day 0, weekends worked so far, this weekend already counted, days worked in
#: this calendar week).
State = tuple[bool, int, bool, int, bool, int]


def workable_days(roster: Roster, emp: Employee) -> list[bool]:
    """Days on which ``emp`` has at least one shift they may work."""
    caps = emp.limits.max_per_shift
    any_shift = any(cap is None or cap > 0 for cap in caps)
    return [any_shift and d not in emp.days_off for d in range(roster.days)]


def max_days(roster: Roster, emp: Employee, window: Iterable[int]) -> int:
    """The most days of ``window`` that ``emp`` can work in a roster obeying their run,
    weekend, weekly and leave rules (an upper bound: shift types and minutes are not
    modelled here)."""
    lim = emp.limits
    counted = set(window)
    open_days = workable_days(roster, emp)
    D = roster.days
    longest = lim.max_consecutive if lim.max_consecutive is not None else D
    cap_run = max(lim.min_consecutive, lim.min_days_off_run, min(longest, D)) + 1
    shortest = min((s.minutes for s in roster.shifts), default=0)
    week_cap = 7
    if lim.max_week_minutes is not None and shortest > 0:
        week_cap = lim.max_week_minutes // shortest
    weekend_of = {d: i for i, days in enumerate(roster.weekends()) for d in days}
    full_week = {d for week in roster.full_weeks() for d in week}
    states: dict[State, int] = {(False, 0, True, 0, False, 0): 0}
    for d in range(D):
        new_week = d > 0 and roster.week_of(d) != roster.week_of(d - 1)
        weekend_starts = d in weekend_of and weekend_of.get(d - 1) != weekend_of[d]
        nxt: dict[State, int] = {}
        for (on, run, edge, weekends, this_weekend, in_week), value in states.items():
            if weekend_starts:
                this_weekend = False
            if new_week:
                in_week = 0
            for work in (False, True) if open_days[d] else (False,):
                if d > 0 and work != on:  # the current run ends on day d - 1
                    shortest_run = lim.min_consecutive if on else lim.min_days_off_run
                    if run < shortest_run and not edge:
                        continue
                    length, starts_at_edge = 1, False
                else:
                    length, starts_at_edge = min(run + 1, cap_run), edge
                if work and length > longest:
                    continue
                used = weekends
                counted_weekend = this_weekend
                if work and d in weekend_of and not this_weekend:
                    used, counted_weekend = weekends + 1, True
                    if lim.max_weekends is not None and used > lim.max_weekends:
                        continue
                worked = in_week + work
                limit = week_cap
                if d in full_week and lim.min_days_off_per_week:
                    limit = min(limit, 7 - lim.min_days_off_per_week)
                if worked > limit:
                    continue
                key = (work, length, starts_at_edge, used, counted_weekend, worked)
                gain = value + (1 if work and d in counted else 0)
                if nxt.get(key, -1) < gain:
                    nxt[key] = gain
        states = nxt
    return max(states.values(), default=0)


def workday_caps(roster: Roster) -> list[int | None]:
    """:func:`workday_cap` of every employee, computed once per distinct (limits, leave):
    the 200-staff plant has 47 such pairs (1.5 s for all rows at load 11)."""
    memo: dict[tuple[Limits, frozenset[int]], int | None] = {}
    out: list[int | None] = []
    for e, emp in enumerate(roster.employees):
        key = (emp.limits, emp.days_off)
        if key not in memo:
            memo[key] = workday_cap(roster, e)
        out.append(memo[key])
    return out


def workday_cap(roster: Roster, e: int) -> int | None:
    """The most days ``e`` can work over the horizon, when their rules bind below their
    workable days and below the minutes cap over the shortest shift (else None).  Caps on
    calendar weeks and runs of weeks, tried too (40-70 per instance), cost more search than
    the bound gave: at 60 s on Instances 3, 5, 6 and 7 (3 seeds, loaded machine) every mean
    was worse than without them."""
    emp = roster.employees[e]
    shortest = min((s.minutes for s in roster.shifts), default=0)
    implied = sum(workable_days(roster, emp))
    if emp.limits.max_minutes is not None and shortest > 0:
        implied = min(implied, emp.limits.max_minutes // shortest)
    most = max_days(roster, emp, range(roster.days))
    return most if most < implied else None
