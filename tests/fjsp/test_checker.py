"""The independent checker: accepts a valid schedule, rejects each broken rule."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from optikit_fjsp.checker import check

from optikit.registry import Registry
from optikit.runner import check_solution
from tests.fjsp.conftest import load, tiny_schedule, tiny_shop


def op(payload: dict[str, Any], job: str, index: int) -> dict[str, Any]:
    return next(e for e in payload["operations"] if e["job"] == job and e["operation"] == index)


def shift(entry: dict[str, Any], delta: int) -> dict[str, Any]:
    entry["start"] += delta
    entry["end"] += delta
    return entry


@pytest.fixture
def problem(registry: Registry) -> Any:
    return load(registry, tiny_shop()).problem


def test_valid_schedule_is_accepted_with_figures(problem: Any) -> None:
    report = check(problem, tiny_schedule())
    assert report.feasible, report.violations
    assert report.objective == 9
    fig = report.figures
    assert fig["makespan"] == 9
    assert fig["setups"] == 1 and fig["setup_time"] == 2
    # J1 ends 5 (due 8), J3 ends 3 (due 4): nobody late.
    assert fig["total_weighted_tardiness"] == 0 and fig["late_jobs"] == 0
    assert fig["machine_utilisation"]["M1"] == pytest.approx(7 / 9)


def test_whole_document_or_bare_payload(problem: Any) -> None:
    assert check(problem, {"type": "fjsp", "solution": tiny_schedule()}).feasible


MUTATIONS: list[tuple[str, str, Callable[[dict[str, Any]], object]]] = [
    # J3.0 has a single mode on M2; claim it ran on M1 with the same mode index.
    ("ineligible machine", "eligibility", lambda p: op(p, "J3", 0).update(machine="M1")),
    ("mode index out of range", "eligibility", lambda p: op(p, "J3", 0).update(mode=3)),
    # J1.0 in mode 1 (M2, 5 units) but still written on M1 for 3 units.
    ("mode and machine disagree", "eligibility", lambda p: op(p, "J1", 0).update(mode=1)),
    ("overlap", "capacity", lambda p: shift(op(p, "J1", 1), -1)),
    ("precedence break", "precedence", lambda p: shift(op(p, "J2", 1), -1)),
    # J2.0 (B) right after J1.0 (A) on M1 needs 2 units; give it 1.
    ("setup shortened", "setup", lambda p: shift(op(p, "J2", 0), -1) and shift(op(p, "J2", 1),
                                                                             -1)),
    ("release broken", "release", lambda p: [shift(op(p, "J2", 0), -5), shift(op(p, "J1", 0),
                                                                              4)]),
    ("wrong duration", "duration", lambda p: op(p, "J2", 1).update(end=8)),
    ("operation missing", "payload", lambda p: p["operations"].pop()),
    ("operation twice", "payload", lambda p: p["operations"].append(dict(op(p, "J3", 0)))),
    ("unknown job", "payload", lambda p: op(p, "J3", 0).update(job="J99")),
    ("negative start", "time", lambda p: [shift(op(p, "J3", 0), -1)]),
    ("fractional times", "payload", lambda p: op(p, "J3", 0).update(start=0.5, end=3.5)),
]


@pytest.mark.parametrize(
    ("label", "constraint", "mutate"), MUTATIONS, ids=[m[0] for m in MUTATIONS]
)
def test_each_broken_rule_is_rejected(
    problem: Any, label: str, constraint: str, mutate: Callable[[dict[str, Any]], None]
) -> None:
    payload = copy.deepcopy(tiny_schedule())
    mutate(payload)
    report = check(problem, payload)
    assert not report.feasible, label
    assert constraint in {v.constraint for v in report.violations}, report.violations


def test_changeover_only_between_consecutive_operations(registry: Registry) -> None:
    # A -> B costs 2 and B -> A costs 3 on M1, but A -> A is free: J1.0 and J3-like jobs of
    # product A back to back need no gap.
    doc = tiny_shop()
    doc["jobs"][2]["operations"] = [{"modes": [{"machine": "M1", "duration": 3}]}]
    problem = load(registry, doc).problem
    payload = tiny_schedule()
    op(payload, "J3", 0).update(machine="M1", start=3, end=6)
    shift(op(payload, "J2", 0), 3)
    shift(op(payload, "J2", 1), 3)
    report = check(problem, payload)
    assert report.feasible, report.violations
    assert report.figures["setups"] == 1


def test_objective_is_recomputed_for_tardiness_mixes(registry: Registry) -> None:
    doc = tiny_shop()
    doc["objective"] = {"makespan": 1, "total_weighted_tardiness": 10}
    problem = load(registry, doc).problem
    payload = tiny_schedule()
    # Delay J3 by 2 on M2 (ends 5, due 4, weight 2) and J1.1 after it.
    shift(op(payload, "J3", 0), 2)
    op(payload, "J1", 1).update(start=5, end=7)
    report = check(problem, payload)
    assert report.feasible, report.violations
    assert report.figures["total_weighted_tardiness"] == 2
    assert report.objective == 9 + 10 * 2


def test_check_solution_flags_a_false_objective_claim(registry: Registry) -> None:
    loaded = load(registry, tiny_shop())
    document = {"type": "fjsp", "objective": 8, "solution": tiny_schedule()}
    report = check_solution(loaded, document)
    assert not report.feasible
    assert any(v.constraint == "objective" for v in report.violations)
    document["objective"] = 9
    assert check_solution(loaded, document).feasible
