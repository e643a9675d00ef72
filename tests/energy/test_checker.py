"""The checker recomputes energy unit by unit from the schedule and rejects bad payloads."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from optikit_energy import energy
from optikit_energy.checker import check

from optikit.runner import check_solution
from tests.energy.conftest import TOY_FULL, TOY_FULL_OPTIMUM, load, read, tiny_shop

# One optimal schedule of the toy (samples/toy_full.yaml): (job, machine, start).
TOY_OPTIMUM = [
    ("J7", "M1", 0), ("J3", "M1", 3), ("J5", "M1", 20),
    ("J8", "M2", 0), ("J4", "M2", 2), ("J2", "M2", 5), ("J6", "M2", 8), ("J1", "M2", 20),
]
DURATION = {"J1": 4, "J2": 3, "J3": 5, "J4": 3, "J5": 4, "J6": 2, "J7": 3, "J8": 2}


def toy_payload(entries=TOY_OPTIMUM, switch_on=None) -> dict[str, Any]:
    ops = [
        {"job": j, "operation": 0, "mode": 0 if m == "M1" else 1, "machine": m,
         "start": s, "end": s + DURATION[j]}
        for j, m, s in entries
    ]
    return {"operations": ops, "switch_on": switch_on or {"M1": [0, 20], "M2": [0, 20]}}


def with_energy(problem: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Fill in the energy block the way an honest solver would (so that only the
    mutation under test is wrong)."""
    from optikit_energy.checker import switch_on_from_payload

    from optikit.scheduling import schedule_from_payload

    schedule, _ = schedule_from_payload(problem.shop, payload)
    switch_on, _ = switch_on_from_payload(problem, payload)
    figures, _ = energy.compute(problem, schedule, switch_on)
    return {**payload, "energy": figures.payload()}


@pytest.fixture(scope="module")
def toy(registry):
    return load(registry, read(TOY_FULL)).problem


def test_reference_schedule_costs_the_reference_optimum(toy) -> None:
    report = check(toy, with_energy(toy, toy_payload()))
    assert report.feasible, report.violations
    assert report.objective == pytest.approx(TOY_FULL_OPTIMUM)
    figures = report.figures
    # 1,575 kWh processing + 4 switch-ons x 30 kWh, peak 120 kW at 0-1, 5-7 and 20-23.
    assert figures["kwh"] == pytest.approx(1695.0)
    assert figures["processing_kwh"] == pytest.approx(1575.0)
    assert figures["startup_kwh"] == pytest.approx(120.0)
    assert figures["idle_kwh"] == pytest.approx(0.0)
    assert figures["switch_ons"] == 4
    assert figures["peak_kw"] == pytest.approx(120.0)
    # CO2 by hand: 915 kWh at 0.30, 180 at 0.45, 480 at 0.35, start-ups 60 at 0.30 + 60 at 0.35.
    assert figures["co2_kg"] == pytest.approx(274.5 + 81.0 + 168.0 + 18.0 + 21.0)


def test_staying_on_costs_idle_energy_at_the_tariff(toy) -> None:
    # M2 stays on from 0 to 24: idle 10 kW over units 10-19 (1 at 100, 2 at 160, 4 at 100,
    # 3 at 160) = 13,000, one switch-on fewer (30 kWh at 60 = 1,800).
    payload = with_energy(toy, toy_payload(switch_on={"M1": [0, 20], "M2": [0]}))
    report = check(toy, payload)
    assert report.feasible, report.violations
    assert report.objective == pytest.approx(TOY_FULL_OPTIMUM + 13_000 - 1_800)
    assert report.figures["idle_kwh"] == pytest.approx(100.0)


def test_tiny_shop_by_hand(registry) -> None:
    problem = load(registry, tiny_shop()).problem
    ops = [
        {"job": "A", "operation": 0, "mode": 0, "machine": "M1", "start": 0, "end": 2},
        {"job": "A", "operation": 1, "mode": 0, "machine": "M2", "start": 2, "end": 3},
        {"job": "B", "operation": 0, "mode": 0, "machine": "M1", "start": 5, "end": 6},
    ]
    # M1 on 0-6 (idle 5 kW over 2-5), M2 switched on at 1 (idle 10 kW in unit 1).
    report = check(problem, with_energy(problem, {"operations": ops, "switch_on": {"M2": [1]}}))
    assert report.feasible, report.violations
    f = report.figures
    # kWh: 80 (A0) + 60 (A1) + 30 (B) + idle 15 (M1) + 10 (M2) + start-up 20.
    assert f["kwh"] == pytest.approx(215.0)
    # cost: 80*10 + 60*10 + 30*30 + idle M1 (10*10 + 5*30) + idle M2 10*10 + start-up 20*10.
    assert f["cost"] == pytest.approx(800 + 600 + 900 + 250 + 100 + 200)
    # CO2: 80*.5 + 60*.5 + 30*.2 + (10*.5 + 5*.2) + 10*.5 + 20*.5.
    assert f["co2_kg"] == pytest.approx(40 + 30 + 6 + 6 + 5 + 10)
    # Unit 1: A0 40 + M2 idle 10; unit 2: M1 idle 5 + A1 60.
    assert f["peak_kw"] == pytest.approx(65.0)
    assert report.objective == pytest.approx(f["cost"])


