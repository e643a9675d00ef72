"""Seeded instances of every size, and constructive schedules that pass the checker."""

from __future__ import annotations

import pytest
from optikit_energy import heuristic, switching
from optikit_energy.checker import check
from optikit_energy.generator import SIZES, generate

from tests.energy.conftest import load


@pytest.mark.parametrize("size", list(SIZES))
def test_generated_instances_parse_and_tile(registry, size) -> None:
    document = generate(3, size)
    assert document == generate(3, size)
    assert document != generate(4, size)
    problem = load(registry, document).problem
    assert problem.tariff[0].start == 0 and problem.tariff[-1].end == problem.horizon
    assert {p.name for p in problem.tariff} == {"off-peak", "mid", "peak"}


def test_large_is_the_benchmark_shape(registry) -> None:
    problem = load(registry, generate(1, "large")).problem
    size = problem.size()
    assert size["jobs"] == 25 and size["machines"] == 8
    assert 100 <= size["operations"] <= 150
    assert problem.horizon == 2880 and problem.time_step == 1
    assert any(problem.can_switch_off(m) for m in range(problem.num_machines))


@pytest.mark.parametrize(("size", "calendars"), [
    ("tiny", None), ("small", None), ("medium", None), ("large", None),
    ("medium", "one-shift"), ("medium", "two-shifts"), ("medium", "three-shifts"),
])
def test_constructed_schedules_pass_the_checker(registry, size, calendars) -> None:
    problem = load(registry, generate(1, size, calendars=calendars)).problem
    built = heuristic.best_constructed(problem, budget_s=5.0)
    assert built is not None
    payload, _figures = switching.build_payload(problem, built.schedule, built.switch_on)
    report = check(problem, payload)
    assert report.feasible, report.violations[:3]
    assert report.objective == pytest.approx(built.objective)
    earliest = heuristic.construct(problem, "earliest", keep_on=True)
    assert earliest is not None
    assert check(problem, switching.build_payload(
        problem, earliest.schedule, earliest.switch_on)[0]).feasible


def test_best_policy_never_costs_more_than_staying_on(registry) -> None:
    problem = load(registry, generate(2, "medium")).problem
    built = heuristic.construct(problem, "earliest", keep_on=True)
    assert built is not None
    stay = switching.stay_on_policy(problem, built.schedule)
    best = switching.best_policy(problem, built.schedule)
    cost: dict[str, float] = {}
    for name, policy in (("stay", stay), ("best", best)):
        payload, _ = switching.build_payload(problem, built.schedule, policy)
        report = check(problem, payload)
        assert report.feasible, report.violations[:3]
        assert report.objective is not None
        cost[name] = report.objective
    assert cost["best"] <= cost["stay"] + 1e-9
