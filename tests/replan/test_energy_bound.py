"""The time-indexed model of a small energy re-plan: its bound never above a plan the
interval model finds without it, and it settles the toy sample's re-plan, both stages
(which took the interval model about 30 s and 40 s more)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from optikit import api
from optikit.plugins import get_registry
from optikit.problem_io import read_data_file

ROOT = Path(__file__).resolve().parents[2]
TOY = ROOT / "problems" / "energy-scheduling"


def _breakdown(plan: dict[str, Any]) -> dict[str, Any]:
    """At 30 % of the plan, the machine of an operation running then is down for 3 units."""
    ops = plan["solution"]["operations"]
    now = max(1, round(0.3 * max(o["end"] for o in ops)))
    running = [o for o in ops if o["start"] < now < o["end"]] or ops
    machine = running[0]["machine"]
    return {"now": now, "stability": {"mode": "none"},
            "events": [{"type": "machine_down", "machine": machine, "start": now,
                        "end": now + 3}]}


@pytest.mark.parametrize("seed", [1, 2])
def test_the_bound_is_never_above_an_interval_plan(seed: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    registry = get_registry()
    problem = registry.problem_types["energy-scheduling"].generate(seed, "tiny")  # type: ignore[misc]
    old = api.solve(copy.deepcopy(problem), time_limit=5, threads=1, registry=registry)
    assert old.solution is not None
    events = _breakdown(old.document)
    new = api.replan(copy.deepcopy(problem), old.document, events, time_limit=5, threads=1,
                     registry=registry)
    doc = new.document
    assert doc["check"]["feasible"], doc.get("message")
    lower = doc["stats"]["time_indexed"]["bound"]
    monkeypatch.setattr("optikit_energy.replan_bound.applies", lambda _p: False)
    plain = api.replan(copy.deepcopy(problem), old.document, events, time_limit=2,
                       threads=1, registry=registry).document
    assert plain["check"]["feasible"] and "time_indexed" not in plain["stats"]
    assert lower <= plain["objective"] + 1e-6 * max(1.0, plain["objective"])
    assert doc["objective"] <= plain["objective"] + 1e-6 * max(1.0, plain["objective"])
    if plain["status"] == "optimal":
        assert doc["status"] == "optimal" and doc["objective"] == pytest.approx(
            plain["objective"])


def test_the_toy_replan_is_settled_by_the_time_indexed_model() -> None:
    ev = read_data_file(TOY / "replan" / "toy_full_events.yaml")
    for mode in ("none", "lexicographic"):
        ev["stability"] = {"mode": mode}
        doc = api.replan(TOY / "toy_full.yaml", TOY / "replan" / "toy_full_plan.json", ev,
                         time_limit=20, threads=1).document
        # 126,900: also what the interval model alone proves, in about 30 s.
        assert doc["status"] == "optimal" and doc["objective"] == 126900
        assert doc["stats"]["bound_source"] == "time-indexed" and doc["check"]["feasible"]
    # The least disruption the interval model's second stage proves (in about 40 s more).
    fig = doc["replan"]
    assert (fig["operations_moved"], fig["total_shift"], fig["machine_changes"]) == (2, 14, 2)


def test_a_stop_while_the_bound_model_converts_keeps_the_replan(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or the limit) can land while the time-indexed model is converted; that
    raises BuildStopped, which must not turn the re-plan into an error."""
    from optikit_energy.cpsat_model import BuildStopped

    def stopped(*_args: Any, **_kwargs: Any) -> Any:
        raise BuildStopped()

    monkeypatch.setattr("optikit_energy.linear_to_cpsat.convert", stopped)
    doc = api.replan(TOY / "toy_full.yaml", TOY / "replan" / "toy_full_plan.json",
                     TOY / "replan" / "toy_full_events.yaml", time_limit=5,
                     threads=1).document
    assert doc["status"] in ("feasible", "optimal"), doc.get("message")
    assert doc["check"]["feasible"]
    assert "time_indexed" not in doc["stats"] or doc["stats"]["time_indexed"].get(
        "bound") is None
