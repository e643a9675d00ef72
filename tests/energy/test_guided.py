"""The schedule guided by the bucket relaxation's point (``optikit_energy.guided``): a real
schedule, checked, never better than a proven optimum, and the run goes on from it."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from optikit_energy import bucket_bound, cpsat, guided
from optikit_energy.generator import generate
from optikit_energy.model import EnergyProblem
from optikit_energy.run import Incumbent, Run

from optikit.types import SolveContext, SolveOptions
from tests.energy.conftest import SMALL_1_OPTIMUM, checked_objective, load, run


def _plan(registry, problem: EnergyProblem) -> guided.RelaxedPlan:
    ctx = SolveContext(SolveOptions(time_limit=30, threads=1),
                       backends=registry.available_backend)
    found = bucket_bound.lower_bound(problem, ctx, 20.0, integer=True)
    assert found is not None and found.plan is not None
    return found.plan


def test_plan_reads_modes_and_windows_off_the_point() -> None:
    starts, ends = np.array([0, 4, 8]), np.array([4, 8, 12])
    modes = [(0, 0), (0, 1), (1, 0)]
    buckets = [np.array([0, 1, 2]), np.array([1, 2]), np.array([0, 1])]
    cols = [np.array([3, 4, 5]), np.array([6, 7]), np.array([8, 9])]
    x = np.zeros(10)
    x[[0, 2]] = 1.0  # op 0 in mode 0, op 1 in its only mode
    x[[4, 5]] = 2.0  # op 0 processes in buckets 1 and 2
    x[8] = 3.0  # op 1 in bucket 0
    plan = guided.plan_from(modes, buckets, cols, starts, ends, x[:3], x, 7.5)
    assert plan.modes == {0: 0, 1: 0}
    assert plan.windows == {0: (4, 12), 1: (0, 4)}
    assert plan.bucket_len == 4 and plan.objective == 7.5
    frame = guided.frame_for(plan, 12, 2)
    assert frame.windows == {0: (2, 12), 1: (0, 6)}
    assert frame.allows(0, 0) and not frame.allows(0, 1)


def test_guided_schedule_is_checked_and_not_below_the_optimum(registry) -> None:
    problem = load(registry, generate(1, "small")).problem
    plan = _plan(registry, problem)
    ctx = SolveContext(SolveOptions(time_limit=30, threads=1, seed=0))
    run_ = Run(problem, registry.available_backend("cpsat"), ctx)
    found, stats = guided.guided_schedule(run_, plan, 10.0, 1, lambda: False)
    assert found is not None and found.source == "guided"
    assert checked_objective(problem, found) == pytest.approx(found.objective)
    assert found.objective >= SMALL_1_OPTIMUM - 1e-6
    # Near the relaxation: it is the relaxation's plan made non-preemptive.
    assert found.objective <= 1.05 * plan.objective
    chosen = {problem.job_ops[s.job][s.operation]: s.mode for s in found.schedule}
    assert all(chosen[g] == k for g, k in plan.modes.items())
    tries = stats["tries"]
    assert isinstance(tries, list)
    assert tries[-1]["objective"] == pytest.approx(found.objective, abs=1e-4)


def test_too_tight_windows_are_widened(registry) -> None:
    """Windows shrunk to a point leave half a bucket each side: too short for an operation
    longer than a bucket, so CP-SAT proves the first attempt infeasible and the search
    retries wider; whatever it returns passes the checker."""
    problem = load(registry, generate(1, "small")).problem
    plan = _plan(registry, problem)
    assert max(md.duration for op in problem.ops for md in op.modes) > plan.bucket_len
    plan.windows = {g: (a, a) for g, (a, _b) in plan.windows.items()}
    ctx = SolveContext(SolveOptions(time_limit=30, threads=1, seed=0))
    run_ = Run(problem, registry.available_backend("cpsat"), ctx)
    found, stats = guided.guided_schedule(run_, plan, 10.0, 1, lambda: False)
    tries = stats["tries"]
    assert isinstance(tries, list) and tries[0]["status"] == "infeasible" and len(tries) >= 2
    slacks = [t["slack"] for t in tries]
    assert slacks == sorted(slacks) and len(set(slacks)) == len(slacks)
    if found is not None:
        checked_objective(problem, found)


def test_inbox_schedules_are_offered_by_the_main_thread(registry) -> None:
    problem = load(registry, generate(1, "small")).problem
    ctx = SolveContext(SolveOptions(time_limit=30, threads=1, seed=0))
    run_ = Run(problem, registry.available_backend("cpsat"), ctx)
    worse = Incumbent([], {}, 120.0, "heuristic")
    better = Incumbent([], {}, 110.0, "guided")
    run_.offer(worse)
    run_.inbox.append(better)
    assert run_.collect() and run_.best is better and not run_.inbox
    run_.inbox.append(Incumbent([], {}, 115.0, "guided"))
    assert not run_.collect() and run_.best is better


@pytest.mark.serial
def test_a_run_with_the_bound_thread_takes_the_guided_schedule(registry, monkeypatch) -> None:
    monkeypatch.setattr(cpsat, "THREAD_BOUND_COLUMNS", 0)
    doc = run(registry, generate(1, "small"), time_limit=12, model="interval",
              baseline="false").document
    assert doc["check"]["feasible"]
    stats = doc["stats"]
    assert stats["bucket_bound"]["method"] in ("bucket-milp", "bucket-milp (tariff periods)")
    tries = stats["guided"]["tries"]
    assert "objective" in tries[-1]
    # The run's answer is at least as good as the guided schedule, and no better than the
    # proven optimum.
    assert SMALL_1_OPTIMUM - 1e-6 <= doc["objective"] <= tries[-1]["objective"] + 1e-4
    assert doc["bound"] <= doc["objective"] + 1e-6


def test_a_milp_plan_is_followed_by_retiming_rounds(registry) -> None:
    """After the guided schedule from a MILP point, the re-timing rounds: what they hand
    over passes the checker and never beats the proven optimum."""
    problem = load(registry, generate(1, "small")).problem
    plan = _plan(registry, problem)
    ctx = SolveContext(SolveOptions(time_limit=14, threads=2, seed=0),
                       backends=registry.available_backend)
    run_ = Run(problem, registry.available_backend("cpsat"), ctx)
    guided.for_run(run_, plan, threading.Event())
    stats = run_.stats["guided"]
    assert "tries" in stats and "retimed" in stats, stats
    assert run_.inbox
    for inc in run_.inbox:
        assert checked_objective(problem, inc) == pytest.approx(inc.objective)
        assert inc.objective >= SMALL_1_OPTIMUM - 1e-6


def test_the_restricted_finer_lp_is_smaller_and_no_lower_than_the_full_one(registry) -> None:
    """Medium-2: the finer LP restricted to the tariff-period LP's support keeps a tenth
    or so of its columns, has a point that picks modes, and (a restriction) is never
    below the full finer LP."""
    from optikit_energy import guided_restricted

    problem = load(registry, generate(2, "medium")).problem
    ctx = SolveContext(SolveOptions(time_limit=30, threads=1),
                       backends=registry.available_backend)
    coarse = bucket_bound.lower_bound(problem, ctx, 20, integer=False, threads=1,
                                      bucket_len=problem.horizon)
    assert coarse is not None and coarse.plan is not None
    fine = bucket_bound.build(problem, integer=False)
    full = bucket_bound.lower_bound(problem, ctx, 20, integer=False, threads=1, built=fine)
    upper = fine.model.col_upper.copy()
    restricted = guided_restricted.restrict(problem, fine, coarse.plan)
    assert restricted.open_cols < 0.5 * fine.model.num_cols
    assert np.array_equal(fine.model.col_upper, upper)  # the full model untouched
    found = bucket_bound.lower_bound(problem, ctx, 20, integer=False, threads=1,
                                     built=restricted.model)
    assert full is not None and found is not None and found.plan is not None
    assert found.value >= full.value - 1e-6
    assert len(found.plan.modes) >= len(coarse.plan.modes) // 2
