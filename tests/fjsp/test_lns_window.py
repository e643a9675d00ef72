"""Compact LNS sub-models: frozen operations left out, answers splice into checked schedules."""

from __future__ import annotations

import random

import pytest
from optikit_fjsp import calendar_dispatch, heuristic, lns
from optikit_fjsp.checker import check
from optikit_fjsp.generator import generate
from optikit_fjsp.lns_window import sub_model
from optikit_fjsp.model import FjspProblem, parse
from optikit_fjsp.timetable import (
    Solution,
    left_shift,
    machine_sequences,
    objective_value,
    to_schedule,
)

from optikit.paradigms import CpSatBackend
from optikit.registry import Registry
from optikit.scheduling import schedule_to_payload
from optikit.types import SolveContext, SolveOptions


def checked(problem: FjspProblem, sol: Solution) -> float:
    report = check(problem, schedule_to_payload(problem.shop, to_schedule(problem.flat, sol)))
    assert report.feasible, report
    assert report.objective is not None
    return float(report.objective)


def start_state(problem: FjspProblem) -> lns.LnsState:
    if problem.shop.has_calendars:
        start = calendar_dispatch.construct(problem, budget=0.0)  # one pass: deterministic
        assert start is not None
    else:
        start = heuristic.dispatch(problem.flat, heuristic.TARDINESS_RULES["edd"])
    value = objective_value(problem, start)
    return lns.LnsState(problem, start, value, start, value, problem.shop.horizon())


@pytest.mark.parametrize("calendars", [None, "two-shifts"])
def test_compact_sub_models_splice_into_checked_schedules(
    registry: Registry, calendars: str | None
) -> None:
    """Random neighbourhoods and windows on a shop with changeovers (and shifts): the
    compact model is much smaller, and every answer, spliced into the frozen rest
    (and left-shifted where there are no calendars), passes the checker."""
    problem = parse(generate(7, "small", calendars))
    assert problem.has_setups
    flat = problem.flat
    state = start_state(problem)
    rng = random.Random(4)
    backend = registry.backend_of("cpsat", CpSatBackend)
    smaller = improved = 0
    for _ in range(12):
        hood = rng.choice(lns.default_neighbourhoods(flat.num_ops))
        relaxed = hood.pick(state, rng, rng.randint(3, 8))
        margin = rng.choice([None, 0, 30])
        full = sub_model(state, relaxed, freeze_after=margin)
        cm = sub_model(state, relaxed, [1] * flat.num_jobs, freeze_after=margin, compact=True)
        smaller += len(cm.model.proto.variables) < len(full.model.proto.variables)
        ctx = SolveContext(SolveOptions(time_limit=5.0, threads=1))
        result = backend.solve(cm.model, ctx, workers=1)
        assert result.status.has_solution  # the hint (the current schedule) is feasible
        sol = cm.solution(result.value, result.boolean_value)
        for g in range(flat.num_ops):
            if not isinstance(cm.starts[g], int):
                continue
            assert sol.starts[g] == state.current.starts[g]  # left out: kept as it was
        value = checked(problem, sol)
        assert value <= state.best_value + 1e-9
        if not problem.shop.has_calendars:
            shifted = left_shift(flat, sol.modes, machine_sequences(flat, sol))
            assert checked(problem, shifted) <= value + 1e-9
        if value < state.best_value - 1e-9:
            improved += 1
            state.best, state.best_value = sol, value
            state.set_current(sol, value)
    assert smaller >= 8 and improved >= 1


def test_the_compact_lns_loop_improves_and_checks(registry: Registry) -> None:
    problem = parse(generate(8, "small", "two-shifts"))
    state = start_state(problem)
    settings = lns.LnsSettings(max_iterations=12, sub_dtime=0.1, freeze_after=2.0, compact=True)
    ctx = SolveContext(SolveOptions(time_limit=30.0, threads=1, seed=3))
    out = lns.improve(problem, registry.backends["cpsat"], ctx, state.best,
                      horizon=state.horizon, settings=settings)
    assert out.best_value < state.best_value
    assert checked(problem, out.best) == pytest.approx(out.best_value)
