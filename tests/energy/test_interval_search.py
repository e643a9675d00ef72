"""The interval model's search on a mid-size instance: hint, global solve, LNS."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from optikit_energy.generator import generate

from optikit.runner import solve
from optikit.types import SolveOptions
from tests.energy.conftest import load


@pytest.fixture(scope="module")
def medium_run(registry):
    loaded = load(registry, generate(5, "medium"))
    events: list[Any] = []
    # The bound comes from the global solve's root: give it most of the run (the default
    # 20 % share left it about 2.5 s, which a busy machine can spend in presolve) and no
    # makespan-only baseline ahead of it.
    result = solve(loaded, registry, solver="cpsat",
                   options=SolveOptions(time_limit=6, threads=2, seed=1,
                                        extra={"global_share": "0.6", "baseline": "false"}),
                   on_progress=events.append)
    return result, events


def test_medium_instance_gets_a_checked_schedule_and_a_bound(medium_run) -> None:
    result, _ = medium_run
    doc = result.document
    assert doc["status"] in ("optimal", "feasible"), doc.get("message")
    assert doc["check"]["feasible"]
    stats = doc["stats"]
    assert stats["model_kind"] == "interval"
    if stats["global"] == "skipped":
        # The bound thread runs: the LNS (on sub-models) takes the global solve's time.
        assert stats["lns"]["iterations"] >= 1
    else:
        assert stats["hint"] == "complete"
    assert doc["bound"] is not None and doc["bound"] <= doc["objective"] + 1e-6
    assert doc["gap"] is not None
    # The search starts from the constructive schedule and never ends worse.
    assert doc["objective"] <= stats["heuristic_objective"] + 1e-6


def test_reported_incumbents_only_improve(medium_run) -> None:
    _, events = medium_run
    objectives = [e.objective for e in events if e.objective is not None]
    assert objectives, "no incumbent was reported"
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(objectives))


def test_lns_runs_when_time_is_left(registry) -> None:
    loaded = load(registry, generate(5, "medium"))
    doc = solve(loaded, registry, solver="cpsat",
                options=SolveOptions(time_limit=5, threads=2, seed=3,
                                     extra={"global_share": "0.2", "baseline": "false"})
                ).document
    assert doc["check"]["feasible"]
    if doc["status"] != "optimal":
        assert doc["stats"]["lns"]["iterations"] >= 1


def test_stop_during_the_search_returns_the_incumbent(registry) -> None:
    loaded = load(registry, generate(5, "medium"))
    stop = threading.Event()
    timer = threading.Timer(1.5, stop.set)
    timer.start()
    try:
        doc = solve(loaded, registry, solver="cpsat", stop=stop,
                    options=SolveOptions(time_limit=60, threads=2)).document
    finally:
        timer.cancel()
    assert doc["status"] in ("feasible", "optimal")
    assert doc["check"]["feasible"]
    assert doc["time_s"] < 30
