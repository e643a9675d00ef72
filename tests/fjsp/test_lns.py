"""The LNS improvement: sub-models keep what is not relaxed; results improve and check."""

from __future__ import annotations

import random

from optikit_fjsp import heuristic, lns
from optikit_fjsp.checker import check
from optikit_fjsp.generator import generate
from optikit_fjsp.model import parse
from optikit_fjsp.reader import read_fjs
from optikit_fjsp.timetable import (
    machine_sequences,
    makespan,
    objective_value,
    to_schedule,
)

from optikit.paradigms import CpSatBackend
from optikit.registry import Registry
from optikit.scheduling import schedule_to_payload
from optikit.types import SolveContext, SolveOptions
from tests.fjsp.conftest import instance


def feasible(problem, sol) -> bool:
    payload = schedule_to_payload(problem.shop, to_schedule(problem.flat, sol))
    return check(problem, payload).feasible


def test_sub_model_keeps_modes_and_order_outside_the_neighbourhood(registry: Registry) -> None:
    problem = parse(read_fjs(instance("mk04")))
    start = heuristic.dispatch(problem.flat, heuristic.MAKESPAN_RULES["spt"])
    value = objective_value(problem, start)
    state = lns.LnsState(problem, start, value, start, value, makespan(problem.flat, start))
    relaxed = lns._time_window(state, random.Random(3), 20)
    assert len(relaxed) == 20
    cm = lns.sub_model(state, relaxed)
    backend = registry.backend_of("cpsat", CpSatBackend)
    ctx = SolveContext(SolveOptions(time_limit=5.0, threads=1))
    result = backend.solve(cm.model, ctx, workers=1)
    assert result.status.has_solution
    sol = cm.solution(result.value, result.boolean_value)
    assert feasible(problem, sol)
    assert objective_value(problem, sol) <= value
    before = machine_sequences(problem.flat, start)
    after = machine_sequences(problem.flat, sol)
    for g in range(problem.flat.num_ops):
        if g not in relaxed:
            assert sol.modes[g] == start.modes[g]
    for old, new in zip(before, after, strict=True):
        kept = [g for g in old if g not in relaxed]
        assert [g for g in new if g not in relaxed] == kept


def test_lns_improves_a_poor_schedule(registry: Registry) -> None:
    problem = parse(read_fjs(instance("mk04")))
    start = heuristic.dispatch(problem.flat, heuristic.MAKESPAN_RULES["spt"])
    ctx = SolveContext(SolveOptions(time_limit=20.0, threads=1, seed=1))
    settings = lns.LnsSettings(max_iterations=25, sub_dtime=0.05)
    state = lns.improve(problem, registry.backends["cpsat"], ctx, start,
                        horizon=makespan(problem.flat, start), settings=settings)
    assert state.iterations == 25
    assert state.best_value < objective_value(problem, start)
    assert state.best_value == objective_value(problem, state.best)
    assert feasible(problem, state.best)


def test_lns_with_setups_and_tardiness_stays_feasible(registry: Registry) -> None:
    problem = parse(generate(4, "medium"))
    start = heuristic.construct(problem, budget=5.0, seed=0, max_restarts=5)
    ctx = SolveContext(SolveOptions(time_limit=30.0, threads=2, seed=0))
    settings = lns.LnsSettings(max_iterations=8, sub_dtime=0.05, parallel=2)
    state = lns.improve(problem, registry.backends["cpsat"], ctx, start,
                        horizon=problem.shop.horizon(), settings=settings)
    assert state.iterations >= 8
    assert state.best_value <= objective_value(problem, start)
    assert feasible(problem, state.best)


def test_lns_stops_at_the_lower_bound(registry: Registry) -> None:
    problem = parse(read_fjs(instance("sfjs01")))
    start = heuristic.construct(problem, budget=1.0, seed=0)
    value = objective_value(problem, start)
    ctx = SolveContext(SolveOptions(time_limit=10.0, threads=1))
    state = lns.improve(problem, registry.backends["cpsat"], ctx, start, horizon=int(value),
                        lower_bound=value)
    assert state.iterations == 0 and state.best == start