def _moved(entries, job, machine=None, start=None):
    out = []
    for j, m, s in entries:
        if j == job:
            m = machine or m
            s = s if start is None else start
        out.append((j, m, s))
    return out


MUTATIONS = {
    # J3 (40 kW) moved to 8-13 meets J6 (90 kW) at 8-10: 130 kW > 120.
    "peak exceeded": (lambda: toy_payload(_moved(TOY_OPTIMUM, "J3", start=8)), "peak_power"),
    "overlap": (lambda: toy_payload(_moved(TOY_OPTIMUM, "J4", start=1)), "capacity"),
    "past the horizon": (lambda: toy_payload(_moved(TOY_OPTIMUM, "J1", start=21)), "horizon"),
    "off while running": (
        lambda: toy_payload(switch_on={"M1": [0, 20], "M2": [20]}), "switching"),
    "switched on while on": (
        lambda: toy_payload(switch_on={"M1": [0, 2, 20], "M2": [0, 20]}), "switching"),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_checker_rejects_mutations(toy, name) -> None:
    make, constraint = MUTATIONS[name]
    report = check(toy, with_energy(toy, make()))
    assert not report.feasible
    assert constraint in {v.constraint for v in report.violations}, report.violations


def test_checker_rejects_an_ineligible_machine(registry) -> None:
    problem = load(registry, tiny_shop()).problem
    ops = [
        # A's first operation can only run on M1.
        {"job": "A", "operation": 0, "mode": 0, "machine": "M2", "start": 0, "end": 2},
        {"job": "A", "operation": 1, "mode": 0, "machine": "M2", "start": 2, "end": 3},
        {"job": "B", "operation": 0, "mode": 0, "machine": "M1", "start": 0, "end": 1},
    ]
    report = check(problem, with_energy(problem, {"operations": ops, "switch_on": {"M2": [0]}}))
    assert "eligibility" in {v.constraint for v in report.violations}


@pytest.mark.parametrize("key", ["kwh", "cost", "co2_kg", "peak_kw"])
def test_checker_verifies_the_energy_figures(toy, key) -> None:
    payload = with_energy(toy, toy_payload())
    payload["energy"][key] *= 1.001
    report = check(toy, payload)
    assert [v.constraint for v in report.violations] == ["energy"]
    assert key in report.violations[0].message


def test_checker_requires_the_energy_block(toy) -> None:
    report = check(toy, toy_payload())
    assert [v.constraint for v in report.violations] == ["energy"]


def test_switch_ons_only_for_machines_that_can_switch(registry) -> None:
    problem = load(registry, tiny_shop()).problem
    ops = [
        {"job": "A", "operation": 0, "mode": 0, "machine": "M1", "start": 0, "end": 2},
        {"job": "A", "operation": 1, "mode": 0, "machine": "M2", "start": 2, "end": 3},
        {"job": "B", "operation": 0, "mode": 0, "machine": "M1", "start": 2, "end": 3},
    ]
    payload = with_energy(problem, {"operations": ops, "switch_on": {"M1": [0], "M2": [2]}})
    report = check(problem, payload)
    assert "switching" in {v.constraint for v in report.violations}


def test_check_solution_compares_the_claimed_objective(registry) -> None:
    loaded = load(registry, read(TOY_FULL))
    payload = with_energy(loaded.problem, toy_payload())
    good = {"type": "energy-scheduling", "objective": TOY_FULL_OPTIMUM, "solution": payload}
    assert check_solution(loaded, good).feasible
    bad = copy.deepcopy(good)
    bad["objective"] = TOY_FULL_OPTIMUM - 100
    assert not check_solution(loaded, bad).feasible
