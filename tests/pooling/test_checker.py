"""The independent checker: each kind of violation is caught, from the flows alone."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from optikit_pooling.checker import check
from optikit_pooling.evaluate import payload
from optikit_pooling.model import PoolingProblem

from optikit.problem_io import LoadedProblem


def _flows(problem: PoolingProblem, amounts: dict[tuple[str, str], float]) -> dict[str, Any]:
    """A payload for these arc flows, with the figures they imply (claims consistent)."""
    index = {(a.source, a.target): a.index for a in problem.arcs}
    return payload(problem, {index[k]: v for k, v in amounts.items()})


GLOBAL = {("c2", "o1"): 100.0, ("o1", "p2"): 100.0, ("c3", "p2"): 100.0}


@pytest.fixture
def problem(haverly1: dict[str, Any],
            load: Callable[[dict[str, Any]], LoadedProblem]) -> PoolingProblem:
    parsed: PoolingProblem = load(haverly1).problem
    return parsed


def _constraints(problem: PoolingProblem, data: dict[str, Any]) -> list[str]:
    return [v.constraint for v in check(problem, data).violations]


def test_haverly1_global_optimum_by_hand(problem: PoolingProblem) -> None:
    report = check(problem, _flows(problem, GLOBAL))
    assert report.feasible, report.violations
    assert report.objective == pytest.approx(400.0)
    assert "p2.q1.max" in report.figures["binding_specs"]


def test_local_optimum_100(problem: PoolingProblem) -> None:
    """The SLP trap: pool of pure c1 blended with c3 into p1."""
    report = check(problem, _flows(problem, {("c1", "o1"): 50.0, ("o1", "p1"): 50.0,
                                             ("c3", "p1"): 50.0}))
    assert report.feasible and report.objective == pytest.approx(100.0)


CASES: list[tuple[str, dict[tuple[str, str], float], str]] = [
    ("pool out of balance", {("c2", "o1"): 90.0, ("o1", "p2"): 100.0, ("c3", "p2"): 100.0},
     "pools[o1].balance"),
    ("product spec", {("c1", "o1"): 100.0, ("o1", "p2"): 100.0}, "products[p2].quality_max.q1"),
    ("product demand", {("c3", "p1"): 100.0, ("c2", "o1"): 20.0, ("o1", "p1"): 20.0},
     "products[p1].max"),
    ("arc bound", {("c3", "p1"): 100.1}, "arcs[4]"),
]


@pytest.mark.parametrize(("case", "amounts", "constraint"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_is_checked(case: str, amounts: dict[tuple[str, str], float],
                              constraint: str, problem: PoolingProblem) -> None:
    assert constraint in _constraints(problem, _flows(problem, amounts))


def test_capacity_supply_fraction_and_minimums(
    haverly1: dict[str, Any], load: Callable[[dict[str, Any]], LoadedProblem]
) -> None:
    haverly1["pools"][0].update(capacity=150.0, min=120.0)
    haverly1["inputs"][1].update(max=90.0)
    haverly1["inputs"][2].update(min=150.0)
    haverly1["arcs"][1]["fraction"] = 0.8  # c2 at most 80 % of o1
    haverly1["products"][0]["min"] = 10.0
    problem: PoolingProblem = load(haverly1).problem
    found = _constraints(problem, _flows(problem, GLOBAL))
    for expected in ("pools[o1].min", "inputs[c2].max", "inputs[c3].min", "arcs[1].fraction",
                     "products[p1].min"):
        assert expected in found, found
    found = _constraints(problem, _flows(problem, {("c2", "o1"): 160.0, ("o1", "p2"): 160.0}))
    assert "pools[o1].capacity" in found


def test_claims_must_match_the_flows(problem: PoolingProblem) -> None:
    good = _flows(problem, GLOBAL)
    bad = copy.deepcopy(good)
    bad["profit"] = 500.0
    assert _constraints(problem, bad) == ["profit"]
    bad = copy.deepcopy(good)
    bad["pools"]["o1"]["quality"]["q1"] = 1.5
    assert _constraints(problem, bad) == ["pools.o1.quality.q1"]
    bad = copy.deepcopy(good)
    bad["products"]["p2"]["amount"] = 150.0
    assert _constraints(problem, bad) == ["products.p2.amount"]
    bad = copy.deepcopy(good)
    del bad["products"]["p2"]
    assert _constraints(problem, bad) == ["products.p2"]


def test_malformed_flows(problem: PoolingProblem) -> None:
    good = _flows(problem, GLOBAL)
    for entry, words in (({"from": "c1", "to": "p2", "amount": 1.0}, "no arc c1 -> p2"),
                         ({"from": "c2", "to": "o1", "amount": 1.0}, "listed twice"),
                         ({"from": "c1", "to": "o1", "amount": -1.0}, "negative flow"),
                         ({"from": "c1", "to": "o1", "amount": "x"}, "not a finite number")):
        bad = copy.deepcopy(good)
        bad["flows"].append(entry)
        messages = [v.message for v in check(problem, bad).violations]
        assert any(words in m for m in messages), messages
    assert not check(problem, {}).feasible
    assert check(problem, {"flows": "none"}).objective is None


def test_fixed_costs_enter_the_profit(
    haverly1: dict[str, Any], load: Callable[[dict[str, Any]], LoadedProblem]
) -> None:
    haverly1["pools"][0]["fixed_cost"] = 30.0
    haverly1["arcs"][5]["fixed_cost"] = 20.0  # c3 -> p2
    haverly1["arcs"][4]["fixed_cost"] = 1000.0  # c3 -> p1, unused: not charged
    problem: PoolingProblem = load(haverly1).problem
    report = check(problem, _flows(problem, GLOBAL))
    assert report.feasible and report.objective == pytest.approx(350.0)


def test_power_index_blending(
    haverly1: dict[str, Any], load: Callable[[dict[str, Any]], LoadedProblem]
) -> None:
    """With index power 2, 50/50 of quality 1 and 2 blends to sqrt(2.5), not 1.5."""
    haverly1["qualities"] = [{"name": "q1", "index_power": 2.0}]
    haverly1["products"][1]["quality_max"] = {"q1": 1.55}
    problem: PoolingProblem = load(haverly1).problem
    data = _flows(problem, GLOBAL)
    assert data["products"]["p2"]["quality"]["q1"] == pytest.approx(2.5 ** 0.5)
    assert "products[p2].quality_max.q1" in _constraints(problem, data)
