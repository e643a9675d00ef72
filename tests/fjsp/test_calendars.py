"""fjsp with working-time calendars: solved schedules pass the independent checker,
which rejects one that runs across a break; formulations that cannot model calendars
refuse them."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from optikit_fjsp.checker import check

from optikit.registry import Registry
from optikit.types import InvalidProblem
from tests.fjsp.conftest import SAMPLES, load, run

SAMPLE = SAMPLES / "two_shift_cell.yaml"


def small() -> dict[str, Any]:
    """Two machines, one on shifts [0, 8) and [9, 16) daily; one always available."""
    return {
        "type": "fjsp",
        "calendars": {"day": {"working": [{"start": 0, "end": 8}, {"start": 9, "end": 16}],
                              "repeat": 24}},
        "machines": [{"id": "A", "calendar": "day"}, {"id": "B"}],
        "jobs": [
            {"id": "J1", "operations": [
                {"modes": [{"machine": "A", "duration": 6}]},
                {"interruptible": True, "modes": [{"machine": "A", "duration": 6},
                                                  {"machine": "B", "duration": 14}]}]},
            {"id": "J2", "operations": [
                {"modes": [{"machine": "A", "duration": 5}, {"machine": "B", "duration": 7}]},
                {"interruptible": True, "modes": [{"machine": "A", "duration": 4}]}]},
        ],
    }


def test_plain_and_main_agree_and_pass_the_checker(registry: Registry) -> None:
    values = []
    for formulation in ("cpsat", "cpsat-plain"):
        doc = run(registry, small(), formulation=formulation, time_limit=5.0).document
        assert doc["status"] == "optimal", doc.get("message")
        assert doc["check"]["feasible"]
        values.append(doc["objective"])
    assert values[0] == values[1]


def test_checker_rejects_an_operation_across_a_break(registry: Registry) -> None:
    loaded = load(registry, small())
    payload = {"operations": [
        {"job": "J1", "operation": 0, "mode": 0, "machine": "A", "start": 4, "end": 10},
        {"job": "J1", "operation": 1, "mode": 1, "machine": "B", "start": 10, "end": 24},
        {"job": "J2", "operation": 0, "mode": 1, "machine": "B", "start": 0, "end": 7},
        {"job": "J2", "operation": 1, "mode": 0, "machine": "A", "start": 10, "end": 14},
    ]}
    report = check(loaded.problem, payload)
    assert [v.constraint for v in report.violations] == ["calendar"]
    fixed = copy.deepcopy(payload)
    fixed["operations"][0].update(start=0, end=6)
    fixed["operations"][3].update(start=7, end=12)  # interruptible: pauses over [8, 9)
    assert check(loaded.problem, fixed).violations == []


def test_sample_payload_shows_clock_times(registry: Registry) -> None:
    doc = run(registry, SAMPLE, time_limit=10.0).document
    assert doc["check"]["feasible"]
    first = doc["solution"]["operations"][0]
    assert first["start_time"].startswith("2026-12-04T")


def test_milp_refuses_calendars(registry: Registry) -> None:
    with pytest.raises(InvalidProblem, match="calendars"):
        run(registry, small(), solver="highs", formulation="milp", time_limit=2.0)
