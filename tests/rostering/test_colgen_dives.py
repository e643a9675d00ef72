"""The ``dives`` roster step (``colgen_step=dives``): when it applies, that a jittered dive
still ends with a roster that keeps every rule, and that the step dives again (jittered,
under another seed) only while the roster is more than 1 % above the bound."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import optikit_rostering.colgen_roster as colgen_roster
import pytest
from optikit_rostering.colgen import Relaxation, generate
from optikit_rostering.colgen_dive import Dive, dive
from optikit_rostering.colgen_pricing import Column
from optikit_rostering.colgen_roster import dives, use_dives
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.model import parse
from optikit_rostering.reader import read_roster

import optikit
from optikit.types import SolveContext, SolveOptions, Status
from tests.rostering.conftest import INSTANCES, assert_whole_roster, plant


def _relaxation(lp: float, bound: float | None, rounds: int = 20,
                exact: bool = True) -> Relaxation:
    return Relaxation(lp_value=lp, bound=bound, rounds=rounds, exact=exact)


def test_dives_only_from_a_tight_exact_relaxation_at_an_affordable_pace() -> None:
    # Tight (the rounded bound meets the rounded LP), 20 rounds in 4 s: a dive of about
    # DIVE_ROUNDS rounds takes about 8 s, within half the step's 36 s of 60.
    assert use_dives(_relaxation(1296.6, 1296.1), 4.0, 60.0)
    assert not use_dives(_relaxation(1296.6, 1295.9), 4.0, 60.0)  # bound a unit below
    assert not use_dives(_relaxation(1296.6, None), 4.0, 60.0)  # no bound at all
    assert not use_dives(_relaxation(1296.6, 1296.1, exact=False), 4.0, 60.0)
    # Instance12's pace (30 rounds in 24 s): a dive would take most of the run.
    assert not use_dives(_relaxation(4040.0, 4040.0, rounds=30), 24.0, 60.0)


@pytest.mark.parametrize("lazy", [False, True])
def test_a_jittered_dive_to_the_end_gives_a_roster_that_obeys_every_rule(lazy: bool) -> None:
    """Jittered, and ``lazy`` (no re-pricing while the LP stays at its start)."""
    roster = parse(read_roster(INSTANCES / "Instance1.roster"))
    ctx = SolveContext(SolveOptions(time_limit=60.0, threads=1, seed=0))
    relaxation = generate(roster, ctx, 55.0, {})
    assert relaxation is not None and relaxation.bound is not None
    stats: dict[str, Any] = {}
    out = dive(roster, relaxation.pool, relaxation.pricers, ctx, 30.0, stats, to_end=True,
               jitter=random.Random(3), lazy=lazy)
    if lazy:  # the converged LP: the first step prices nothing
        assert stats["colgen_dive_rounds"] < 3 * stats["colgen_dive_steps"]
    assert_whole_roster(roster, out, relaxation.bound)
    assert out is not None


def _off_roster(rm: RosterModel, cost: int) -> tuple[list[Column], int]:
    """Everyone off every day (the plant's E line short every day)."""
    days = rm.roster.days
    return [Column(e, (None,) * days, (None,) * days, 0)
            for e in range(rm.roster.num_employees)], cost


@pytest.mark.parametrize("settles", [True, False])
def test_the_step_dives_again_only_while_far_above_the_bound(
        settles: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each dive's roster leaves the E line short (142, far above the bound 10): the step
    dives again, jittered, and each fixed solve runs under the next seed, until its time
    is spent; a fixed solve that reaches the bound (``settles`` False) ends the step."""
    assert colgen_roster.far_above(142.0, 10.0) and not colgen_roster.far_above(10.0, 10.0)
    rm = RosterModel(parse(plant()))
    jitters: list[bool] = []

    def fake_dive(roster: Any, pool: Any, pricers: Any, ctx: Any, seconds: float,
                  stats: Any, to_end: bool = False, jitter: Any = None,
                  lazy: bool = False) -> Dive:
        assert to_end
        jitters.append(jitter is not None)
        return Dive(weights={}, fixed=0, roster=_off_roster(rm, 142))

    monkeypatch.setattr(colgen_roster, "dive", fake_dive)
    seeds: list[int] = []

    def run(model: Any, seconds: float, hint: Any, floor: float | None, reseed: int) -> Any:
        seeds.append(reseed)
        assert hint is not None and floor == 142.0
        value = 142.0 if settles else 10.0
        return SimpleNamespace(status=Status.FEASIBLE, objective=value,
                               boolean_value=lambda v: False)

    ctx = SolveContext(SolveOptions(time_limit=30, threads=1, seed=0))
    stats: dict[str, Any] = {}
    clock = iter(range(1000))
    monkeypatch.setattr(ctx, "elapsed", lambda: float(next(clock)))  # one second a call
    best = dives(rm, ctx, _relaxation(10.0, 10.0), 10.0, 30.0, 20.0, stats, run)
    assert best is not None
    if settles:
        assert len(jitters) > 1 and jitters[0] is False and all(jitters[1:])
        assert seeds == list(range(len(seeds))) and best[2] == 142
    else:
        assert jitters == [False] and seeds == [0] and best[2] == 10
    assert stats["colgen_dives"] == len(jitters)


def test_a_run_with_the_dives_step_passes_the_checker() -> None:
    """Instance1 (the default step): the MILP's 607 is 9 % above the bound 558, so the
    dives run, at most ``MAX_DIVES`` of them."""
    solution = optikit.solve(INSTANCES / "Instance1.roster", formulation="cpsat",
                             time_limit=10, threads=1, options={"colgen": "on"})
    assert solution.check is not None and solution.check.ok
    stats = solution.document["stats"]
    assert stats.get("colgen_step") in ("dives", "fix")
    if stats.get("colgen_step") == "dives":  # the MILP's roster was far above the bound
        assert 1 <= stats["colgen_dives"] <= colgen_roster.MAX_DIVES
        assert stats.get("colgen_mip") is None or colgen_roster.far_above(
            stats["colgen_mip"], stats["colgen_bound"])
