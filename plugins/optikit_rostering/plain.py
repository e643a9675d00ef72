"""Formulation ``cpsat-plain``: the baseline a competent user writes first.

Booleans ``x[e, d, s]`` for every employee, day and shift; each rule stated directly as a
linear constraint (leave as ``x == 0``, rest as ``x[d, s] + x[d+1, u] <= 1``, runs as sums over
windows, short runs as "off, on..on, off" patterns written as sums), under- and over-cover
as integer slacks; cover by skill through station booleans ``y[e, d, s, k]`` for every skill
held (at most one per worked cell); one CP-SAT call with default parameters, no symmetry
breaking, no neighbourhood search.  The benchmark shows it beside ``cpsat``.
"""

from __future__ import annotations

from typing import Any

from optikit.types import Outcome, SolveContext
from optikit_rostering.model import Roster, average_cap, to_payload


def solve(roster: Roster, backend: Any, ctx: SolveContext) -> Outcome:
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    E, D, S = roster.num_employees, roster.days, roster.num_shifts
    x = [[[m.new_bool_var(f"x{e}_{d}_{s}") for s in range(S)] for d in range(D)]
         for e in range(E)]
    mins = [sh.minutes for sh in roster.shifts]
    for e, emp in enumerate(roster.employees):
        lim = emp.limits
        work = [sum(x[e][d]) for d in range(D)]
        for d in range(D):
            m.add(work[d] <= 1)
            if d in emp.days_off:
                m.add(work[d] == 0)
            if d + 1 < D:
                for s, u in emp.forbidden:
                    m.add(x[e][d][s] + x[e][d + 1][u] <= 1)
        for s in range(S):
            cap = lim.max_per_shift[s]
            if cap is not None:
                m.add(sum(x[e][d][s] for d in range(D)) <= cap)
        total = sum(mins[s] * x[e][d][s] for d in range(D) for s in range(S))
        if lim.max_minutes is not None:
            m.add(total <= lim.max_minutes)
        if lim.min_minutes is not None:
            m.add(total >= lim.min_minutes)
        if (cap := average_cap(roster, lim)) is not None:
            m.add(total <= cap)
        if lim.max_consecutive is not None:
            for d in range(D - lim.max_consecutive):
                m.add(sum(work[d:d + lim.max_consecutive + 1]) <= lim.max_consecutive)
        for length in range(1, lim.min_consecutive):
            for a in range(1, D - length):  # off, on * length, off is forbidden
                m.add(work[a - 1] + (length - sum(work[a:a + length])) + work[a + length] >= 1)
        for length in range(1, lim.min_days_off_run):
            for a in range(1, D - length):  # on, off * length, on is forbidden
                m.add((1 - work[a - 1]) + sum(work[a:a + length]) + (1 - work[a + length]) >= 1)
        if lim.max_consecutive_nights is not None:
            n = lim.max_consecutive_nights
            night = [sum(x[e][d][s] for s in range(S) if roster.shifts[s].night)
                     for d in range(D)]
            for d in range(D - n):
                m.add(sum(night[d:d + n + 1]) <= n)
        if lim.max_weekends is not None:
            flags = []
            for days in roster.weekends():
                f = m.new_bool_var("")
                for d in days:
                    m.add(f >= work[d])
                flags.append(f)
            m.add(sum(flags) <= lim.max_weekends)
        for week in roster.weeks():
            if lim.max_week_minutes is not None:
                m.add(sum(mins[s] * x[e][d][s] for d in week for s in range(S))
                      <= lim.max_week_minutes)
            if len(week) == 7 and lim.min_days_off_per_week:
                m.add(sum(work[d] for d in week) <= 7 - lim.min_days_off_per_week)
    penalty: list[Any] = []
    for r in roster.requests:
        on_shift = sum(x[r.employee][r.day]) if r.shift < 0 else x[r.employee][r.day][r.shift]
        penalty.append(r.weight * (1 - on_shift) if r.on else r.weight * on_shift)
    # Stations: y[e, d, s, k] for every skill held, at most one on a worked cell.
    y: dict[tuple[int, int, int, str], Any] = {}
    if any(c.skill is not None for c in roster.cover):
        for e, emp in enumerate(roster.employees):
            for d in range(D):
                for s in range(S):
                    ys = {k: m.new_bool_var(f"y{e}_{d}_{s}_{k}") for k in sorted(emp.skills)}
                    if ys:
                        m.add(sum(ys.values()) <= x[e][d][s])
                    y.update({(e, d, s, k): v for k, v in ys.items()})
    for c in roster.cover:
        if c.skill is None:
            count = sum(x[e][c.day][c.shift] for e in range(E))
        else:
            count = sum(y[e, c.day, c.shift, c.skill] for e, emp in enumerate(roster.employees)
                        if c.skill in emp.skills)
        under = m.new_int_var(0, E, "")
        over = m.new_int_var(0, E, "")
        m.add(count - c.requirement == over - under)
        penalty.append(c.under_weight * under + c.over_weight * over)
    for h in roster.hard_cover:
        m.add(sum(x[e][h.day][h.shift] for e, emp in enumerate(roster.employees)
                  if h.skill in emp.skills) >= h.minimum)
    m.minimize(sum(penalty))
    result = backend.solve(m, ctx)
    if not result.status.has_solution:
        return Outcome(status=result.status, message=result.message)
    grid: list[list[int | None]] = [[None] * D for _ in range(E)]
    for e in range(E):
        for d in range(D):
            for s in range(S):
                if result.boolean_value(x[e][d][s]):
                    grid[e][d] = s
    stations = {(e, d): k for (e, d, _s, k), v in y.items() if result.boolean_value(v)}
    return Outcome(status=result.status, payload=to_payload(roster, grid, stations),
                   objective=result.objective, bound=result.bound)
