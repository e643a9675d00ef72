"""The main CP-SAT model of a roster: one boolean per (employee, day, shift) that can be worked.

Rules as sliding windows (maximum runs of shifts and of nights, weekly hours) and as
forbidden-pattern cuts (minimum runs of shifts and of days off, each cut the pattern
"off, k days on, off" for a run too short away from the horizon edges); "works on day d" is
the sum of the day's cells (at most one); weekends through one literal per weekend;
a redundant cap on the days each person can work (:mod:`optikit_rostering.capacity`:
their run rules may leave fewer than their minutes allow, which the LP relaxation misses);
symmetry breaking over staff who are interchangeable (same limits, skills, leave and no
personal requests): their workloads are ordered.  Variables that can
never be 1 (leave, a zero shift cap) are not created at all.  Cover by skill counts station
booleans ``y[e, d, s, k]`` (at most one per worked cell, none off shift): a person holding two
demanded skills fills one station, not both; safety rules count presence (``x``) instead.
"""

from __future__ import annotations

import itertools
from typing import Any

from optikit_rostering.capacity import workday_caps
from optikit_rostering.model import Roster, Stations, average_cap, station_skills


class RosterModel:
    """The CpModel plus the handles the solve loop and the payload writer need."""

    def __init__(self, roster: Roster, *, symmetry: bool = True, caps: bool = True) -> None:
        from ortools.sat.python import cp_model

        self.roster = roster
        m = self.model = cp_model.CpModel()
        D, S = roster.days, roster.num_shifts
        self.x: list[list[list[Any | None]]] = []
        self.work: list[list[Any]] = []
        workdays = workday_caps(roster) if caps else []
        for e, emp in enumerate(roster.employees):
            rows: list[list[Any | None]] = []
            work_row: list[Any] = []
            for d in range(D):
                cells: list[Any | None] = []
                for s in range(S):
                    cap = emp.limits.max_per_shift[s]
                    if d in emp.days_off or cap == 0:
                        cells.append(None)
                    else:
                        cells.append(m.new_bool_var(f"x{e}_{d}_{s}"))
                rows.append(cells)
                lits = [c for c in cells if c is not None]
                if len(lits) > 1:
                    m.add_at_most_one(lits)
                # Whether e works on d, as a linear expression over the day's cells (a
                # separate boolean per day measurably slowed the search on 3-shift instances).
                work_row.append(sum(lits) if lits else 0)
            self.x.append(rows)
            self.work.append(work_row)
            self._employee_rules(e)
            if caps and (most := workdays[e]) is not None:
                m.add(sum(self.work[e]) <= most)
        self._stations()
        if symmetry:
            self._break_symmetry()
        self.objective_terms: list[tuple[int, Any]] = []
        self.constant = 0
        self._objective()

    # -- rules of one employee -------------------------------------------------------------
    def _employee_rules(self, e: int) -> None:
        m, roster = self.model, self.roster
        emp = roster.employees[e]
        lim = emp.limits
        D, S = roster.days, roster.num_shifts
        x, work = self.x[e], self.work[e]
        for d in range(D - 1):
            for s, u in emp.forbidden:
                a, b = x[d][s], x[d + 1][u]
                if a is not None and b is not None:
                    m.add_bool_or([a.Not(), b.Not()])
        live = [(d, s, v) for d in range(D) for s in range(S) if (v := x[d][s]) is not None]
        for s in range(S):
            cap = lim.max_per_shift[s]
            cells = [v for _d, u, v in live if u == s]
            if cap is not None and cap < len(cells):
                m.add(sum(cells) <= cap)
        minutes = sum(roster.shifts[s].minutes * v for _d, s, v in live)
        upper = [v for v in (lim.max_minutes, average_cap(roster, lim)) if v is not None]
        if upper:
            m.add(minutes <= min(upper))
        if lim.min_minutes:
            m.add(minutes >= lim.min_minutes)
        k = lim.max_consecutive
        if k is not None and k < D:
            for d in range(D - k):
                m.add(sum(work[d:d + k + 1]) <= k)
        self._min_runs(work, lim.min_consecutive, on=True)
        self._min_runs(work, lim.min_days_off_run, on=False)
        n = lim.max_consecutive_nights
        nights = [s for s in range(S) if roster.shifts[s].night]
        if n is not None and nights:
            night: list[Any] = [0] * D
            for d, s, v in live:
                if s in nights:
                    night[d] = night[d] + v
            for d in range(D - n):
                m.add(sum(night[d:d + n + 1]) <= n)
        if lim.max_weekends is not None:
            flags = []
            for days in roster.weekends():
                f = m.new_bool_var(f"we{e}_{days[0]}")
                for d in days:
                    m.add(f >= work[d])
                flags.append(f)
            if len(flags) > lim.max_weekends:
                m.add(sum(flags) <= lim.max_weekends)
        for week in roster.weeks():
            if lim.max_week_minutes is not None:
                in_week = set(week)
                m.add(sum(roster.shifts[s].minutes * v for d, s, v in live if d in in_week)
                      <= lim.max_week_minutes)
            if len(week) == 7 and lim.min_days_off_per_week:
                m.add(sum(work[d] for d in week) <= 7 - lim.min_days_off_per_week)

    def _stations(self) -> None:
        """One boolean per (employee, day, shift, demanded skill held); at most one is on, and
        only when the cell is worked."""
        m, roster = self.model, self.roster
        self.y: dict[tuple[int, int, int, str], Any] = {}
        for (d, s), skills in station_skills(roster).items():
            for e, emp in enumerate(roster.employees):
                cell = self.x[e][d][s]
                held = [k for k in skills if k in emp.skills]
                if cell is None or not held:
                    continue
                ys = [m.new_bool_var(f"y{e}_{d}_{s}_{k}") for k in held]
                self.y.update({(e, d, s, k): v for k, v in zip(held, ys, strict=True)})
                m.add(sum(ys) <= cell)

    def _min_runs(self, work: list[Any], minimum: int, *, on: bool) -> None:
        """Forbid every interior run shorter than ``minimum`` of working (or off) days."""
        m, D = self.model, self.roster.days
        for length in range(1, minimum):
            for first in range(1, D - length):
                last = first + length - 1
                if last >= D - 1:
                    break
                inside = sum(work[d] for d in range(first, last + 1))
                before, after = work[first - 1], work[last + 1]
                if on:  # pattern off, on * length, off
                    m.add(before + (length - inside) + after >= 1)
                else:  # pattern on, off * length, on
                    m.add((1 - before) + inside + (1 - after) >= 1)

    def _break_symmetry(self) -> None:
        """Interchangeable staff: order their number of shifts (a permutation keeps a roster
        feasible and its penalty unchanged, so one ordering of each group suffices)."""
        roster = self.roster
        personal = {r.employee for r in roster.requests}
        groups: dict[Any, list[int]] = {}
        for e, emp in enumerate(roster.employees):
            if e in personal:
                continue
            key = (emp.limits, emp.skills, emp.days_off, emp.forbidden)
            groups.setdefault(key, []).append(e)
        self.symmetric_groups = [g for g in groups.values() if len(g) > 1]
        for group in self.symmetric_groups:
            for a, b in itertools.pairwise(group):
                self.model.add(sum(self.work[a]) >= sum(self.work[b]))
                # Equal workloads: order by the first week's pattern read as a number.
                self.model.add(
                    sum((1 << (6 - i)) * self.work[a][i] for i in range(min(7, roster.days)))
                    >= sum((1 << (6 - i)) * self.work[b][i] for i in range(min(7, roster.days)))
                ).only_enforce_if(self._equal_load(a, b))

    def _equal_load(self, a: int, b: int) -> Any:
        lit = self.model.new_bool_var(f"eq{a}_{b}")
        self.model.add(sum(self.work[a]) == sum(self.work[b])).only_enforce_if(lit)
        self.model.add(sum(self.work[a]) != sum(self.work[b])).only_enforce_if(lit.Not())
        return lit

    # -- penalty ---------------------------------------------------------------------------
    def _objective(self) -> None:
        m, roster = self.model, self.roster
        terms = self.objective_terms
        for r in roster.requests:
            cells = self.x[r.employee][r.day]
            lits = [c for c in cells if c is not None] if r.shift < 0 else \
                [c for c in (cells[r.shift],) if c is not None]
            if r.on:  # penalty w * (1 - x)
                self.constant += r.weight
                terms.extend((-r.weight, c) for c in lits)
            else:
                terms.extend((r.weight, c) for c in lits)
        self.cover_counts: list[Any] = []
        for i, c in enumerate(roster.cover):
            if c.skill is None:  # headcount: everyone on the shift
                lits = [v for e in range(roster.num_employees)
                        if (v := self.x[e][c.day][c.shift]) is not None]
            else:  # a station: those placed at it
                lits = [v for e in range(roster.num_employees)
                        if (v := self.y.get((e, c.day, c.shift, c.skill))) is not None]
            count = sum(lits)
            if c.under_weight:
                under = m.new_int_var(0, c.requirement, f"under{i}")
                m.add(under >= c.requirement - count)
                terms.append((c.under_weight, under))
            if c.over_weight and len(lits) > c.requirement:
                over = m.new_int_var(0, len(lits) - c.requirement, f"over{i}")
                m.add(over >= count - c.requirement)
                terms.append((c.over_weight, over))
        for h in roster.hard_cover:
            lits = [self.x[e][h.day][h.shift] for e, emp in enumerate(roster.employees)
                    if h.skill in emp.skills]
            m.add(sum(v for v in lits if v is not None) >= h.minimum)
        m.minimize(sum(w * v for w, v in terms) + self.constant)

    # -- reading a solution ----------------------------------------------------------------
    def all_cells(self) -> list[tuple[int, int, int, Any]]:
        return [(e, d, s, v) for e, rows in enumerate(self.x) for d, cells in enumerate(rows)
                for s, v in enumerate(cells) if v is not None]

    def grid(self, value: Any) -> list[list[int | None]]:
        grid: list[list[int | None]] = [[None] * self.roster.days for _ in self.x]
        for e, d, s, v in self.all_cells():
            if value(v):
                grid[e][d] = s
        return grid

    def hint(self, grid: list[list[int | None]], stations: Stations) -> dict[Any, int]:
        """A complete hint of the cells and stations of a roster (the solve loop's
        incumbent, handed back to the whole model)."""
        hint = {v: int(grid[e][d] == s) for e, d, s, v in self.all_cells()}
        hint.update({v: int(grid[e][d] == s and stations.get((e, d)) == k)
                     for (e, d, s, k), v in self.y.items()})
        return hint

    def stations(self, value: Any) -> Stations:
        """Where each placed person stands: (employee, day) -> skill."""
        return {(e, d): k for (e, d, _s, k), v in self.y.items() if value(v)}
