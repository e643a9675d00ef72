"""Refuted makespans give a valid lower bound; a probe that finds a schedule hands it on."""

from __future__ import annotations

from optikit_fjsp import bound_probe, cpsat_model
from optikit_fjsp.checker import check
from optikit_fjsp.cpsat import payload

from optikit.paradigms import CpSatBackend
from optikit.registry import Registry
from optikit.types import SolveContext, SolveOptions, Status
from tests.fjsp.conftest import instance, load, run

# Optima from the instances' bounds.json (also proven in test_cpsat.py).
SFJS10_OPTIMUM = 516
MFJS01_OPTIMUM = 468


def test_probes_refute_below_the_optimum_and_find_it(registry: Registry) -> None:
    problem = load(registry, instance("mfjs01")).problem
    backend = registry.backend_of("cpsat", CpSatBackend)
    found: list[float] = []
    ctx = SolveContext(SolveOptions(time_limit=20.0, threads=1))
    result = bound_probe.refute_makespans(
        problem, backend, ctx, lower=MFJS01_OPTIMUM - 3, upper=MFJS01_OPTIMUM + 40,
        workers=1, on_schedule=lambda _sol, value: found.append(value),
    )
    statuses = [(p["makespan"], p["status"]) for p in result.probes]
    assert statuses[:3] == [(m, "infeasible") for m in range(MFJS01_OPTIMUM - 3, MFJS01_OPTIMUM)]
    assert result.bound == MFJS01_OPTIMUM  # never above the optimum, and reaches it here
    assert found == [MFJS01_OPTIMUM] and result.best is not None
    report = check(problem, payload(problem, result.best))
    assert report.feasible and report.objective == MFJS01_OPTIMUM


def test_machine_set_cumulatives_keep_the_optimum_feasible(registry: Registry) -> None:
    problem = load(registry, instance("sfjs10")).problem
    cm = cpsat_model.build(problem, SFJS10_OPTIMUM)
    assert bound_probe.add_machine_set_cumulatives(problem, cm) >= 1
    backend = registry.backend_of("cpsat", CpSatBackend)
    result = backend.solve(cm.model, SolveContext(SolveOptions(time_limit=10.0, threads=1)))
    assert result.status is Status.OPTIMAL and result.objective == SFJS10_OPTIMUM
    tight = cpsat_model.build(problem, SFJS10_OPTIMUM - 1)
    bound_probe.add_machine_set_cumulatives(problem, tight)
    refuted = backend.solve(tight.model, SolveContext(SolveOptions(time_limit=10.0, threads=1)))
    assert refuted.status is Status.INFEASIBLE


def test_bound_share_runs_probes_and_keeps_a_checked_schedule(registry: Registry) -> None:
    # Most of a 4 s run goes to the probes (mk06 is never proven that fast: optimum 57,
    # bound 48 from the global model); on a quiet machine they refute 48 within it.
    result = run(registry, instance("mk06"), time_limit=4.0, bound_share="0.6")
    doc = result.document
    assert doc["check"]["feasible"] and doc["objective"] >= 57
    probes = doc["stats"]["bound_probes"]
    assert probes and doc["bound"] <= 57
    refuted = [p["makespan"] for p in probes if p["status"] == "infeasible"]
    assert all(m < doc["bound"] for m in refuted)
    if refuted:
        assert doc["bound"] == max(refuted) + 1
        assert doc["stats"]["bound_source"].startswith("refuted makespans")
