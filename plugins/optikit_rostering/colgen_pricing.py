"""Column generation's pricing: the cheapest row of one employee under the master's duals.

A column is a whole-horizon schedule of one person (shift and station per day) that obeys
every hard rule of that person.  The rules are not restated here: the pricing model is the
main CP-SAT model (:mod:`optikit_rostering.cpsat_model`) built on a one-employee roster (the
person, their requests, the station lines with zero weights so that station booleans exist;
no cover penalty, no safety rule), so a rule added there reaches the pricing as well.  Its
objective is that person's request penalty minus the duals of the cover and safety rows
their cells count in; duals are scaled to integers (``SCALE``) for CP-SAT, and the error of
that rounding is returned so that a bound built on it stays valid.

By default that model is the fallback: the labelling pricer
(:mod:`optikit_rostering.colgen_labels`) restates the per-employee rules as a shortest path
over the days and answers a call exactly in about a millisecond; the CP-SAT model is built
only for a person with a rule it does not model or a call whose labels overflow
(``colgen_pricer=cpsat``: CP-SAT for everyone).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Any

from optikit_rostering.colgen_labels import LabelPricer, supported
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.model import Roster

#: Duals are multiplied by this and rounded for CP-SAT's integer objective.
SCALE = 1000
#: A column enters the master only with a reduced cost below this.
ENTER = -1e-6
#: Branching decisions on one employee: (day, shift) -> whether they work it.
Fixing = dict[tuple[int, int], bool]


@dataclass(frozen=True)
class Column:
    """One employee's schedule: shift (None: off) and station (None: none) per day, and the
    request penalty it pays."""

    employee: int
    row: tuple[int | None, ...]
    stations: tuple[str | None, ...]
    cost: int


@dataclass
class Duals:
    """The master's duals: per (day, shift) the headcount cover rows' sum, per (day, shift,
    skill) the station rows' sum, per (day, shift, skill) the safety rows' sum, the
    convexity row of each employee, and the duals times the right-hand sides of the cover
    and safety rows (for the Lagrangian bound)."""

    cell: dict[tuple[int, int], float]
    station: dict[tuple[int, int, str], float]
    safety: dict[tuple[int, int, str], float]
    convexity: list[float]
    demand: float = 0.0

    def mix(self, other: Duals, alpha: float) -> Duals:
        """``alpha * self + (1 - alpha) * other``: still valid duals for a bound (every
        range they are clipped to is convex)."""
        def blend(a: dict[Any, float], b: dict[Any, float]) -> dict[Any, float]:
            return {k: alpha * a.get(k, 0.0) + (1 - alpha) * b.get(k, 0.0)
                    for k in a.keys() | b.keys()}

        return Duals(blend(self.cell, other.cell), blend(self.station, other.station),
                     blend(self.safety, other.safety),
                     [alpha * a + (1 - alpha) * b
                      for a, b in zip(self.convexity, other.convexity, strict=True)],
                     alpha * self.demand + (1 - alpha) * other.demand)


def one_employee(roster: Roster, e: int) -> Roster:
    """The roster restricted to employee ``e``: their rules and requests, the station lines
    at zero weight (so the model places them at stations), no safety rows."""
    return replace(
        roster,
        employees=(roster.employees[e],),
        requests=tuple(replace(r, employee=0) for r in roster.requests if r.employee == e),
        cover=tuple(replace(c, under_weight=0, over_weight=0) for c in roster.cover
                    if c.skill is not None),
        hard_cover=(),
    )


def row_cost(roster: Roster, e: int, row: tuple[int | None, ...]) -> int:
    """The request penalty ``e`` pays with ``row``."""
    cost = 0
    for r in roster.requests:
        if r.employee != e:
            continue
        got = row[r.day]
        hit = got is not None and (r.shift < 0 or got == r.shift)
        if hit != r.on:
            cost += r.weight
    return cost


def reduced_cost(roster: Roster, col: Column, duals: Duals) -> float:
    """Cost minus the duals of the rows the column counts in, minus its convexity dual."""
    skills = roster.employees[col.employee].skills
    value = float(col.cost) - duals.convexity[col.employee]
    for d, s in enumerate(col.row):
        if s is None:
            continue
        value -= duals.cell.get((d, s), 0.0)
        k = col.stations[d]
        if k is not None:
            value -= duals.station.get((d, s, k), 0.0)
        for skill in skills:
            value -= duals.safety.get((d, s, skill), 0.0)
    return value


class Pricer:
    """The pricing of one employee: the exact labelling pricer
    (:mod:`optikit_rostering.colgen_labels`) when ``labels`` and it models all their rules,
    else (and whenever its labels overflow) the CP-SAT model, built once on first use; each
    call sets a new objective."""

    def __init__(self, roster: Roster, e: int, labels: bool = True) -> None:
        self.roster, self.e = roster, e
        self.labels: LabelPricer | None = None
        if labels and supported(roster.employees[e].limits):
            self.labels = LabelPricer(roster, e)
        #: Calls answered by the labelling pricer, and by CP-SAT.
        self.label_calls = self.cpsat_calls = 0

    @functools.cached_property
    def rm(self) -> RosterModel:
        """The CP-SAT pricing model, built on first use (the labelling pricer needs none)."""
        return RosterModel(one_employee(self.roster, self.e), symmetry=False, caps=True)

    @functools.cached_property
    def cells(self) -> list[tuple[int, int, int, Any]]:
        """The model's (employee, day, shift, variable) cells."""
        return self.rm.all_cells()

    def _labelled(self, duals: Duals, most: int, below: float, fixed: Fixing | None
                  ) -> tuple[list[Column], float | None] | None:
        """The labelling pricer's answer in :meth:`price`'s terms; None on overflow."""
        assert self.labels is not None
        out = self.labels.solve(duals, most, fixed)
        if out is None:
            return None
        self.label_calls += 1
        if out.least == math.inf:  # no row at all: a node's decisions, or no roster
            return [], (math.inf if fixed else None)
        columns = []
        for row, stations, _cost in reversed(out.rows):  # the best last, as CP-SAT's
            col = Column(self.e, row, stations, row_cost(self.roster, self.e, row))
            if reduced_cost(self.roster, col, duals) < below:
                columns.append(col)
        # Exact up to floating-point sums: a hair below for the bound.
        return columns, out.least - duals.convexity[self.e] - 1e-7 * (1 + abs(out.least))

    def price(self, duals: Duals, work: float, wall: float, seed: int = 0, most: int = 10,
              below: float = ENTER, fixed: Fixing | None = None
              ) -> tuple[list[Column], float | None]:
        """Columns of reduced cost under ``below`` found within ``work`` units of CP-SAT's
        deterministic time (reproducible, unlike seconds; ``wall`` seconds at most) (at most
        ``most``, the best last), and a proven lower bound on this employee's reduced cost
        (None unless CP-SAT proved its optimum; infinity if ``fixed`` leaves no row).
        ``fixed``: (day, shift) -> whether this person works that shift that day (a
        branch-and-price node's decisions, :mod:`optikit_rostering.colgen_branch`)."""
        if self.labels is not None:
            answer = self._labelled(duals, most, below, fixed)
            if answer is not None:
                return answer
        from optikit_ortools.sat_parameters import keep_python_sigint, solve_in_flight
        from ortools.sat.python import cp_model

        self.cpsat_calls += 1
        rm, skills = self.rm, self.roster.employees[self.e].skills
        terms: list[tuple[int, Any]] = [(SCALE * w, v) for w, v in rm.objective_terms]
        error = 0.0
        for _e, d, s, v in self.cells:
            price = duals.cell.get((d, s), 0.0) + sum(duals.safety.get((d, s, k), 0.0)
                                                      for k in skills)
            scaled = round(SCALE * price)
            error += abs(SCALE * price - scaled)
            if scaled:
                terms.append((-scaled, v))
        for (_e, d, s, k), v in rm.y.items():
            price = duals.station.get((d, s, k), 0.0)
            scaled = round(SCALE * price)
            error += abs(SCALE * price - scaled)
            if scaled:
                terms.append((-scaled, v))
        rm.model.minimize(sum(w * v for w, v in terms) + SCALE * rm.constant)
        solver = cp_model.CpSolver()
        keep_python_sigint(solver.parameters)  # else a Ctrl-C kills the run, best roster lost
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = work
        solver.parameters.max_time_in_seconds = max(0.01, wall)
        solver.parameters.random_seed = seed
        # The LP relaxation with every constraint: pricing proves its optimum about 40 %
        # faster than with CP-SAT's default level (Instance7, 20 rows, load 3).
        solver.parameters.linearization_level = 2
        found: list[Column] = []
        collector = _collector(self, found, most)
        domains, missing = pin_cells(rm.model, rm.x[0], fixed or {})
        try:
            if missing:
                return [], math.inf  # a forced cell this person cannot work
            status = solve_in_flight(solver, rm.model, collector)
        finally:  # (a pricer's model is reused by later calls: always restored)
            for index, (low, high) in domains.items():
                domain = rm.model.proto.variables[index].domain
                domain[0], domain[1] = low, high
        if fixed and status == cp_model.INFEASIBLE:
            return [], math.inf  # no row under the node's decisions
        columns = [c for c in {c.row: c for c in found}.values()
                   if reduced_cost(self.roster, c, duals) < below]
        if status != cp_model.OPTIMAL:
            return columns, None
        proven = solver.objective_value / SCALE - error / SCALE - duals.convexity[self.e]
        return columns, proven

    def column(self, value: Any) -> Column:
        """The column of a CP-SAT solution (``value``: literal -> bool)."""
        days = self.roster.days
        row: list[int | None] = [None] * days
        for _e, d, s, v in self.cells:
            if value(v):
                row[d] = s
        stations: list[str | None] = [None] * days
        for (_e, d, _s, k), v in self.rm.y.items():
            if value(v):
                stations[d] = k
        cells = tuple(row)
        return Column(self.e, cells, tuple(stations), row_cost(self.roster, self.e, cells))


def _collector(pricer: Pricer, found: list[Column], most: int) -> Any:
    """A solution callback keeping the last ``most`` solutions CP-SAT reports (each better
    than the one before)."""
    from ortools.sat.python import cp_model

    class Collector(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            found.append(pricer.column(self.boolean_value))
            if len(found) > most:
                del found[0]

    return Collector()


def pin_cells(model: Any, cells: Any, fixed: Fixing) -> tuple[dict[int, tuple[int, int]], bool]:
    """Fix each (day, shift) cell of ``fixed`` in ``model``'s domains to whether it is
    worked (``cells[d][s]``: the cell's variable, None where there is none: leave, a zero
    cap).  Returns the old domains, to restore, and whether a forced cell has no variable."""
    old: dict[int, tuple[int, int]] = {}
    missing = False
    for (d, s), on in fixed.items():
        var = cells[d][s]
        if var is None:
            missing = missing or on
            continue
        domain = model.proto.variables[var.index].domain
        old.setdefault(var.index, (domain[0], domain[1]))
        domain[0] = domain[1] = int(on)
    return old, missing
