"""Solution-guided large-neighbourhood search over a roster's incumbent.

Why: with two threads CP-SAT's whole-model search stalls on the 28-day Curtois & Qu
instances well above the best-known penalties, while re-solving a part of the roster with
the rest fixed to the incumbent keeps finding moves (a whole row or a block of days
re-planned at once, which single-cell search does not reach).  Each step frees one of

- ``employees``: whole rows of a few employees, drawn with a weight on their unmet requests;
- ``days``: every employee over a window of days centred on a day drawn with a weight on
  its penalty (cover gaps and surpluses, unmet requests);
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
from dataclasses import replace
from typing import Any

from optikit.types import SolveContext, Status
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.model import Roster, Stations

Grid = list[list[int | None]]
KINDS = ("employees", "days", "block")
#: Neighbourhoods free about this many cells at first (at most a third of the roster).
LNS_CELLS = 600
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
        count = sum(1 for e in range(roster.num_employees) if grid[e][c.day] == c.shift
                    and (c.skill is None or stations.get((e, c.day)) == c.skill))
        by_day[c.day] += c.under_weight * max(0, c.requirement - count) \
            + c.over_weight * max(0, count - c.requirement)
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
            rows = _weighted_sample(rng, [1 + w for w in by_emp], k)
            return kind, {(e, d) for e in rows for d in range(n_days)}
        if kind == "days":
            width = min(n_days, max(2, round(n_days * share)))
            centre = rng.choices(range(n_days), weights=[1 + w for w in by_day])[0]
            first = min(max(0, centre - width // 2), n_days - width)
            return kind, {(e, d) for e in range(n_emp) for d in range(first, first + width)}
        # block: about sqrt(share) of the staff over sqrt(share) of the days
        k = min(n_emp, max(2, round(n_emp * share ** 0.5)))
        width = min(n_days, max(3, round(n_days * share ** 0.5)))
        rows = set(rng.sample(range(n_emp), k))
        first = rng.randrange(0, n_days - width + 1)
        return kind, {(e, d) for e in rows for d in range(first, first + width)}

    def feedback(self, kind: str, proved: bool) -> None:
        grow = 1.15 if proved else 0.9
        self.size[kind] = min(0.9, max(0.01, self.size[kind] * grow))


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
    sub_options = replace(ctx.options, verbose=False)
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
        sub_ctx = SolveContext(replace(sub_options, time_limit=limit), stop=ctx.stop)
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
