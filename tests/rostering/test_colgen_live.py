"""The relaxation's master LP kept alive across rounds (``colgen_lp=live``) and the dive
(``colgen_step=dive``): the warm LP is the rebuilt LP, a fixed row is taken whole, and a
dive's roster obeys every rule and is never below the bound."""

from __future__ import annotations

import optikit_rostering.colgen_roster as colgen_roster
import pytest
from optikit_rostering.colgen import generate, integral_bound, linear_backend
from optikit_rostering.colgen_dive import dive
from optikit_rostering.colgen_live import LiveMaster
from optikit_rostering.colgen_master import build
from optikit_rostering.colgen_pricing import reduced_cost
from optikit_rostering.model import Roster, parse
from optikit_rostering.reader import read_roster

import optikit
from optikit.types import SolveContext, SolveOptions
from tests.rostering.conftest import INSTANCES, assert_whole_roster


def _context(lp: str = "live") -> SolveContext:
    return SolveContext(SolveOptions(time_limit=60.0, threads=1, seed=0,
                                     extra={"colgen_lp": lp}))


def _instance1() -> Roster:
    return parse(read_roster(INSTANCES / "Instance1.roster"))


def test_the_live_lp_with_added_columns_is_the_rebuilt_lp() -> None:
    roster, ctx = _instance1(), _context()
    relaxation = generate(roster, ctx, 55.0, {})
    assert relaxation is not None
    pool = relaxation.pool
    live = LiveMaster(roster, pool[:len(pool) // 3], ctx)
    first = live.solve(30.0)
    live.add(pool[len(pool) // 3:])
    warm = live.solve(30.0)
    assert first is not None and warm is not None and not live.broken
    backend = linear_backend(ctx)
    assert backend is not None
    cold = backend.solve(build(roster, pool, integer=False).model, ctx)
    assert cold.objective is not None
    assert abs(warm[0] - cold.objective) <= 1e-6 * max(1.0, abs(cold.objective))
    assert warm[0] <= first[0] + 1e-6  # more columns: the LP cannot rise
    # LP optimality: under the warm duals no pool column below its upper bound (one; the
    # convexity row makes that bound redundant) prices out.
    duals = live.master.duals(warm[2])
    first_column = live.master.first_column
    assert min(reduced_cost(roster, c, duals) for j, c in enumerate(live.master.columns)
               if warm[1][first_column + j] < 1 - 1e-6) >= -1e-5


def test_a_fixed_column_is_taken_whole() -> None:
    roster, ctx = _instance1(), _context()
    relaxation = generate(roster, ctx, 55.0, {})
    assert relaxation is not None
    live = LiveMaster(roster, relaxation.pool, ctx)
    assert live.solve(30.0) is not None
    # The employee's row with the least LP value (zero for most of the pool).
    j = next(j for j, c in enumerate(live.master.columns) if c.employee == 0)
    live.fix(live.master.first_column + j)
    answer = live.solve(30.0)
    assert answer is not None
    assert abs(answer[1][live.master.first_column + j] - 1.0) < 1e-6


def test_live_and_rebuilt_relaxations_end_at_the_same_bound() -> None:
    roster = _instance1()
    ends = []
    for lp in ("live", "rebuild"):
        stats: dict[str, object] = {}
        relaxation = generate(roster, _context(lp), 55.0, stats)
        assert relaxation is not None and relaxation.lp_value is not None
        assert stats["colgen_live_lp"] == (lp == "live")
        ends.append(integral_bound(relaxation.bound))
    assert ends[0] == ends[1] and ends[0] is not None and ends[0] <= 607  # its optimum


def test_a_dive_to_the_end_gives_a_roster_that_obeys_every_rule() -> None:
    roster, ctx = _instance1(), _context()
    relaxation = generate(roster, ctx, 55.0, {})
    assert relaxation is not None and relaxation.bound is not None
    stats: dict[str, object] = {}
    out = dive(roster, relaxation.pool, relaxation.pricers, ctx, 30.0, stats, to_end=True)
    assert_whole_roster(roster, out, relaxation.bound)
    assert out is not None
    # The weights it hands on: the fixed employees' rows taken whole.
    assert 0 <= out.fixed <= roster.num_employees
    assert all(abs(sum(v for _c, v in w) - 1.0) < 1e-6 for w in out.weights.values())


@pytest.mark.parametrize("step", ["dive", "retry"])
def test_a_run_with_the_dive_passes_the_checker(step: str) -> None:
    solution = optikit.solve(INSTANCES / "Instance1.roster", formulation="cpsat",
                             time_limit=10, threads=1,
                             options={"colgen": "on", "colgen_step": step})
    assert solution.check is not None and solution.check.ok
    stats = solution.document["stats"]
    if step == "dive":  # the dive took the MILP's place
        assert "colgen_dive_steps" in stats and stats.get("colgen_mip") is None
    assert colgen_roster.DIVE > 0
