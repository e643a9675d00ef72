"""The workday caps of ``cpsat``: valid (never below what one employee can really work, found
by CP-SAT on that employee alone; over the weeks too), exact over the horizon with the minutes
cap on Instances 1 and 2, and binding where the run rules leave fewer days than the
minutes allow (Instance2)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from optikit_rostering.capacity import max_days, workday_cap, workday_caps
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.model import Roster, parse
from optikit_rostering.reader import read_roster

import optikit
from tests.rostering.conftest import INSTANCES, plant


def _exact(roster: Roster, e: int, days: list[int]) -> int:
    """The most days of ``days`` employee ``e`` works in a roster of their own, by CP-SAT."""
    from ortools.sat.python import cp_model

    alone = replace(roster, employees=(roster.employees[e],), requests=(), cover=(),
                    hard_cover=())
    rm = RosterModel(alone, symmetry=False, caps=False)
    rm.model.maximize(sum(rm.work[0][d] for d in days))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(rm.model) == cp_model.OPTIMAL
    return round(solver.objective_value)


@pytest.mark.parametrize("name", ["Instance1", "Instance2"])
def test_counts_never_cut_off_a_real_row_and_the_horizon_cap_is_exact(name: str) -> None:
    roster = parse(read_roster(INSTANCES / f"{name}.roster"))
    horizon = list(range(roster.days))
    for e, emp in enumerate(roster.employees):
        for week in roster.full_weeks():
            assert max_days(roster, emp, week) >= _exact(roster, e, week)
        minutes = emp.limits.max_minutes or 0  # every shift of these instances: 480 min
        cap = workday_cap(roster, e)
        assert (minutes // 480 if cap is None else cap) == _exact(roster, e, horizon)


def test_caps_bind_below_the_minutes_on_instance2() -> None:
    # Five of Instance2's staff may work nine 8-hour shifts by their minutes, but their run
    # and weekend rules leave them eight days: 101 workable days for 108 shifts of demand.
    roster = parse(read_roster(INSTANCES / "Instance2.roster"))
    caps = [workday_cap(roster, e) for e in range(roster.num_employees)]
    assert sorted(c for c in caps if c is not None) == [8] * 5
    assert workday_caps(roster) == caps  # once per distinct (limits, leave): the same


def test_max_days_follows_leave_and_weekends() -> None:
    roster = parse(plant())
    ann, bo = roster.employees[0], roster.employees[1]
    weekend = [d for days in roster.weekends() for d in days]
    # max_weekends 1: two of the four weekend days at most.
    assert max_days(roster, bo, weekend) == 2
    assert max_days(roster, ann, [3]) == 0  # leave
    assert max_days(roster, bo, range(roster.days)) == _exact(roster, 1, list(range(14)))


def test_solutions_with_and_without_caps_are_checked_and_instance1_stays_optimal() -> None:
    solution = optikit.solve(INSTANCES / "Instance1.roster", time_limit=20, threads=2,
                             options={"caps": True})
    assert solution.check is not None and solution.check.ok and solution.objective == 607
    without = optikit.solve(plant(), time_limit=5, threads=1, options={"caps": False})
    assert without.check is not None and without.check.ok
