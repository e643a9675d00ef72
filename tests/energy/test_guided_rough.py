"""The guided search from an LP point (``optikit_energy.guided.rough_then_polished``): a
rough CP-SAT schedule inside the plan polished by the shift search, the coarse bucket
MILP's bound, and the re-timing of the run's best schedule.  Every schedule it hands to
the run passes the checker and none beats a proven optimum; the bound stays below it."""

from __future__ import annotations

import threading

import pytest
from optikit_energy import bucket_bound, guided, heuristic
from optikit_energy.generator import generate
from optikit_energy.model import EnergyProblem
from optikit_energy.run import Incumbent, Run

from optikit.types import SolveContext, SolveOptions
from tests.energy.conftest import SMALL_1_OPTIMUM, checked_objective, load


def _run(registry, problem: EnergyProblem, seconds: float) -> Run:
    ctx = SolveContext(SolveOptions(time_limit=seconds, threads=2, seed=0),
                       backends=registry.available_backend)
    run_ = Run(problem, registry.available_backend("cpsat"), ctx)
    built = heuristic.best_constructed(problem, 1.0)
    assert built is not None
    run_.offer(Incumbent(built.schedule, built.switch_on, built.objective, "heuristic"))
    return run_


def test_lp_point_gives_checked_schedules_and_a_valid_bound(registry) -> None:
    """An LP plan (modes not all picked) takes the rough path: its schedules are real
    ones, its coarse-MILP bound is below the proven optimum, and the stats say what ran."""
    problem = load(registry, generate(1, "small")).problem
    ctx = SolveContext(SolveOptions(time_limit=30, threads=1),
                       backends=registry.available_backend)
    found = bucket_bound.lower_bound(problem, ctx, 20.0, integer=False)
    assert found is not None and found.plan is not None
    plan = found.plan
    plan.modes.pop(next(iter(plan.modes)))  # an LP point that leaves one mode open
    run_ = _run(registry, problem, 12.0)
    guided.for_run(run_, plan, threading.Event())
    record = run_.stats["guided"]
    assert "lp" in record and "coarse_milp" in record
    assert run_.inbox, record
    for inc in run_.inbox:
        assert checked_objective(problem, inc) == pytest.approx(inc.objective)
        assert inc.objective >= SMALL_1_OPTIMUM - 1e-6
    assert run_.bound is not None and run_.bound <= SMALL_1_OPTIMUM + 1e-6
    assert run_.stats["bound_source"] == "bucket-milp (tariff periods)"


def test_retimed_keeps_modes_and_stays_near_the_schedule(registry) -> None:
    """The re-timing moves each operation at most ``radius`` units in its own mode, and
    returns only a better schedule."""
    problem = load(registry, generate(1, "small")).problem
    run_ = _run(registry, problem, 6.0)
    start = run_.best
    assert start is not None
    found, stats = guided.retimed(run_, start, 2, 5.0, lambda: False)
    assert stats["radius"] == 2 and "status" in stats
    before = {(s.job, s.operation): s for s in start.schedule}
    if found is not None:
        assert found.objective < start.objective
        assert checked_objective(problem, found) == pytest.approx(found.objective)
        for s in found.schedule:
            old = before[(s.job, s.operation)]
            assert s.mode == old.mode and abs(s.start - old.start) <= 2


def test_cancelled_rough_search_hands_nothing_over(registry) -> None:
    problem = load(registry, generate(1, "small")).problem
    run_ = _run(registry, problem, 8.0)
    plan = guided.RelaxedPlan({}, {}, 4, 0.0)
    cancel = threading.Event()
    cancel.set()
    guided.for_run(run_, plan, cancel)
    assert not run_.inbox
