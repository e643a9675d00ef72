"""The independent checker: a valid hand-made plan passes, every kind of violation fails."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from optikit_lotsizing.checker import check

from optikit.registry import Registry
from tests.lot_sizing.conftest import load, two_items


def good_plan() -> dict[str, Any]:
    """A feasible plan for :func:`two_items`, costed by hand.

    A made lot-for-lot: 30, 40, 20.  B: 30 on hand, consumed 30/40/20; 60 ordered in
    period 1 arrive in period 2 at the 1.5 break.
    Stock A 0/0/0; B 0/20/0.  Cost: setups 3 x 50 = 150, holding 0.1 x 20 = 2,
    purchase 60 x 1.5 + 5 = 95: total 247.
    """
    return {
        "production": [{"item": "A", "period": 1, "quantity": 30},
                       {"item": "A", "period": 2, "quantity": 40},
                       {"item": "A", "period": 3, "quantity": 20}],
        "purchases": [{"item": "B", "supplier": "S", "period": 1, "quantity": 60}],
        "stock": {"A": [0, 0, 0], "B": [0, 20, 0]},
    }


@pytest.fixture
def problem(registry: Registry) -> Any:
    return load(registry, two_items()).problem


def test_good_plan_is_feasible_and_costed(problem: Any) -> None:
    report = check(problem, good_plan())
    assert report.violations == []
    assert report.objective == pytest.approx(247.0)
    assert report.figures["costs"]["purchase"] == pytest.approx(95.0)
    assert report.figures["setups"] == 3


def _broken(change: str) -> dict[str, Any]:
    plan = copy.deepcopy(good_plan())
    prod, buy = plan["production"], plan["purchases"]
    if change == "demand unmet":
        prod[2]["quantity"] = 10
    elif change == "component short":
        buy[0]["quantity"] = 20  # MOQ-fine, but B runs out in period 2
    elif change == "capacity":
        prod[0]["quantity"] = 140  # 140 + 10 setup > 100 + 20 overtime
        prod[1]["quantity"] = 0
    elif change == "moq":
        buy[0]["quantity"] = 10
    elif change == "multiple":
        buy[0]["quantity"] = 65
    elif change == "unknown supplier":
        buy[0]["supplier"] = "X"
    elif change == "late order":
        buy[0]["period"] = 3
    elif change == "not produced item":
        prod.append({"item": "B", "period": 1, "quantity": 5})
    elif change == "negative":
        prod[0]["quantity"] = -1
    elif change == "duplicate":
        prod.append(dict(prod[0]))
    elif change == "period out of range":
        prod[0]["period"] = 4
    elif change == "stock misreported":
        plan["stock"]["B"][1] = 25
    elif change == "no production list":
        del plan["production"]
    return plan


@pytest.mark.parametrize("change", [
    "demand unmet", "component short", "capacity", "moq", "multiple", "unknown supplier",
    "late order", "not produced item", "negative", "duplicate", "period out of range",
    "stock misreported", "no production list",
])
def test_each_violation_is_caught(problem: Any, change: str) -> None:
    assert check(problem, _broken(change)).violations, change


def test_overtime_within_limit_is_paid(problem: Any) -> None:
    plan = good_plan()
    plan["production"][0]["quantity"] = 100  # 100 + 10 setup = 110: 10 overtime at 2
    plan["production"][1]["quantity"] = 0
    plan["production"][2]["quantity"] = 0
    plan["purchases"][0]["quantity"] = 70  # B: 30 on hand, 70 arrive in period 2 ... late
    del plan["stock"]
    report = check(problem, plan)
    # B is consumed in period 1 (100) but only 30 are there: a shortage, and overtime paid
    assert any("stock.B" in v.constraint for v in report.violations)
    assert report.figures["costs"]["overtime"] == pytest.approx(20.0)


def test_price_break_and_setup_implied(registry: Registry) -> None:
    doc = two_items()
    doc["items"][1]["initial_stock"] = 200
    problem = load(registry, doc).problem
    plan = {"production": [{"item": "A", "period": 1, "quantity": 90},
                           {"item": "A", "period": 3, "quantity": 0}],
            "purchases": [{"item": "B", "supplier": "S", "period": 1, "quantity": 30}]}
    report = check(problem, plan)
    assert report.violations == []
    # one setup (the zero quantity implies none), holding A 60 + 20, B (110, 140, 140)
    assert report.figures["setups"] == 1
    assert report.figures["costs"]["purchase"] == pytest.approx(30 * 2.0 + 5)
    assert report.figures["costs"]["holding"] == pytest.approx(80 + 0.1 * 390)


def test_backlog_allowed_only_when_priced(registry: Registry) -> None:
    doc = two_items()
    doc["items"][1]["initial_stock"] = 200
    plan = {"production": [{"item": "A", "period": 2, "quantity": 70},
                           {"item": "A", "period": 3, "quantity": 20}]}
    assert check(load(registry, doc).problem, plan).violations
    doc["items"][0]["backlog_cost"] = 3
    report = check(load(registry, doc).problem, plan)
    assert report.violations == []
    assert report.figures["costs"]["backlog"] == pytest.approx(90.0)
    assert report.figures["service_level"] == pytest.approx(1 - 30 / 90)
    late = {"production": [{"item": "A", "period": 2, "quantity": 60}]}
    assert check(load(registry, doc).problem, late).violations  # backlog left at the end


def test_safety_stock(registry: Registry) -> None:
    doc = two_items()
    doc["items"][0]["safety_stock"] = 5
    report = check(load(registry, doc).problem, good_plan() | {"stock": None})
    assert any("safety stock" in v.message for v in report.violations)


def test_lead_time_shifts_availability(registry: Registry) -> None:
    doc = two_items()
    doc["items"][0]["lead_time"] = 1
    doc["items"][0]["initial_stock"] = 30
    doc["items"][1]["initial_stock"] = 200
    problem = load(registry, doc).problem
    plan = good_plan()
    del plan["stock"]
    plan["production"] = [{"item": "A", "period": 1, "quantity": 40},
                          {"item": "A", "period": 2, "quantity": 20}]
    assert check(problem, plan).violations == []
    plan["production"].append({"item": "A", "period": 3, "quantity": 1})
    assert any("after the last period" in v.message for v in check(problem, plan).violations)


@pytest.mark.parametrize("row", [
    {"item": ["A"], "period": 1, "quantity": 1},
    {"item": "A", "period": 1.5, "quantity": 1},
    {"item": "A", "period": True, "quantity": 1},
    {"item": "A", "period": 1, "quantity": "1"},
    {"item": "A", "period": 1, "quantity": float("nan")},
    "not an object",
])
def test_malformed_rows_are_violations_not_crashes(problem: Any, row: Any) -> None:
    plan = good_plan()
    plan["production"].append(row)
    plan["purchases"].append({"item": {"x": 1}, "supplier": ["S"], "period": 1,
                              "quantity": 1})
    assert check(problem, plan).violations
