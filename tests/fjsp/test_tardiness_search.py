"""Tardiness objectives: ATC look-aheads, the dispatch time share, lighter LNS sub-solves."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from optikit_fjsp import cpsat_run, global_solve, heuristic, lns, tardiness_search
from optikit_fjsp.generator import generate
from optikit_fjsp.model import parse
from optikit_fjsp.timetable import objective_value

from optikit.paradigms import CpSatBackend
from optikit.registry import Registry
from optikit.types import SolveContext, SolveOptions


def test_atc_is_tried_with_several_look_aheads() -> None:
    names = [name for name in heuristic.TARDINESS_RULES if name.startswith("atc")]
    assert len(names) == len(heuristic.ATC_LOOK_AHEADS) >= 3
    problem = parse(generate(4, "medium"))
    values = {
        name: objective_value(problem, heuristic.dispatch(problem.flat, rule))
        for name, rule in heuristic.TARDINESS_RULES.items()
    }
    assert len({values[name] for name in names}) > 1  # the look-ahead changes schedules
    best = heuristic.construct(problem, budget=5.0, seed=0, max_restarts=0)
    assert objective_value(problem, best) == min(values.values())


def test_a_set_stop_flag_ends_the_restarts(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = parse(generate(4, "small"))
    calls = []
    real = heuristic.dispatch

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(heuristic, "dispatch", counting)
    stop = threading.Event()
    stop.set()
    heuristic.construct(problem, budget=60.0, seed=0, max_restarts=10_000, stop=stop)
    rules = {**heuristic.TARDINESS_RULES, **heuristic.MAKESPAN_RULES}
    assert len(calls) == len(rules)  # each rule once, no restart


def _start_budget(
    monkeypatch: pytest.MonkeyPatch, registry: Registry, objective: Any, **extra: Any
) -> tuple[float, int]:
    """Budget and restart cap the cpsat run gives the constructive start (60 s limit)."""
    seen: list[tuple[float, int]] = []
    real = heuristic.construct

    def spy(problem: Any, budget: float = 0.3, seed: int = 0, **kwargs: Any) -> Any:
        seen.append((budget, kwargs["max_restarts"]))
        return real(problem, budget=0.01, seed=seed, max_restarts=1)

    monkeypatch.setattr(heuristic, "construct", spy)
    doc = generate(2, "small")
    doc["objective"] = objective
    ctx = SolveContext(SolveOptions(time_limit=60.0, threads=1, extra=extra))
    run = cpsat_run.Run(parse(doc), registry.backends["cpsat"], ctx)
    run.close()
    return seen[0]


def test_tardiness_objectives_give_the_dispatch_restarts_a_share(
    monkeypatch: pytest.MonkeyPatch, registry: Registry
) -> None:
    budget, restarts = _start_budget(monkeypatch, registry, {"total_weighted_tardiness": 1})
    assert 5.0 < budget <= 6.0 and restarts == tardiness_search.MAX_RESTARTS
    budget, _ = _start_budget(
        monkeypatch, registry, {"total_weighted_tardiness": 1}, dispatch_share=0.02
    )
    assert 1.0 < budget <= 1.2
    budget, restarts = _start_budget(monkeypatch, registry, "makespan")
    assert budget == pytest.approx(0.3) and restarts == heuristic.MAX_RESTARTS


def tardiness_then_makespan(
    registry: Registry, time_limit: float, step: Callable[[cpsat_run.Run], None]
) -> None:
    """``step`` on a ``cpsat`` run of a small shop, tardiness objective first."""
    for objective in ({"makespan": 1, "total_weighted_tardiness": 1}, "makespan"):
        doc = generate(2, "small")
        doc["objective"] = objective
        ctx = SolveContext(SolveOptions(time_limit=time_limit, threads=1, extra={"tabu": 0}))
        run = cpsat_run.Run(parse(doc), registry.backends["cpsat"], ctx)
        run.stats["phases"] = []
        try:
            step(run)
        finally:
            run.close()


def test_tardiness_lns_settings_are_lighter_and_longer(
    monkeypatch: pytest.MonkeyPatch, registry: Registry
) -> None:
    settings = tardiness_search.lns_settings(lns.LnsSettings(sub_dtime=0.05))
    assert settings.large_model == 0 and settings.sub_dtime == pytest.approx(0.1)
    assert settings.freeze_after == tardiness_search.FREEZE_AFTER
    assert tardiness_search.lns_settings(lns.LnsSettings(sub_dtime=None)).sub_dtime is None
    # The run passes them to the LNS on tardiness objectives only.
    used: list[lns.LnsSettings] = []
    real = lns.improve

    def spy(*args: Any, settings: lns.LnsSettings, **kwargs: Any) -> Any:
        used.append(settings)
        return real(*args, settings=settings, **kwargs)

    monkeypatch.setattr(lns, "improve", spy)

    def improve_round(run: cpsat_run.Run) -> None:
        run._stalled = lambda started: True  # type: ignore[method-assign]  # settings only
        run.improve_round()

    tardiness_then_makespan(registry, 30.0, improve_round)
    assert [s.large_model for s in used] == [0, lns.LnsSettings().large_model]
    assert [s.freeze_after for s in used] == [tardiness_search.FREEZE_AFTER, None]
    assert used[0].sub_dtime is not None and used[1].sub_dtime is not None
    assert used[0].sub_dtime == pytest.approx(2 * used[1].sub_dtime)


def test_freeze_after_keeps_the_tail_and_the_lns_stays_feasible(registry: Registry) -> None:
    from optikit_fjsp.checker import check
    from optikit_fjsp.timetable import to_schedule

    from optikit.scheduling import schedule_to_payload

    problem = parse(generate(4, "small"))
    flat = problem.flat
    start = heuristic.dispatch(flat, heuristic.TARDINESS_RULES["edd"])
    value = objective_value(problem, start)
    state = lns.LnsState(problem, start, value, start, value, problem.shop.horizon())
    order = sorted(range(flat.num_ops), key=lambda g: start.starts[g])
    relaxed = set(order[:8])  # early in the schedule, so that a tail follows
    cm = lns.sub_model(state, relaxed, freeze_after=0)
    ctx = SolveContext(SolveOptions(time_limit=10.0, threads=1))
    backend = registry.backend_of("cpsat", CpSatBackend)
    result = backend.solve(cm.model, ctx, workers=1)
    assert result.status.has_solution
    sol = cm.solution(result.value, result.boolean_value)
    last = max(start.end(flat, g) for g in relaxed)
    tail = [g for g in range(flat.num_ops) if g not in relaxed and start.starts[g] >= last]
    assert tail and all(sol.starts[g] == start.starts[g] for g in tail)
    # The loop with the window: every accepted schedule passes the checker.
    settings = lns.LnsSettings(max_iterations=10, sub_dtime=0.05, freeze_after=1.0)
    run_ctx = SolveContext(SolveOptions(time_limit=30.0, threads=1, seed=2))
    out = lns.improve(problem, registry.backends["cpsat"], run_ctx, start,
                      horizon=problem.shop.horizon(), settings=settings)
    assert out.best_value < value
    payload = schedule_to_payload(problem.shop, to_schedule(flat, out.best))
    report = check(problem, payload)
    assert report.feasible and report.objective == pytest.approx(out.best_value)


def test_the_global_solve_gets_a_smaller_share_on_tardiness(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits: list[float] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        limits.append(args[4])
        return global_solve.GlobalResult()

    monkeypatch.setattr(cpsat_run, "global_phase", spy)
    tardiness_then_makespan(registry, 40.0, lambda run: run.global_round())
    share = 0.2  # the option's default
    assert limits[0] <= 40.0 * share * tardiness_search.GLOBAL_SHARE_FACTOR + 1e-9
    assert limits[1] > 40.0 * share * tardiness_search.GLOBAL_SHARE_FACTOR
