"""The ``cpsat`` and ``cpsat-plain`` formulations prove known optima on small instances."""

from __future__ import annotations

from typing import Any

import pytest

from optikit.registry import Registry
from optikit.types import UsageError
from tests.fjsp.conftest import instance, run, tiny_shop

# Optima from the instances' bounds.json (ScheduleOpt BKS; CP-SAT proves them too).
KNOWN_OPTIMA = {"kacem1": 11, "sfjs01": 66, "sfjs05": 119, "sfjs10": 516, "mfjs01": 468,
                "mfjs03": 466}


@pytest.mark.parametrize("name", sorted(KNOWN_OPTIMA))
def test_cpsat_proves_known_optima(name: str, registry: Registry) -> None:
    result = run(registry, instance(name), time_limit=5.0)
    doc = result.document
    assert doc["status"] == "optimal", doc.get("message")
    assert doc["objective"] == KNOWN_OPTIMA[name] and doc["bound"] == KNOWN_OPTIMA[name]
    assert doc["check"]["feasible"]
    assert result.exit_code == 0


@pytest.mark.slow
def test_cpsat_proves_mk01(registry: Registry) -> None:
    doc = run(registry, instance("mk01"), time_limit=5.0).document
    assert doc["status"] == "optimal" and doc["objective"] == 40


@pytest.mark.parametrize("name", ["kacem1", "sfjs03", "mfjs02"])
def test_plain_model_agrees(name: str, registry: Registry) -> None:
    strong = run(registry, instance(name), time_limit=5.0).document
    plain = run(registry, instance(name), formulation="cpsat-plain", time_limit=5.0).document
    assert plain["status"] == strong["status"] == "optimal"
    assert plain["objective"] == strong["objective"]
    assert plain["formulation"] == "cpsat-plain" if "formulation" in plain else True


@pytest.mark.parametrize("objective", ["makespan", "total_weighted_tardiness",
                                       {"makespan": 1, "total_weighted_tardiness": 3}])
def test_setups_and_tardiness_on_the_hand_example(objective: object, registry: Registry) -> None:
    doc = tiny_shop()
    doc["objective"] = objective
    strong = run(registry, doc, time_limit=5.0).document
    plain = run(registry, doc, formulation="cpsat-plain", time_limit=5.0).document
    assert strong["status"] == plain["status"] == "optimal"
    assert strong["objective"] == plain["objective"]
    assert strong["check"]["feasible"] and plain["check"]["feasible"]


def test_time_limit_gives_a_checked_feasible_answer(registry: Registry) -> None:
    # mk10 is not closed in 2 s: the answer is a checked schedule, status feasible.
    result = run(registry, instance("mk10"), time_limit=2.0)
    doc = result.document
    assert doc["status"] == "feasible"
    assert doc["check"]["feasible"]
    assert doc["bound"] is not None and doc["bound"] <= doc["objective"]
    assert doc["bound"] <= 193  # never above the best known value


def test_options_are_checked(registry: Registry) -> None:
    with pytest.raises(UsageError, match="no_such_knob"):
        run(registry, instance("kacem1"), time_limit=2.0, no_such_knob="1")
    with pytest.raises(UsageError, match="global_share"):
        run(registry, instance("kacem1"), time_limit=2.0, global_share="lots")
    # Backend options (cpsat.<parameter>) pass through to the backend.
    backend_option: dict[str, Any] = {"cpsat.num_workers": "1"}
    doc = run(registry, instance("kacem1"), time_limit=2.0, **backend_option)
    assert doc.document["status"] == "optimal"


def test_tabu_and_lns_share_the_work_on_pure_makespan(registry: Registry) -> None:
    doc = run(registry, instance("mk06"), time_limit=3.0, threads=2).document
    assert doc["status"] == "feasible" and doc["check"]["feasible"]
    stats = doc["stats"]
    assert stats["tabu_iterations"] > 0
    assert doc["objective"] < stats["heuristic_objective"]


def test_one_thread_improves_too(registry: Registry) -> None:
    doc = run(registry, instance("mk10"), time_limit=4.0, threads=1).document
    assert doc["check"]["feasible"] and doc["status"] == "feasible"
    assert doc["objective"] < doc["stats"]["heuristic_objective"]


def test_setups_and_tardiness_use_lns_only(registry: Registry) -> None:
    from optikit_fjsp.generator import generate

    doc = run(registry, generate(2, "medium"), time_limit=4.0).document
    assert doc["check"]["feasible"]
    assert "tabu_iterations" not in doc["stats"]
    assert doc["objective"] <= doc["stats"]["heuristic_objective"]


def test_tabu_can_be_switched_off(registry: Registry) -> None:
    doc = run(registry, instance("mk06"), time_limit=2.0, tabu="0").document
    assert doc["check"]["feasible"] and "tabu_iterations" not in doc["stats"]
