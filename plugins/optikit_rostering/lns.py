"""Solution-guided large-neighbourhood search over a roster's incumbent.

Why: with two threads CP-SAT's whole-model search stalls on the 28-day Curtois & Qu
instances well above the best-known penalties, while re-solving a part of the roster with
the rest fixed to the incumbent keeps finding moves (a whole row or a block of days
re-planned at once, which single-cell search does not reach).  Each step frees one of

- ``employees``: whole rows of a few employees: the first drawn with a weight on its unmet
  requests and on its spare capacity (minutes left under its cap: on the Curtois & Qu
  instances the caps add up to the demand, so a shift nobody takes sits with someone who
  works less than they may), the others among those sharing a shift type with it;
- ``days``: every employee over a window of days centred on a day drawn with a weight on
  its penalty (cover gaps and surpluses, unmet requests);
- ``cover``: a cover line drawn with a weight on its gap or surplus, and everyone who may
  work its shift (and holds its skill) over a window of days around it, plus the whole row
  of one such person with spare capacity (who can take the shift and re-plan their runs);
- ``weekends``: several employees (drawn like the first row of ``employees``) over every
  weekend and the Friday and Monday around it: on Instances 5 and 7 most of the cover gaps
  of a stalled roster fell on weekends, where each person may work only so many;
- ``block``: a rectangle of employees by days (moves between staff over a few weeks),

fixes every other cell to the incumbent (stations stay free: anyone on a shift may move
between the stations they are skilled for), hints the incumbent and re-solves for at most
``step_time``.  Equal-penalty answers are kept (they move the search along plateaus).
Each kind has its own neighbourhood size, grown after a sub-solve that finished (proved)
and shrunk after one that timed out.
"""

from __future__ import annotations

import random
import time
from typing import Any

from optikit.types import SolveContext, Status
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.model import Cover, Roster, Stations, average_cap

Grid = list[list[int | None]]
KINDS = ("employees", "days", "cover", "weekends", "block")
#: Neighbourhoods free about this many cells at first (at most a third of the roster): on
#: Instances 5 and 7 (1,000-1,700 cells) sub-solves of 600 cells (7 of 20 whole rows) mostly
#: ran out of time and proved nothing; three rows or four days often finish in 0.5 s.
LNS_CELLS = 250
#: Sub-solves shorter than this are not started (the deadline is too close).
MIN_STEP_S = 0.05


def penalties(roster: Roster, grid: Grid,
              stations: Stations | None = None) -> tuple[list[int], list[int]]:
    """The penalty of ``grid`` charged to each employee (requests) and to each day (cover
    and requests): where a neighbourhood has something to gain.  Cover by skill counts the
    people placed at that station (``stations``)."""
    stations = stations or {}
    by_emp = [0] * roster.num_employees
    by_day = [0] * roster.days
    for r in roster.requests:
        got = grid[r.employee][r.day]
        hit = got is not None and (r.shift < 0 or got == r.shift)
        if hit != r.on:
            by_emp[r.employee] += r.weight
            by_day[r.day] += r.weight
    for c in roster.cover:
        by_day[c.day] += cover_penalty(roster, grid, stations, c)
    return by_emp, by_day


