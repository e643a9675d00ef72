"""The cross-checked toy (samples/toy_*.yaml) on CP-SAT and on the MILP: both must agree.

108,900 for the full model (processing + idle + switch-ons), 101,700 for processing
energy only.  CP-SAT runs its automatic choice (the time-indexed model, which proves these
optima in about a second) and the interval model (which must never contradict them).
"""

from __future__ import annotations

import pytest

from tests.energy.conftest import (
    TOY_FULL,
    TOY_FULL_OPTIMUM,
    TOY_PROCESSING,
    TOY_PROCESSING_OPTIMUM,
    read,
    run,
)

CASES = [(TOY_FULL, TOY_FULL_OPTIMUM), (TOY_PROCESSING, TOY_PROCESSING_OPTIMUM)]
IDS = ["full", "processing-only"]


@pytest.mark.parametrize(("path", "optimum"), CASES, ids=IDS)
@pytest.mark.parametrize("solver", ["cpsat", "highs"])
def test_toy_optimum_is_proven(registry, path, optimum, solver) -> None:
    result = run(registry, read(path), solver=solver, time_limit=30)
    doc = result.document
    assert doc["status"] == "optimal", doc.get("message")
    assert doc["objective"] == pytest.approx(optimum, rel=1e-9)
    assert doc["check"]["feasible"]
    assert doc["solution"]["energy"]["cost"] == pytest.approx(optimum, rel=1e-9)
    assert doc["solution"]["energy"]["peak_kw"] <= 120 + 1e-9
    assert result.exit_code == 0


def test_full_toy_switches_machines_off_for_the_day(registry) -> None:
    doc = run(registry, read(TOY_FULL), time_limit=30).document
    # Four switch-ons at the night price: both machines off during the expensive day.
    assert doc["analysis"]["energy_breakdown"]["switch_ons"] == 4
    assert doc["analysis"]["energy_breakdown"]["idle_kwh"] == pytest.approx(0.0)
    assert all(len(times) == 2 for times in doc["solution"]["switch_on"].values())


def test_interval_model_proves_processing_only_toy(registry) -> None:
    doc = run(registry, read(TOY_PROCESSING), time_limit=30, model="interval",
              baseline="false").document
    assert doc["status"] == "optimal", doc.get("message")
    assert doc["objective"] == pytest.approx(TOY_PROCESSING_OPTIMUM, rel=1e-9)


def test_interval_model_is_consistent_with_the_full_toy(registry) -> None:
    doc = run(registry, read(TOY_FULL), time_limit=4, model="interval",
              baseline="false").document
    assert doc["status"] in ("optimal", "feasible")
    assert doc["check"]["feasible"]
    # Never better than the proven optimum, and its bound never above it.
    assert doc["objective"] >= TOY_FULL_OPTIMUM - 1e-6
    assert doc["bound"] is not None and doc["bound"] <= TOY_FULL_OPTIMUM + 1e-6
