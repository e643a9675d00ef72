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


def modes(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"machine": m, "duration": d} for m, d in pairs]


def found_by_fuzzing() -> dict[str, Any]:
    """A multi-mode interruptible operation whose late starts all pause: the model once
    forced its absent modes' lengths into the paused sizes (wrongly infeasible)."""
    def op(interruptible: bool, *pairs: tuple[str, int]) -> dict[str, Any]:
        return {"interruptible": interruptible, "modes": modes(*pairs)}

    return {
        "type": "fjsp",
        "calendars": {"a": {"working": [{"start": 0, "end": 7}, {"start": 9, "end": 15}],
                            "repeat": 20, "downtime": [{"start": 22, "end": 30}]}},
        "machines": [{"id": "M0"}, {"id": "M1", "calendar": "a"}, {"id": "M2", "calendar": "a"}],
        "jobs": [
            {"id": "J0", "release": 2, "operations": [
                op(False, ("M1", 6), ("M2", 6), ("M0", 1)), op(True, ("M2", 1), ("M1", 1))]},
            {"id": "J1", "release": 2, "operations": [
                op(True, ("M1", 6)), op(True, ("M0", 4), ("M1", 3)),
                op(True, ("M1", 5), ("M2", 5), ("M0", 4))]},
            {"id": "J2", "release": 4, "operations": [
                op(False, ("M2", 1), ("M1", 6), ("M0", 2)), op(True, ("M2", 4), ("M1", 1))]},
            {"id": "J3", "release": 5, "operations": [
                op(False, ("M1", 5), ("M2", 6), ("M0", 3)), op(False, ("M0", 5), ("M2", 4))]},
        ],
    }


@pytest.mark.parametrize(("make", "optimum"), [(small, 21), (found_by_fuzzing, 17)])
def test_plain_and_main_agree_and_pass_the_checker(
    registry: Registry, make: Any, optimum: int
) -> None:
    for formulation in ("cpsat", "cpsat-plain"):
        doc = run(registry, make(), formulation=formulation, time_limit=5.0).document
        assert doc["status"] == "optimal", doc.get("message")
        assert doc["check"]["feasible"]
        assert doc["objective"] == optimum


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


def test_dispatch_retime_and_bound_on_the_sample(registry: Registry) -> None:
    from optikit_fjsp import calendar_bounds, calendar_dispatch
    from optikit_fjsp.cpsat import is_valid
    from optikit_fjsp.timetable import objective_value

    problem = load(registry, SAMPLE).problem
    start = calendar_dispatch.construct(problem, budget=0.1)
    assert start is not None and is_valid(problem, start)
    again = calendar_dispatch.retime(problem, start)
    assert is_valid(problem, again)
    assert objective_value(problem, again) <= objective_value(problem, start)
    assert calendar_bounds.lower_bound(problem) <= 5310  # the sample's optimum


def test_hint_is_complete_and_feasible(registry: Registry) -> None:
    from optikit_fjsp import calendar_dispatch, cpsat_model
    from optikit_fjsp.timetable import makespan
    from ortools.sat.python import cp_model

    problem = load(registry, found_by_fuzzing()).problem
    start = calendar_dispatch.construct(problem, budget=0.05)
    assert start is not None
    cm = cpsat_model.build(problem, makespan(problem.flat, start))
    cm.add_hint(problem, start)
    proto = cm.model.proto
    assert len(proto.solution_hint.vars) == len(proto.variables)
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    assert solver.solve(cm.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
