"""Column generation's master: one row (a whole-horizon schedule) per employee.

Rows: every cover line (the columns' counts plus an under slack minus an over slack equal
the requirement; the slacks cost the line's weights), every safety rule (skilled staff on
the shift at least the minimum; an artificial slack at ``ARTIFICIAL`` per unit keeps a small
pool feasible) and one convexity row per employee (exactly one of their columns).  A
column's cost is its request penalty.  The LP gives the duals for pricing and, once no
column prices out, a lower bound on every roster; the same rows with binary columns are
the restricted master MILP (price-and-branch).  Solved through the project's linear
backends (HiGHS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optikit.linear_model import LinearModel
from optikit.paradigms import LinearModelBuilder
from optikit_rostering.colgen_pricing import Column, Duals
from optikit_rostering.model import Roster

#: Cost of one unit of an unmet safety minimum in the master (a rule, not a penalty).
ARTIFICIAL = 1e6


@dataclass
class Master:
    """A master model over a column pool, and where its rows sit."""

    roster: Roster
    model: LinearModel
    columns: list[Column]

    @property
    def cover_rows(self) -> int:
        return len(self.roster.cover)

    @property
    def safety_rows(self) -> int:
        return len(self.roster.hard_cover)

    @property
    def first_column(self) -> int:
        """The pool's columns come after the slacks (two per cover line, one per safety
        rule)."""
        return 2 * self.cover_rows + self.safety_rows

    def duals(self, row_duals: Any) -> Duals:
        """The LP's row duals keyed the way pricing reads them, each clipped to the range
        where its slacks' reduced costs are non-negative (a no-op up to LP tolerances), so
        that the Lagrangian bound built on them needs no slack term."""
        roster = self.roster
        cell: dict[tuple[int, int], float] = {}
        station: dict[tuple[int, int, str], float] = {}
        safety: dict[tuple[int, int, str], float] = {}
        demand = 0.0
        for i, c in enumerate(roster.cover):
            value = min(float(c.under_weight), max(-float(c.over_weight), float(row_duals[i])))
            demand += value * c.requirement
            if c.skill is None:
                cell[c.day, c.shift] = cell.get((c.day, c.shift), 0.0) + value
            else:
                key = (c.day, c.shift, c.skill)
                station[key] = station.get(key, 0.0) + value
        for j, h in enumerate(roster.hard_cover):
            value = min(ARTIFICIAL, max(0.0, float(row_duals[self.cover_rows + j])))
            demand += value * h.minimum
            key = (h.day, h.shift, h.skill)
            safety[key] = safety.get(key, 0.0) + value
        first = self.cover_rows + self.safety_rows
        convexity = [float(row_duals[first + e]) for e in range(roster.num_employees)]
        return Duals(cell, station, safety, convexity, demand)

    def chosen(self, x: Any) -> dict[int, Column]:
        """Per employee, the column a MILP answer picks."""
        out: dict[int, Column] = {}
        for j, col in enumerate(self.columns):
            if x[self.first_column + j] > 0.5:
                out[col.employee] = col
        return out


#: Per (day, shift): the cover lines there (row, skill or None) and the safety rules there
#: (row among the safety rows, skill).
Index = tuple[dict[tuple[int, int], list[tuple[int, str | None]]],
              dict[tuple[int, int], list[tuple[int, str]]]]


def row_index(roster: Roster) -> Index:
    """The rows a worked (day, shift) cell can count in, for :func:`entries`."""
    cover: dict[tuple[int, int], list[tuple[int, str | None]]] = {}
    for i, c in enumerate(roster.cover):
        cover.setdefault((c.day, c.shift), []).append((i, c.skill))
    safety: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for j, h in enumerate(roster.hard_cover):
        safety.setdefault((h.day, h.shift), []).append((j, h.skill))
    return cover, safety


def entries(roster: Roster, col: Column, index: Index | None = None) -> list[tuple[int, float]]:
    """(row, coefficient) of a column in the cover and safety rows, in row order
    (``index``: :func:`row_index` of the roster, computed here if not given; a column's
    cells look their rows up there: scanning every line per column took most of a master
    build's time on Instance12, 280 lines x 3,800 columns a round)."""
    cover, safety = index or row_index(roster)
    skills = roster.employees[col.employee].skills
    base = len(roster.cover)
    out: list[tuple[int, float]] = []
    for d, s in enumerate(col.row):
        if s is None:
            continue
        for i, skill in cover.get((d, s), ()):
            if skill is None or col.stations[d] == skill:
                out.append((i, 1.0))
        for j, skill in safety.get((d, s), ()):
            if skill in skills:
                out.append((base + j, 1.0))
    out.sort()
    return out


def build(roster: Roster, columns: list[Column], *, integer: bool,
          cache: dict[Column, list[tuple[int, float]]] | None = None) -> Master:
    """The master over ``columns`` (an LP, or with ``integer`` the restricted MILP);
    ``cache``: column -> :func:`entries`, kept by a caller that builds many masters."""
    b = LinearModelBuilder("min")
    slack_rows: list[dict[int, float]] = []
    for c in roster.cover:
        under = b.add_column(float(c.under_weight), 0.0, float("inf"))
        over = b.add_column(float(c.over_weight), 0.0, float("inf"))
        slack_rows.append({under: 1.0, over: -1.0})
    for _h in roster.hard_cover:
        slack_rows.append({b.add_column(ARTIFICIAL, 0.0, float("inf")): 1.0})
    rows = [dict(r) for r in slack_rows]
    convexity: list[dict[int, float]] = [{} for _ in roster.employees]
    index = row_index(roster)
    cache = {} if cache is None else cache
    for col in columns:
        k = b.add_column(float(col.cost), 0.0, 1.0, integer)
        if col not in cache:
            cache[col] = entries(roster, col, index)
        for r, coef in cache[col]:
            rows[r][k] = coef
        convexity[col.employee][k] = 1.0
    for i, c in enumerate(roster.cover):
        b.add_row(rows[i], float(c.requirement), float(c.requirement))
    for j, h in enumerate(roster.hard_cover):
        b.add_row(rows[len(roster.cover) + j], lower=float(h.minimum))
    for row in convexity:
        b.add_row(row, 1.0, 1.0)
    return Master(roster, b.build(), list(columns))


def penalty(roster: Roster, chosen: list[Column]) -> int | None:
    """The penalty of the roster made of ``chosen`` (one column per employee): requests
    plus weighted under- and over-cover; None if it breaks a safety rule."""
    counts = [0] * (len(roster.cover) + len(roster.hard_cover))
    index = row_index(roster)
    for col in chosen:
        for r, _coef in entries(roster, col, index):
            counts[r] += 1
    base = len(roster.cover)
    if any(counts[base + j] < h.minimum for j, h in enumerate(roster.hard_cover)):
        return None
    return sum(col.cost for col in chosen) + sum(
        c.penalty(counts[i]) for i, c in enumerate(roster.cover))
