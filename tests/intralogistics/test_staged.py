"""The default ``routing`` formulation: exact stages first, then PyVRP or OR-Tools."""

from __future__ import annotations

import pytest

from optikit.types import Outcome, SolveContext, SolveOptions, Status
from tests.intralogistics.conftest import DATA, load, plain_plant, plant_doc, run
from tests.intralogistics.test_cpsat import random_doc

SEARCH_ONLY = {"exact_orders": 0, "cpsat_orders": 0}  # skip both exact stages


def test_a_plant_pyvrp_models_is_searched_by_pyvrp() -> None:
    pytest.importorskip("pyvrp")
    out = run(plain_plant(), "routing", time_limit=0.5, **SEARCH_ONLY).document
    assert out["solver"] == "ortools-routing" and out["stats"]["engine"] == "pyvrp"
    assert out["status"] == "feasible" and out["check"]["feasible"]


def test_batteries_fall_back_to_ortools_naming_the_field() -> None:
    out = run(plant_doc(), "routing", time_limit=0.5, **SEARCH_ONLY).document
    assert out["stats"]["engine"] == "ortools"
    assert "vehicles[0].battery" in out["stats"]["engine_reason"]
    assert out["status"] == "feasible" and out["check"]["feasible"]


def test_engine_ortools_holds_routing_to_ortools() -> None:
    out = run(plain_plant(), "routing", time_limit=0.5, engine="ortools",
              **SEARCH_ONLY).document
    assert out["stats"]["engine"] == "ortools" and out["check"]["feasible"]


def test_without_the_extra_routing_searches_with_ortools() -> None:
    from optikit_intralogistics.backend import RoutingBackend
    from optikit_intralogistics.checker import check
    from optikit_intralogistics.staged import solve

    plant = load(plain_plant()).problem
    ctx = SolveContext(SolveOptions(time_limit=0.5, threads=1, extra=SEARCH_ONLY),
                       backends=lambda name: None)  # no pyvrp (nor any other) backend
    out = solve(plant, RoutingBackend(), ctx)
    assert out.stats["engine"] == "ortools"
    assert "unavailable" in out.stats["engine_reason"]
    assert out.payload is not None and check(plant, out.payload).feasible


def test_a_small_plant_is_proven_by_cpsat_before_any_search() -> None:
    doc = random_doc(3, 6, False)  # 6 orders: above the exhaustive search's 5
    out = run(doc, "routing", time_limit=20, cpsat_share=1.0).document
    assert out["status"] == "optimal" and out["stats"]["engine"] == "cpsat"
    assert out["check"]["feasible"]
    assert out["bound"] == pytest.approx(out["objective"], rel=1e-6)


def _plan(objective: float, vehicles: int, bound: float | None = None) -> Outcome:
    return Outcome(Status.FEASIBLE, payload={"routes": []}, objective=objective,
                   bound=bound, analysis={"vehicles": vehicles}, stats={"engine": "x"})


def test_cpsat_plan_and_bound_are_weighed_against_the_search() -> None:
    from optikit_intralogistics.reader import read_pdptw
    from optikit_intralogistics.staged import _better

    plant = load(read_pdptw(DATA / "tiny.pdptw")).problem  # lexicographic
    # the search meets CP-SAT's bound at CP-SAT's vehicle count: proven
    out = _better(plant, _plan(100, 2, bound=90), _plan(90, 2), 1e-6)
    assert out.status is Status.OPTIMAL and out.bound == 90
    # above the bound: feasible, with the bound
    out = _better(plant, _plan(100, 2, bound=90), _plan(95, 2), 1e-6)
    assert out.status is Status.FEASIBLE and out.bound == 90
    # fewer vehicles first: CP-SAT's plan wins over a shorter one with more vehicles
    out = _better(plant, _plan(100, 2, bound=90), _plan(80, 3), 1e-6)
    assert out.objective == 100 and out.stats["plan_from"] == "cpsat"
    # a bound at another vehicle count says nothing about the search's plan
    out = _better(plant, _plan(100, 3, bound=99), _plan(150, 2), 1e-6)
    assert out.status is Status.FEASIBLE and out.bound is None
