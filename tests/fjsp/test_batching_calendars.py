"""Batch machines with working-time calendars: a batch never pauses over a break."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from optikit.problem_io import ProblemFileError
from optikit.registry import Registry
from tests.fjsp.conftest import load, run


def oven_with_shifts() -> dict[str, Any]:
    """A saw (always open), then an oven taking 3 per charge whose first shift is short.

    OVEN works [0, 4) and [10, 40).  J1 (A): CUT 2, OVEN 5.  J2 (A): CUT 1, OVEN 4,
    interruptible (it could pause on an ordinary machine, not in a batch).  Without the
    calendar one charge of J1 and J2 runs [2, 7); with it the charge cannot straddle the
    break [4, 10), so it starts at 10: the optimum makespan is 15.
    """
    return {
        "type": "fjsp",
        "name": "oven-shifts",
        "calendars": {"oven": {"working": [{"start": 0, "end": 4}, {"start": 10, "end": 40}]}},
        "machines": [{"id": "CUT"}, {"id": "OVEN", "calendar": "oven",
                                     "batch": {"capacity": 3}}],
        "jobs": [
            {"id": "J1", "product": "A", "operations": [
                {"modes": [{"machine": "CUT", "duration": 2}]},
                {"modes": [{"machine": "OVEN", "duration": 5}]}]},
            {"id": "J2", "product": "A", "operations": [
                {"modes": [{"machine": "CUT", "duration": 1}]},
                {"modes": [{"machine": "OVEN", "duration": 4}], "interruptible": True}]},
        ],
        "objective": "makespan",
    }


def plan(oven_start: int) -> dict[str, Any]:
    """CUT J2 [0,1), J1 [1,3); both oven operations in one charge from ``oven_start``."""
    def op(job: str, o: int, machine: str, start: int, end: int, **extra: Any
           ) -> dict[str, Any]:
        return {"job": job, "operation": o, "mode": 0, "machine": machine, "start": start,
                "end": end, **extra}

    return {"operations": [
        op("J2", 0, "CUT", 0, 1), op("J1", 0, "CUT", 1, 3),
        op("J1", 1, "OVEN", oven_start, oven_start + 5, batch="OVEN-1"),
        op("J2", 1, "OVEN", oven_start, oven_start + 5, batch="OVEN-1"),
    ]}


def violations(registry: Registry, payload: dict[str, Any]) -> list[str]:
    loaded = load(registry, oven_with_shifts())
    report = loaded.ptype.check(loaded.problem, {"solution": payload})
    return [f"{v.constraint}: {v.message}" for v in report.violations]


def test_checker_rejects_a_batch_across_a_break(registry: Registry) -> None:
    assert violations(registry, plan(10)) == []
    found = violations(registry, plan(3))  # [3, 8) straddles the break [4, 10)
    assert any(v.startswith("calendar: batch OVEN-1") for v in found), found


@pytest.mark.parametrize("formulation", ["cpsat", "cpsat-plain"])
def test_the_calendar_forces_the_charge_later(registry: Registry, formulation: str) -> None:
    doc = run(registry, oven_with_shifts(), formulation=formulation, time_limit=5.0).document
    assert doc["status"] == "optimal" and doc["check"]["feasible"], doc.get("message")
    assert doc["objective"] == 15
    oven = [e for e in doc["solution"]["operations"] if e["machine"] == "OVEN"]
    assert {(e["start"], e["end"], e["batch"]) for e in oven} == {(10, 15, "OVEN-1")}


def test_a_cycle_longer_than_every_window_names_the_operation(registry: Registry) -> None:
    doc = copy.deepcopy(oven_with_shifts())
    doc["machines"][1]["batch"]["cycle"] = 31  # the longest window is 30
    with pytest.raises(ProblemFileError) as caught:
        load(registry, doc)
    assert caught.value.field == "jobs[0].operations[1]"
    assert "never interrupted" in caught.value.message


def test_search_on_a_generated_shop_keeps_batches_in_working_windows(
    registry: Registry,
) -> None:
    """Dispatch, global solve and batch LNS on furnaces with shifts: every plan checked."""
    from optikit_fjsp.batching_generator import generate

    doc = generate(0, "small")
    doc["calendars"] = {"shifts": {"working": [{"start": 0, "end": 40},
                                              {"start": 50, "end": 90}], "repeat": 120}}
    doc["calendar"] = "shifts"
    for job in doc["jobs"][::3]:
        job["operations"][0]["interruptible"] = True
    result = run(registry, doc, time_limit=3.0)
    document = result.document
    assert document["check"]["feasible"], document["check"]["violations"][:3]
    assert document["stats"]["lns_iterations"] >= 1
    assert document["objective"] <= document["stats"]["dispatch_objective"]
