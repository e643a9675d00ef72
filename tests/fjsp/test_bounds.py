"""Solver-free lower bounds: valid on every instance, tight where the hand says so."""

from __future__ import annotations

import pytest

from optikit_fjsp.bounds import lower_bound, makespan_bound, tardiness_bound

from .conftest import instance, load, run, tiny_shop

BEST_KNOWN = {"mk01": 40, "mk02": 26, "mk03": 204, "mk04": 60, "mk05": 172, "mk06": 57,
              "mk07": 139, "mk08": 523, "mk09": 307, "mk10": 193}


@pytest.mark.parametrize("name", sorted(BEST_KNOWN))
def test_never_above_the_best_known_makespan(registry, name):
    bound = lower_bound(load(registry, instance(name)).problem)
    assert 0 < bound <= BEST_KNOWN[name]


def test_hand_example():
    # J1: 3 + 2 = 5; J2: release 1 + 2 + 2 = 5; J3: 3.  Work 3+2+2+2+3 = 12 on 2 machines: 6.
    # Dedicated: M1 has J2.0 (2); M2 has J1.1 and J3.0 (5).  So the makespan bound is 6.
    from optikit.problem_io import load_document
    from optikit.plugins import get_registry

    loaded = load_document(tiny_shop(), get_registry(), source="tiny")
    assert makespan_bound(loaded.problem) == 6
    # J3 ends at 3 at the earliest, due 4: no tardiness is forced.
    assert tardiness_bound(loaded.problem) == 0.0
    doc = tiny_shop()
    doc["jobs"][2]["due"] = 1  # now J3 is at least 2 late, weight 2
    doc["objective"] = {"makespan": 1, "total_weighted_tardiness": 3}
    loaded = load_document(doc, get_registry(), source="tiny")
    assert lower_bound(loaded.problem) == 6 + 3 * 2 * 2


def test_a_run_stopped_at_once_still_reports_a_valid_bound(registry):
    doc = run(registry, instance("mk10"), time_limit=0.5).document
    assert doc["status"] == "feasible"
    assert doc["bound"] is not None and doc["bound"] <= 193 <= doc["objective"]
