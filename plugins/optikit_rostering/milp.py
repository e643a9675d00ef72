"""Formulation ``milp``: the roster as a MILP for any linear backend (small instances; a
cross-check of the CP-SAT models).  Binary x[e, d, s] for the cells that can be worked; every
rule a linear row (short runs as "off, on..on, off" pattern cuts); weekend binaries; station
binaries y[e, d, s, k] for cover by skill (at most one per worked cell); under- and over-cover
as continuous slacks.
"""

from __future__ import annotations

from typing import Any

from optikit.paradigms import LinearModelBuilder
from optikit.types import Outcome, SolveContext
from optikit_rostering.model import Roster, average_cap, station_skills, to_payload

Terms = dict[int, float]


def _add(*parts: Terms) -> Terms:
    out: Terms = {}
    for part in parts:
        for k, v in part.items():
            out[k] = out.get(k, 0.0) + v
    return out


def _neg(t: Terms) -> Terms:
    return {k: -v for k, v in t.items()}


def solve(roster: Roster, backend: Any, ctx: SolveContext) -> Outcome:
    b = LinearModelBuilder("min")
    E, D, S = roster.num_employees, roster.days, roster.num_shifts
    # Requests cost w * x (off) or w * (1 - x) (on: a constant and -w per cell).
    cost: dict[tuple[int, int, int], float] = {}
    for r in roster.requests:
        for s in range(S):
            if r.shift < 0 or s == r.shift:
                key = (r.employee, r.day, s)
                cost[key] = cost.get(key, 0.0) + (-r.weight if r.on else r.weight)
        if r.on:
            b.offset += r.weight
    x: dict[tuple[int, int, int], int] = {}
    for e, emp in enumerate(roster.employees):
        for d in range(D):
            for s in range(S):
                if d not in emp.days_off and emp.limits.max_per_shift[s] != 0:
                    x[e, d, s] = b.add_column(cost.get((e, d, s), 0.0), 0.0, 1.0, True,
                                              f"x{e}_{d}_{s}")
    shift_of = {col: s for (_e, _d, s), col in x.items()}
    for e in range(E):
        _employee_rows(b, roster, e, x, shift_of)
    y: dict[tuple[int, int, int, str], int] = {}
    for (d, s), skills in station_skills(roster).items():
        for e, emp in enumerate(roster.employees):
            held = [k for k in skills if k in emp.skills]
            if (e, d, s) in x and held:
                ys = {k: b.add_column(0.0, 0.0, 1.0, True, f"y{e}_{d}_{s}_{k}") for k in held}
                y.update({(e, d, s, k): col for k, col in ys.items()})
                b.add_row(_add(dict.fromkeys(ys.values(), 1.0), {x[e, d, s]: -1.0}), upper=0.0)
    for c in roster.cover:
        if c.skill is None:
            cols = [col for e in range(E) if (col := x.get((e, c.day, c.shift))) is not None]
        else:
            cols = [col for e in range(E)
                    if (col := y.get((e, c.day, c.shift, c.skill))) is not None]
        under = b.add_column(c.under_weight, 0.0, float(c.requirement))
        over = b.add_column(c.over_weight, 0.0, float(E))
        b.add_row(_add({k: 1.0 for k in cols}, {under: 1.0, over: -1.0}),
                  float(c.requirement), float(c.requirement))
    for h in roster.hard_cover:
        cols = [x[key] for e, emp in enumerate(roster.employees)
                if h.skill in emp.skills and (key := (e, h.day, h.shift)) in x]
        b.add_row({k: 1.0 for k in cols}, float(h.minimum))
    result = backend.solve(b.build(), ctx)
    if not result.status.has_solution or result.x is None:
        return Outcome(status=result.status, message=result.message)
    grid: list[list[int | None]] = [[None] * D for _ in range(E)]
    for (e, d, s), col in x.items():
        if result.x[col] > 0.5:
            grid[e][d] = s
    stations = {(e, d): k for (e, d, _s, k), col in y.items() if result.x[col] > 0.5}
    return Outcome(status=result.status, payload=to_payload(roster, grid, stations),
                   objective=result.objective, bound=result.bound)


def _employee_rows(b: LinearModelBuilder, roster: Roster, e: int,
                   x: dict[tuple[int, int, int], int], shift_of: dict[int, int]) -> None:
    emp = roster.employees[e]
    lim = emp.limits
    D, S = roster.days, roster.num_shifts
    work = [{x[e, d, s]: 1.0 for s in range(S) if (e, d, s) in x} for d in range(D)]
    for d in range(D):
        if work[d]:
            b.add_row(work[d], upper=1.0)
    for d in range(D - 1):
        for s, u in emp.forbidden:
            if (e, d, s) in x and (e, d + 1, u) in x:
                b.add_row({x[e, d, s]: 1.0, x[e, d + 1, u]: 1.0}, upper=1.0)
    for s in range(S):
        cap = lim.max_per_shift[s]
        if cap is not None:
            b.add_row({x[e, d, s]: 1.0 for d in range(D) if (e, d, s) in x}, upper=float(cap))
    minutes = {col: float(roster.shifts[s].minutes) for (ee, _d, s), col in x.items() if ee == e}
    caps = [v for v in (lim.max_minutes, average_cap(roster, lim)) if v is not None]
    if caps or lim.min_minutes:
        b.add_row(minutes, float(lim.min_minutes or 0), float(min(caps)) if caps else float("inf"))
    if lim.max_consecutive is not None:
        k = lim.max_consecutive
        for d in range(D - k):
            b.add_row(_add(*work[d:d + k + 1]), upper=float(k))
    for length in range(1, lim.min_consecutive):
        for a in range(1, D - length):  # work[a-1] + (length - sum inside) + work[a+length] >= 1
            inside = _add(*work[a:a + length])
            b.add_row(_add(work[a - 1], work[a + length], _neg(inside)), lower=1.0 - length)
    for length in range(1, lim.min_days_off_run):
        for a in range(1, D - length):  # (1 - w[a-1]) + sum inside + (1 - w[a+length]) >= 1
            inside = _add(*work[a:a + length])
            b.add_row(_add(inside, _neg(work[a - 1]), _neg(work[a + length])), lower=-1.0)
    n = lim.max_consecutive_nights
    if n is not None:
        night = [{c: 1.0 for c in work[d] if roster.shifts[shift_of[c]].night}
                 for d in range(D)]
        for d in range(D - n):
            b.add_row(_add(*night[d:d + n + 1]), upper=float(n))
    if lim.max_weekends is not None:
        flags: Terms = {}
        for days in roster.weekends():
            f = b.add_column(0.0, 0.0, 1.0, True)
            flags[f] = 1.0
            for d in days:
                if work[d]:
                    b.add_row(_add(work[d], {f: -1.0}), upper=0.0)
        b.add_row(flags, upper=float(lim.max_weekends))
    for week in roster.weeks():
        if lim.max_week_minutes is not None:
            row = {c: float(roster.shifts[shift_of[c]].minutes) for d in week for c in work[d]}
            b.add_row(row, upper=float(lim.max_week_minutes))
        if len(week) == 7 and lim.min_days_off_per_week:
            b.add_row(_add(*(work[d] for d in week)), upper=float(7 - lim.min_days_off_per_week))
