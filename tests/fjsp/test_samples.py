"""The shipped samples validate and solve to their (cross-checked) optima in seconds."""

from __future__ import annotations

import pytest

from optikit.registry import Registry
from tests.fjsp.conftest import SAMPLES, run

# Optima proven by CP-SAT and by the MILP with HiGHS (independent formulations);
# the samples' changeover tables obey the triangle inequality, so the MILP is exact.
OPTIMA = {
    "mixed_model_line.yaml": 124,  # makespan 54 + 2 x weighted tardiness 35
    "moulding_changeovers.yaml": 26,  # total weighted tardiness
    "machining_cell.yaml": 52,  # makespan
    # makespan 4710 + 10 x weighted tardiness 6; CP-SAT and cpsat-plain agree.
    "two_shift_cell.yaml": 5310,
    # Batches (no MILP): proven by cpsat in seconds and by cpsat-plain in 105 s.
    "heat_treatment_batches.yaml": 1001,  # makespan 81 + 10 x weighted tardiness 92
}


def test_samples_are_registered(registry: Registry) -> None:
    ptype = registry.problem_types["fjsp"]
    assert sorted(p.name for p in ptype.samples) == sorted(OPTIMA)


@pytest.mark.serial  # a proof within 20 s: not beside a loaded parallel phase
@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_sample_optimum(name: str, registry: Registry) -> None:
    result = run(registry, SAMPLES / name, time_limit=20.0)
    doc = result.document
    assert doc["status"] == "optimal", doc.get("message")
    assert doc["objective"] == OPTIMA[name]
    assert doc["check"]["feasible"]


def test_mixed_model_line_has_changeovers_and_late_orders(registry: Registry) -> None:
    doc = run(registry, SAMPLES / "mixed_model_line.yaml", time_limit=20.0).document
    figures = doc["check"]["figures"]
    assert {o["job"] for o in doc["solution"]["operations"]} == {f"O{i}" for i in range(1, 9)}
    assert figures["setups"] > 0 and figures["setup_time"] > 0
    assert figures["late_jobs"] > 0
    assert figures["makespan"] + 2 * figures["total_weighted_tardiness"] == 124
