"""The disjunctive MILP agrees with CP-SAT on tiny instances, through linear backends."""

from __future__ import annotations

import pytest
from optikit_fjsp.milp import build, setups_triangular

from optikit.registry import Registry
from tests.fjsp.conftest import SAMPLES, instance, load, run, tiny_shop

SOLVERS = ["highs", "cbc"]


def available(registry: Registry, name: str) -> bool:
    backend = registry.backends.get(name)
    return backend is not None and backend.availability().available


@pytest.mark.parametrize("name", ["sfjs01", "sfjs02", "sfjs04", "kacem1"])
def test_milp_matches_cpsat_on_tiny_instances(name: str, registry: Registry) -> None:
    cp = run(registry, instance(name), time_limit=5.0).document
    for solver in SOLVERS:
        if not available(registry, solver):
            continue
        lp = run(registry, instance(name), solver=solver, time_limit=20.0, threads=1).document
        assert lp["formulation"] == "milp" if "formulation" in lp else True
        assert lp["status"] == cp["status"] == "optimal", (solver, lp.get("message"))
        assert lp["objective"] == cp["objective"]
        assert lp["check"]["feasible"]


@pytest.mark.parametrize("objective", ["makespan", "total_weighted_tardiness",
                                       {"makespan": 2, "total_weighted_tardiness": 1.5}])
def test_milp_with_setups_releases_and_tardiness(objective: object, registry: Registry) -> None:
    doc = tiny_shop()
    doc["objective"] = objective
    cp = run(registry, doc, time_limit=5.0).document
    lp = run(registry, doc, solver="highs", time_limit=20.0, threads=1).document
    assert lp["status"] == cp["status"] == "optimal"
    assert lp["objective"] == pytest.approx(cp["objective"])


def test_machining_cell_sample(registry: Registry) -> None:
    lp = run(registry, SAMPLES / "machining_cell.yaml", solver="highs", time_limit=30.0,
             threads=1).document
    assert lp["status"] == "optimal" and lp["objective"] == 52


def test_non_triangular_setups_are_never_claimed_optimal(registry: Registry) -> None:
    doc = tiny_shop()
    # A -> B -> A on M1 costs 2 + 3 = 5, but A -> A directly 9: breaks the triangle rule.
    doc["setups"]["M1"]["A"]["A"] = 9
    problem = load(registry, doc).problem
    assert not setups_triangular(problem)
    lp = run(registry, doc, solver="highs", time_limit=20.0, threads=1).document
    assert lp["status"] == "feasible" and lp["bound"] is None
    assert lp["check"]["feasible"]


def test_model_size_is_quadratic_only_in_shared_machines(registry: Registry) -> None:
    problem = load(registry, instance("sfjs01")).problem
    model, cols = build(problem, horizon=200)
    assert len(cols["s"]) == problem.shop.num_operations
    assert model.is_mip


def test_build_stops_when_time_is_up(registry: Registry) -> None:
    from optikit_fjsp.milp import BuildAbandoned

    problem = load(registry, instance("mk10")).problem  # 240 operations, 28,680 pairs
    calls = []

    def expired() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(BuildAbandoned):
        build(problem, 10_000, expired)
    assert len(calls) == 2


def test_large_instance_gets_the_heuristic_schedule_not_unknown(registry: Registry) -> None:
    """mk10 has about 36k operation pairs on shared machines; 0.3 s is not enough to build
    and solve, so the answer is the checked dispatching schedule."""
    lp = run(registry, instance("mk10"), solver="highs", time_limit=0.3, threads=1).document
    assert lp["status"] == "feasible", lp.get("message")
    assert "dispatching-rule schedule" in lp["message"]
    assert lp["check"]["feasible"] and lp["objective"] > 0
    assert lp["stats"]["answer"] == "heuristic"


def test_stop_flag_returns_the_heuristic_schedule(registry: Registry) -> None:
    from optikit_fjsp.milp import solve as milp_solve

    from optikit.types import SolveContext, SolveOptions

    loaded = load(registry, instance("kacem1"))
    ctx = SolveContext(SolveOptions(time_limit=10.0, threads=1))
    ctx.stop.set()
    outcome = milp_solve(loaded.problem, registry.backends["highs"], ctx)
    assert outcome.status.value == "feasible" and outcome.payload is not None
    report = loaded.ptype.check(loaded.problem, outcome.payload)
    assert report.feasible and report.objective == outcome.objective