class Neighbourhoods:
    """Draws the cells a step frees, and adapts each kind's size to how its steps went."""

    def __init__(self, roster: Roster, rng: random.Random) -> None:
        self.roster, self.rng = roster, rng
        cells = roster.num_employees * roster.days * max(1, roster.num_shifts)
        self.size = dict.fromkeys(KINDS, min(LNS_CELLS, cells / 3) / max(1, cells))
        self.step = 0

    def draw(self, grid: Grid,
             stations: Stations | None = None) -> tuple[str, set[tuple[int, int]]]:
        roster, rng = self.roster, self.rng
        n_emp, n_days = roster.num_employees, roster.days
        kind = KINDS[self.step % len(KINDS)]
        self.step += 1
        share = self.size[kind]
        by_emp, by_day = penalties(roster, grid, stations)
        if kind == "employees":
            k = min(n_emp, max(2, round(n_emp * share)))
            return kind, self._rows(_weighted_sample(rng, self._row_weights(grid, by_emp), 1),
                                    k, by_emp)
        if kind == "days":
            width = min(n_days, max(2, round(n_days * share)))
            centre = rng.choices(range(n_days), weights=[1 + w for w in by_day])[0]
            return kind, {(e, d) for e in range(n_emp) for d in _window(centre, width, n_days)}
        if kind == "cover":
            return kind, self._cover(grid, stations or {}, share)
        if kind == "weekends":
            k = min(n_emp, max(2, round(n_emp * min(1.0, 3 * share))))
            rows = _weighted_sample(rng, self._row_weights(grid, by_emp), k)
            days = {d for weekend in roster.weekends() for d in weekend}
            days |= {d + step for d in days for step in (-1, 1) if 0 <= d + step < n_days}
            return kind, {(e, d) for e in rows for d in days}
        # block: about sqrt(share) of the staff over sqrt(share) of the days
        k = min(n_emp, max(2, round(n_emp * share ** 0.5)))
        width = min(n_days, max(3, round(n_days * share ** 0.5)))
        rows = set(rng.sample(range(n_emp), k))
        first = rng.randrange(0, n_days - width + 1)
        return kind, {(e, d) for e in rows for d in range(first, first + width)}

    def _row_weights(self, grid: Grid, by_emp: list[int]) -> list[int]:
        """Weight of each row: its unmet requests, plus heavily its spare capacity."""
        heaviest = max((c.under_weight for c in self.roster.cover), default=1)
        return [1 + w + heaviest * spare
                for w, spare in zip(by_emp, spare_shifts(self.roster, grid), strict=True)]

    def _rows(self, chosen: set[int], k: int, by_emp: list[int]) -> set[tuple[int, int]]:
        """Whole rows of ``chosen`` plus staff sharing a shift type with them, up to ``k``."""
        roster = self.roster
        kinds = {s for e in chosen for s in _shift_types(roster, e)}
        others = [e for e in range(roster.num_employees)
                  if e not in chosen and kinds & _shift_types(roster, e)]
        pool = others or [e for e in range(roster.num_employees) if e not in chosen]
        picked = _weighted_sample(self.rng, [1 + by_emp[e] for e in pool], k - len(chosen))
        rows = chosen | {pool[i] for i in picked}
        return {(e, d) for e in rows for d in range(roster.days)}

    def _cover(self, grid: Grid, stations: Stations, share: float) -> set[tuple[int, int]]:
        """Everyone able to fill a penalised cover line's shift, over days around it, and
        the row of one of them with spare capacity."""
        roster, rng = self.roster, self.rng
        lines = list(roster.cover)
        if not lines:
            return {(e, d) for e in range(roster.num_employees) for d in range(roster.days)}
        weights = [cover_penalty(roster, grid, stations, c) for c in lines]
        line = rng.choices(lines, weights=weights)[0] if sum(weights) else rng.choice(lines)
        able = [e for e, emp in enumerate(roster.employees)
                if line.shift in _shift_types(roster, e)
                and (line.skill is None or line.skill in emp.skills)]
        width = min(roster.days, max(2, round(roster.days * share)))
        free = {(e, d) for e in able for d in _window(line.day, width, roster.days)}
        spare = spare_shifts(roster, grid)
        with_room = [e for e in able if spare[e] > 0]
        if with_room:
            e = rng.choices(with_room, weights=[spare[e] for e in with_room])[0]
            free |= {(e, d) for d in range(roster.days)}
        return free

    def feedback(self, kind: str, proved: bool) -> None:
        grow = 1.15 if proved else 0.9
        self.size[kind] = min(0.9, max(0.01, self.size[kind] * grow))


