"""The weighted-tardiness queue bound: per-job slots, work-centre sets, never above an optimum."""

from __future__ import annotations

import copy
from typing import Any

from optikit_fjsp import bounds
from optikit_fjsp.generator import generate
from optikit_fjsp.tardiness_bound import candidate_sets, tardiness_set_bound

from .conftest import load, run


def two_visits() -> dict[str, Any]:
    """One machine, two jobs due at 0, each a short then a long operation on it.

    Per operation, the two earliest slots are the short operations' (1 and 2), so each
    job's long operation only has to end at its own chain end 11: 22.  Per job (11 units
    of work each) the slots are 11 and 22: 33, which is the optimum (J1 then J2).
    """
    job = {"due": 0, "operations": [{"modes": [{"machine": "M1", "duration": 1}]},
                                    {"modes": [{"machine": "M1", "duration": 10}]}]}
    return {
        "type": "fjsp",
        "name": "two-visits",
        "machines": [{"id": "M1"}],
        "jobs": [{"id": "J1", **copy.deepcopy(job)}, {"id": "J2", **copy.deepcopy(job)}],
        "objective": "total_weighted_tardiness",
    }


def test_per_job_slots_see_repeated_visits_to_a_machine(registry) -> None:
    loaded = load(registry, two_visits())
    assert bounds.tardiness_bound(loaded.problem) == 22  # the job chains alone
    assert tardiness_set_bound(loaded.problem.flat) == 33
    value, source = bounds.lower_bound_with_source(loaded.problem)
    assert value == 33 and "machine queues" in source
    result = run(registry, loaded, time_limit=5.0, threads=1).document
    assert result["status"] == "optimal" and result["objective"] == 33


def test_candidate_sets_include_work_centres() -> None:
    # Operations eligible on {M1, M2} and on {M2, M3}: the centre {M1, M2, M3} is tried.
    masks = [0b011, 0b110, 0b011, 0b1000]
    sets = candidate_sets(masks)
    assert 0b111 in sets and 0b011 in sets and 0b1000 in sets
    assert 0b1111 not in sets  # M4 shares no operation with the others


def test_never_above_optima_proven_by_cpsat(registry) -> None:
    positive = 0
    for seed in range(3, 9):
        doc = generate(seed, "tiny")
        doc["objective"] = "total_weighted_tardiness"
        for job in doc["jobs"]:  # tighter due dates, so that tardiness is forced
            job["due"] = max(0, job["due"] // 2)
        loaded = load(registry, doc)
        value = tardiness_set_bound(loaded.problem.flat)
        result = run(registry, loaded, time_limit=10.0, threads=1).document
        assert result["status"] == "optimal", seed
        assert value <= result["objective"] + 1e-9, seed
        positive += value > bounds.tardiness_bound(loaded.problem)
    assert positive  # the queues say more than the chains somewhere
