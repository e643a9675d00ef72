"""Machine calendars in energy-scheduling: shifts, downtime, interruptible operations.

The press-shop sample's optimum (179.271375) was proven by the time-indexed model on
CP-SAT (samples/README.md); here short runs must never beat it and bounds
never exceed it.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from optikit_energy import bucket_bound
from optikit_energy.generator import generate

from optikit.problem_io import ProblemFileError, load_document
from optikit.types import SolveContext, SolveOptions
from tests.energy.conftest import SAMPLES, load, read, run

PRESS_SHOP = SAMPLES / "press_shop_two_shifts.yaml"
PRESS_SHOP_OPTIMUM = 179.271375


@pytest.mark.parametrize(("solver", "extra"), [
    ("cpsat", {"model": "interval"}), ("highs", {}),
], ids=["cpsat-interval", "milp"])
def test_press_shop_sample_is_solved_within_its_calendars(registry, solver, extra) -> None:
    doc = run(registry, read(PRESS_SHOP), solver=solver, time_limit=2, baseline="false",
              **extra).document
    assert doc["status"] in ("optimal", "feasible"), doc.get("message")
    assert doc["check"]["feasible"], doc["check"]
    assert doc["objective"] >= PRESS_SHOP_OPTIMUM * (1 - 1e-7)
    if doc["bound"] is not None:
        assert doc["bound"] <= PRESS_SHOP_OPTIMUM * (1 + 1e-7)


def test_bucket_bound_stays_below_the_optimum_with_calendars(registry) -> None:
    """The relaxation counts each machine's working time per bucket, nothing else of
    the calendars (no pauses, no fit-in-window): still a valid bound."""
    problem = load(registry, read(PRESS_SHOP)).problem
    ctx = SolveContext(SolveOptions(time_limit=10, threads=1),
                       backends=registry.available_backend)
    found = bucket_bound.lower_bound(problem, ctx, 3.0, integer=False)
    # 161.7 (LP); 139.9 when the buckets ignored working time.
    assert found is not None and 150 <= found.value <= PRESS_SHOP_OPTIMUM


def test_cpsat_proves_the_milp_optimum_on_a_tiny_calendar_instance(registry) -> None:
    """cpsat (its automatic choice: the time-indexed model) and the MILP prove the same
    optimum; the interval model (usually proving it too) never contradicts it."""
    document = generate(0, "tiny", calendars="one-shift")
    cpsat = run(registry, document, time_limit=10, baseline="false")
    milp = run(registry, document, solver="highs", time_limit=10, baseline="false")
    interval = run(registry, document, time_limit=5, model="interval", baseline="false")
    docs = [cpsat.document, milp.document]
    assert [d["status"] for d in docs] == ["optimal", "optimal"], [d.get("message") for d in docs]
    optimum = milp.document["objective"]
    assert cpsat.document["objective"] == pytest.approx(optimum, rel=1e-7)
    doc = interval.document
    assert all(d["check"]["feasible"] for d in (*docs, doc))
    assert doc["objective"] >= optimum * (1 - 1e-7)
    assert doc["bound"] is None or doc["bound"] <= optimum * (1 + 1e-7)


def _break_shop(interruptible: bool) -> dict[str, Any]:
    """One machine working [0, 4) and [6, 12) (a break at 4-5), cheap units 2-7 only, one
    4-unit operation of 10 kW: interruptible, it runs 2-4 and 6-8 (pausing over the
    break, drawing nothing then) for 4 cheap units = 40 kWh x 1; otherwise it must lie in
    one window and pays two expensive units: 20 x 1 + 20 x 5 = 120."""
    return {
        "type": "energy-scheduling", "horizon": 12,
        "tariff": [{"start": 0, "end": 2, "price": 5}, {"start": 2, "end": 8, "price": 1},
                   {"start": 8, "end": 12, "price": 5}],
        "calendars": {"shift": {"working": [{"start": 0, "end": 4}, {"start": 6, "end": 12}]}},
        "calendar": "shift",
        "machines": [{"id": "M"}],
        "jobs": [{"id": "J", "operations": [{"interruptible": interruptible,
                                             "modes": [{"machine": "M", "duration": 4,
                                                        "power": 10}]}]}],
        "time_step": 60,
    }


@pytest.mark.parametrize(("interruptible", "span", "cost"), [
    (True, (2, 8), 40.0), (False, None, 120.0),
])
@pytest.mark.parametrize(("solver", "extra"), [
    ("cpsat", {"model": "interval"}), ("cpsat", {"model": "time-indexed"}), ("highs", {}),
], ids=["interval", "time-indexed", "milp"])
def test_interruptible_operations_pause_over_breaks(registry, interruptible, span, cost,
                                                    solver, extra) -> None:
    doc = run(registry, _break_shop(interruptible), solver=solver, time_limit=5,
              baseline="false", **extra).document
    assert doc["status"] == "optimal" and doc["check"]["feasible"], doc.get("message")
    assert doc["objective"] == pytest.approx(cost)
    (op,) = doc["solution"]["operations"]
    if span is not None:
        assert (op["start"], op["end"]) == span
        assert doc["solution"]["energy"]["kwh"] == pytest.approx(40.0)  # nothing while paused
    else:
        assert op["start"] in range(0, 1) or op["start"] in range(6, 9)


@pytest.mark.parametrize(("mutate", "field", "words"), [
    (lambda d: d["machines"][0].update(calendar="nights"), "machines[0].calendar",
     "unknown calendar"),
    (lambda d: d.update(calendar="nights"), "calendar", "unknown calendar"),
    (lambda d: d["jobs"][0]["operations"][0]["modes"][0].update(duration=7),
     "jobs[0].operations[0]", "can never fit"),
    (lambda d: d["jobs"][0]["operations"][0].update(interruptible="yes"),
     "jobs[0].operations[0].interruptible", ""),
], ids=["machine-ref", "default-ref", "too-long", "not-boolean"])
def test_bad_calendars_are_refused_with_the_field(registry, mutate, field, words) -> None:
    document = _break_shop(False)
    mutate(document)
    with pytest.raises(ProblemFileError) as info:
        load_document(copy.deepcopy(document), registry, source="shop")
    assert info.value.field == field
    assert words in info.value.message



@pytest.mark.parametrize("preset", ["one-shift", "two-shifts", "three-shifts"])
def test_generator_puts_machines_on_shifts(registry, preset) -> None:
    """(tests/energy/test_generator_heuristic.py checks their constructed schedules.)"""
    document = generate(1, "medium", calendars=preset)
    assert any(op.get("interruptible") for job in document["jobs"] for op in job["operations"])
    problem = load(registry, document).problem
    on_shifts = [m for m in range(problem.num_machines) if problem.shop.calendar(m)]
    assert on_shifts and len(on_shifts) < problem.num_machines  # ovens: round the clock
