"""Calendars in the maintenance and energy-scheduling types: maintenance models and checks
them, energy-scheduling checks and models them (tests/energy/test_calendars.py has more)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from optikit import api
from optikit.types import InputError, UsageError

# One machine (working [0, 2) and [3, 12)), a 2-unit renewal (crew, not calendar-bound)
# and a 3-unit job due at 3.  Renew first at 0, job at 3 (2 is a break): late 3 x 10, risk
# 0.1 x 150, planned 2 x 5 -> 55.  Job first is worse (it pauses and the renewal slips).
MAINTENANCE = {
    "type": "maintenance",
    "horizon": 12,
    "calendars": {"shifts": {"working": [{"start": 0, "end": 2}, {"start": 3, "end": 12}]}},
    "calendar": "shifts",
    "machines": [{"id": "M", "downtime_cost": 5, "failure": {
        "probability": [[0, 0.1], [4, 0.5], [8, 0.9]], "repair_time": 10,
        "repair_cost": 100}}],
    "crews": [{"id": "tech", "size": 1}],
    "tasks": [{"id": "renew", "machine": "M", "duration": 2, "crew": "tech"}],
    "jobs": [{"id": "J", "due": 3, "weight": 10, "operations": [
        {"interruptible": True, "modes": [{"machine": "M", "duration": 3}]}]}],
}


def test_maintenance_cp_honours_calendars() -> None:
    solution = api.solve(copy.deepcopy(MAINTENANCE), time_limit=10, threads=1)
    doc = solution.document
    assert doc["status"] == "optimal" and doc["check"]["feasible"]
    assert doc["objective"] == pytest.approx(55.0)
    (op,) = doc["solution"]["operations"]
    assert (op["start"], op["end"]) == (3, 6)


def test_maintenance_checker_and_milp() -> None:
    payload: dict[str, Any] = {"solution": {
        "operations": [{"job": "J", "operation": 0, "mode": 0, "machine": "M",
                        "start": 0, "end": 3}],
        "maintenance": [{"task": "renew", "machine": "M", "crew": "tech",
                         "start": 4, "end": 6}],
    }}
    report = api.check(copy.deepcopy(MAINTENANCE), payload)
    assert any(v.constraint == "calendar" for v in report.violations)
    with pytest.raises((UsageError, InputError), match="calendars"):
        api.solve(copy.deepcopy(MAINTENANCE), formulation="time-indexed", solver="highs",
                  time_limit=5)


ENERGY: dict[str, Any] = {
    "type": "energy-scheduling",
    "horizon": 8,
    "tariff": [{"start": 0, "end": 8, "price": 1}],
    "calendars": {"day": {"working": [{"start": 2, "end": 8}]}},
    "machines": [{"id": "M", "calendar": "day"}],
    "jobs": [{"id": "J", "operations": [{"modes": [{"machine": "M", "duration": 2,
                                                    "power": 1}]}]}],
}


def test_energy_checks_and_solves_calendars() -> None:
    payload = {"solution": {"operations": [{"job": "J", "operation": 0, "mode": 0,
                                            "machine": "M", "start": 0, "end": 2}]}}
    report = api.check(copy.deepcopy(ENERGY), payload)
    assert any(v.constraint == "calendar" for v in report.violations)
    doc = api.solve(copy.deepcopy(ENERGY), time_limit=5, threads=1).document
    assert doc["status"] == "optimal" and doc["check"]["feasible"]
    assert doc["solution"]["operations"][0]["start"] >= 2
