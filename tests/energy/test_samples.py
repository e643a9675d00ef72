"""Every shipped sample validates, solves quickly and passes the checker."""

from __future__ import annotations

import pytest

from optikit.problem_io import load_problem
from tests.energy.conftest import SAMPLES, run

SAMPLE_FILES = sorted(SAMPLES.glob("*.yaml"))


def test_the_samples_the_brief_asks_for_exist() -> None:
    names = {p.stem for p in SAMPLE_FILES}
    assert {"machining_cell_day", "slow_fast_two_days", "toy_full",
            "toy_processing_only"} <= names


def test_samples_are_registered(registry) -> None:
    ptype = registry.problem_types["energy-scheduling"]
    assert sorted(p.resolve() for p in ptype.samples) == [p.resolve() for p in SAMPLE_FILES]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_sample_solves_and_checks(registry, path) -> None:
    loaded = load_problem(path, registry)
    result = run(registry, loaded.document, time_limit=3)
    doc = result.document
    assert doc["status"] in ("optimal", "feasible"), doc.get("message")
    assert doc["check"]["feasible"], doc["check"]["violations"]
    energy = doc["solution"]["energy"]
    assert set(energy) == {"kwh", "cost", "co2_kg", "peak_kw"}
    cap = loaded.problem.peak_power
    assert cap is None or energy["peak_kw"] <= cap + 1e-6
    # The energy-aware plan is never worse than the makespan-only one it is compared with.
    assert doc["analysis"]["baseline"]["objective"] >= doc["objective"] - 1e-6


def test_slow_fast_sample_uses_both_kinds_of_mode(registry) -> None:
    loaded = load_problem(SAMPLES / "slow_fast_two_days.yaml", registry)
    names = {m.raw.get("name") for job in loaded.problem.shop.jobs
             for op in job.operations for m in op.modes}
    assert names == {"slow", "fast"}
    assert loaded.problem.horizon * loaded.problem.time_step == 2 * 24 * 60