def _window(centre: int, width: int, days: int) -> range:
    """``width`` consecutive days around ``centre``, inside the horizon."""
    first = min(max(0, centre - width // 2), days - width)
    return range(first, first + width)


def _shift_types(roster: Roster, e: int) -> set[int]:
    """The shift types employee ``e`` may work at all."""
    return {s for s, cap in enumerate(roster.employees[e].limits.max_per_shift)
            if cap is None or cap > 0}


def cover_penalty(roster: Roster, grid: Grid, stations: Stations, c: Cover) -> int:
    """The penalty of one cover line in ``grid``."""
    return c.penalty(_placed(roster, grid, stations, c))


def shortfall(roster: Roster, grid: Grid, stations: Stations, c: Cover) -> int:
    """How many people one cover line lacks in ``grid``."""
    return max(0, c.requirement - _placed(roster, grid, stations, c))


def _placed(roster: Roster, grid: Grid, stations: Stations, c: Cover) -> int:
    """How many people ``grid`` places on one cover line (at its station, by skill)."""
    return sum(1 for e in range(roster.num_employees) if grid[e][c.day] == c.shift
               and (c.skill is None or stations.get((e, c.day)) == c.skill))


def spare_shifts(roster: Roster, grid: Grid) -> list[int]:
    """Per employee, how many more of the shortest shift their minute caps leave room for."""
    shortest = min((s.minutes for s in roster.shifts), default=0)
    out = []
    for e, emp in enumerate(roster.employees):
        caps = [v for v in (emp.limits.max_minutes, average_cap(roster, emp.limits))
                if v is not None]
        worked = sum(roster.shifts[s].minutes for s in grid[e] if s is not None)
        out.append((min(caps) - worked) // shortest if caps and shortest > 0 else 0)
    return out


def _weighted_sample(rng: random.Random, weights: list[int], k: int) -> set[int]:
    chosen: set[int] = set()
    pool = list(range(len(weights)))
    while len(chosen) < k and pool:
        i = rng.choices(range(len(pool)), weights=[weights[j] for j in pool])[0]
        chosen.add(pool.pop(i))
    return chosen


def improve(rm: RosterModel, backend: Any, ctx: SolveContext, grid: Grid, stations: Stations,
            best: int, bound: float | None, step_time: float,
            stats: dict[str, Any], patience: float | None = None,
            hoods: Neighbourhoods | None = None) -> tuple[int, Grid, Stations]:
    """Improve (``best``, ``grid``, ``stations``) until the deadline, the stop flag, a
    matched bound or, with ``patience``, that many seconds without a better roster (the
    caller then goes back to the whole model, which makes moves these neighbourhoods miss).
    Pass the same ``hoods`` to a later call to keep its sizes and random stream."""
    hoods = hoods or Neighbourhoods(rm.roster, random.Random(ctx.options.seed))
    cells = rm.all_cells()
    sub = rm.model.clone()
    domains = [sub.proto.variables[var.index].domain for _e, _d, _s, var in cells]
    found = dict.fromkeys(KINDS, 0)
    last = time.monotonic()
    while not ctx.expired() and (bound is None or best > bound + 1e-9):
        if patience is not None and time.monotonic() - last > patience:
            break
        remaining = ctx.remaining()
        limit = step_time if remaining is None else min(step_time, remaining)
        if limit < MIN_STEP_S:
            break
        kind, free = hoods.draw(grid, stations)
        values = [1 if grid[e][d] == s else 0 for e, d, s, _v in cells]
        for (e, d, _s, _v), value, domain in zip(cells, values, domains, strict=True):
            if (e, d) in free:
                domain[0], domain[1] = 0, 1
            else:
                domain[0] = domain[1] = value
        sub.proto.clear_solution_hint()
        hint = sub.proto.solution_hint
        hint.vars.extend(var.index for _e, _d, _s, var in cells)
        hint.values.extend(values)
        hint.vars.extend(var.index for var in rm.y.values())
        hint.values.extend(int(grid[e][d] == s and stations.get((e, d)) == k)
                           for e, d, s, k in rm.y)
        sub_ctx = ctx.narrowed(limit, verbose=False)
        result = backend.solve(sub, sub_ctx, time_limit=limit, report_progress=False)
        stats["lns_steps"] += 1
        hoods.feedback(kind, result.status is Status.OPTIMAL)
        if not result.status.has_solution:
            continue
        value = round(result.objective)
        if value <= best:
            if value < best:
                last = time.monotonic()
                stats["lns_improvements"] += 1
                found[kind] += 1
                ctx.report(float(value), None, f"lns-{kind}")
            best = value
            grid = rm.grid(result.boolean_value)
            stations = rm.stations(result.boolean_value)
    by_kind = stats.setdefault("lns_improvements_by_kind", dict.fromkeys(KINDS, 0))
    for kind, count in found.items():
        by_kind[kind] += count
    stats["lns_sizes"] = {k: round(v, 3) for k, v in hoods.size.items()}
    return best, grid, stations
