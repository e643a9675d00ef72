"""The checker: every rule detected from a payload alone, costs recomputed exactly."""

from __future__ import annotations

import copy
from typing import Any

from optikit_maintenance.checker import check
from optikit_maintenance.model import parse


def payload(task_start: int, job_start: int) -> dict[str, Any]:
    return {
        "operations": [{"job": "J", "operation": 0, "mode": 0, "machine": "M",
                        "start": job_start, "end": job_start + 3}],
        "maintenance": [{"task": "renew", "machine": "M", "crew": "tech",
                         "start": task_start, "end": task_start + 2}],
        "skipped": [],
    }


def constraints(report: Any) -> set[str]:
    return {v.constraint for v in report.violations}


def test_both_orders_are_feasible_and_costed_by_hand(
    hand: dict[str, Any], hand_optimum: float
) -> None:
    problem = parse(hand)
    renew_first = check(problem, payload(0, 2))
    assert renew_first.feasible
    assert renew_first.objective == hand_optimum
    assert renew_first.figures["expected_failure"] == 15.0
    assert renew_first.figures["tardiness"] == 20.0
    job_first = check(problem, payload(3, 0))
    assert job_first.feasible and job_first.objective == 70.0


def test_overlap_duration_horizon_and_release(hand: dict[str, Any]) -> None:
    problem = parse(hand)
    assert "machine" in constraints(check(problem, payload(1, 2)))
    bad = payload(0, 2)
    bad["operations"][0]["end"] = 4
    assert "duration" in constraints(check(problem, bad))
    assert "horizon" in constraints(check(problem, payload(0, 10)))
    hand["jobs"][0]["release"] = 3
    assert "release" in constraints(check(parse(hand), payload(0, 2)))


def test_window_rul_and_skipping(hand: dict[str, Any]) -> None:
    hand["tasks"][0]["window"] = {"start": 4, "end": 12}
    assert "window" in constraints(check(parse(hand), payload(0, 2)))
    hand = copy.deepcopy(hand)
    del hand["tasks"][0]["window"]
    hand["machines"][0]["rul"] = 2  # renewal must start by 2
    assert check(parse(hand), payload(2, 4)).feasible
    assert "rul" in constraints(check(parse(hand), payload(3, 0)))
    skipped = {**payload(0, 0), "maintenance": [], "skipped": ["renew"]}
    assert "mandatory" in constraints(check(parse(hand), skipped))
    hand["tasks"][0]["optional"] = True
    assert "rul" in constraints(check(parse(hand), skipped))  # RUL ends before horizon
    del hand["machines"][0]["rul"]
    report = check(parse(hand), skipped)
    assert report.feasible
    # Not renewed: the risk runs to the horizon (0.9 x 150) and no planned downtime.
    assert report.objective == 135.0


def test_crew_capacity_and_shifts() -> None:
    document = {
        "type": "maintenance", "horizon": 20,
        "machines": [{"id": "A"}, {"id": "B"}],
        "crews": [{"id": "c", "size": 1, "shifts": [{"start": 0, "end": 8}]}],
        "tasks": [{"id": "a", "machine": "A", "duration": 3, "crew": "c"},
                  {"id": "b", "machine": "B", "duration": 3, "crew": "c"}],
        "jobs": [],
    }
    problem = parse(document)

    def plan(a: int, b: int) -> dict[str, Any]:
        return {"operations": [], "skipped": [], "maintenance": [
            {"task": "a", "start": a, "end": a + 3}, {"task": "b", "start": b, "end": b + 3}]}

    assert check(problem, plan(0, 3)).feasible
    assert "crew" in constraints(check(problem, plan(0, 2)))
    assert "shift" in constraints(check(problem, plan(0, 6)))


def test_malformed_payloads(hand: dict[str, Any], hand_optimum: float) -> None:
    problem = parse(hand)
    assert "payload" in constraints(check(problem, {}))
    twice = payload(0, 2)
    twice["maintenance"].append(dict(twice["maintenance"][0]))
    assert "payload" in constraints(check(problem, twice))
    wrong_machine = payload(0, 2)
    wrong_machine["maintenance"][0]["machine"] = "elsewhere"
    assert "eligibility" in constraints(check(problem, wrong_machine))
    costs = payload(0, 2)
    costs["costs"] = {"objective": hand_optimum + 1}
    assert "costs" in constraints(check(problem, costs))
    costs["costs"] = {"objective": hand_optimum, "tardiness": 20.0}
    assert check(problem, costs).feasible
