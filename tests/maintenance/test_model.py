"""Parsing: exact numbers, curves, and the rules a schema cannot say (with field paths)."""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import pytest
from optikit_maintenance.model import exact, parse

from optikit.types import InvalidProblem


def test_numbers_are_read_as_their_decimal_text() -> None:
    assert exact(0.1) == Fraction(1, 10)
    assert exact(3) == Fraction(3)
    with pytest.raises(TypeError):
        exact(True)


def test_curve_is_piecewise_linear_and_constant_outside(hand: dict[str, Any]) -> None:
    machine = parse(hand).machines[0]
    assert machine.failure is not None
    curve = machine.failure.probability
    assert curve.at(0) == Fraction(1, 10)
    assert curve.at(3) == Fraction(1, 10) + Fraction(4, 10) * Fraction(3, 4)
    assert curve.at(8) == curve.at(50) == Fraction(9, 10)
    assert machine.breakdown_cost == 150
    assert machine.expected_failure_cost(4) == 75


def _error(document: dict[str, Any]) -> InvalidProblem:
    with pytest.raises(InvalidProblem) as err:
        parse(document)
    return err.value


def test_reference_and_uniqueness_errors_name_the_field(hand: dict[str, Any]) -> None:
    bad = copy.deepcopy(hand)
    bad["tasks"][0]["machine"] = "X"
    assert _error(bad).field == "tasks[0].machine"
    bad = copy.deepcopy(hand)
    bad["jobs"][0]["operations"][0]["modes"][0]["machine"] = "X"
    assert _error(bad).field == "jobs[0].operations[0].modes[0].machine"
    bad = copy.deepcopy(hand)
    bad["machines"].append({"id": "M"})
    assert _error(bad).field == "machines[1].id"
    bad = copy.deepcopy(hand)
    bad["tasks"][0]["crew"] = "nobody"
    assert _error(bad).field == "tasks[0].crew"


def test_semantic_rules(hand: dict[str, Any]) -> None:
    bad = copy.deepcopy(hand)
    bad["tasks"][0]["technicians"] = 2
    assert "has 1" in _error(bad).message
    bad = copy.deepcopy(hand)
    bad["tasks"][0]["window"] = {"start": 5, "end": 6}
    assert _error(bad).field == "tasks[0].window"
    bad = copy.deepcopy(hand)
    bad["tasks"].append({"id": "again", "machine": "M", "duration": 1, "crew": "tech"})
    assert _error(bad).field == "tasks[1].renews"
    bad = copy.deepcopy(hand)
    bad["machines"][0]["failure"]["probability"] = [[0, 0.5], [4, 0.2]]
    assert _error(bad).field == "machines[0].failure.probability[1]"
    bad = copy.deepcopy(hand)
    bad["crews"][0]["shifts"] = [{"start": 4, "end": 8}, {"start": 6, "end": 10}]
    assert _error(bad).field == "crews[0].shifts[1].start"
    bad = copy.deepcopy(hand)
    bad["tasks"][0]["renews"] = False
    bad["machines"][0]["rul"] = 5
    assert _error(bad).field == "machines[0].rul"
    bad = copy.deepcopy(hand)
    bad["tasks"][0]["skip_cost"] = 3
    assert _error(bad).field == "tasks[0].skip_cost"


def test_back_to_back_shifts_form_one_block(hand: dict[str, Any]) -> None:
    hand["crews"][0]["shifts"] = [{"start": 0, "end": 4}, {"start": 4, "end": 8},
                                  {"start": 10, "end": 12}]
    crew = parse(hand).crews[0]
    assert crew.shifts == ((0, 8), (10, 12))
    assert crew.covers(3, 6) and not crew.covers(7, 11)


def test_rul_makes_an_optional_renewal_mandatory_only_when_it_ends_early(
    hand: dict[str, Any],
) -> None:
    hand["tasks"][0]["optional"] = True
    assert not parse(hand).must_perform(0)
    hand["machines"][0]["rul"] = 9
    hand["machines"][0]["rul_safety"] = 2
    problem = parse(hand)
    assert problem.must_perform(0)
    assert problem.latest_start(0) == 7
    hand["machines"][0]["rul"] = 30
    assert not parse(hand).must_perform(0)
