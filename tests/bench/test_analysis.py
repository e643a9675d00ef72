"""Benchmark statistics: shifted geometric mean, primal gap and integral, performance
profiles, and the cross-check that refutes claims with other runs' checked solutions."""

from __future__ import annotations

import math
from typing import Any

import pytest

from optikit.bench import analysis


def _run(**kw: Any) -> dict[str, Any]:
    base = {
        "id": 1, "suite": "s", "instance_set": "set", "instance": "i", "solver": "A",
        "problem_type": "t", "sense": "min", "seed": 0, "repeat": 0, "time_limit": 10.0,
        "status": "optimal", "outcome": "solved", "checked": "passed", "objective": 10.0,
        "bound": 10.0, "time_s": 2.0, "gap_limit": 1e-6, "known_lb": None, "known_ub": None,
        "message": None,
    }
    base.update(kw)
    return base


def test_shifted_geometric_mean() -> None:
    assert analysis.shifted_geometric_mean([]) is None
    assert analysis.shifted_geometric_mean([0.0, 0.0]) == pytest.approx(0.0)
    assert analysis.shifted_geometric_mean([10.0, 30.0]) == pytest.approx(math.sqrt(20 * 40) - 10)
    assert analysis.shifted_geometric_mean([5.0], shift=1.0) == pytest.approx(5.0)


def test_charged_time_floors_and_charges_failures_at_the_limit() -> None:
    assert analysis.charged_time(_run(time_s=0.2)) == analysis.TIME_FLOOR
    assert analysis.charged_time(_run(time_s=4.0)) == 4.0
    assert analysis.charged_time(_run(outcome="feasible", time_s=4.0)) == 10.0
    assert analysis.charged_time(_run(outcome="wrong", time_s=0.5)) == 10.0


def test_primal_gap() -> None:
    assert analysis.primal_gap(110.0, 100.0) == pytest.approx(10 / 110)
    assert analysis.primal_gap(90.0, 100.0) == 0.0  # better than the reference
    assert analysis.primal_gap(None, 100.0) == 1.0
    assert analysis.primal_gap(5.0, -5.0) == 1.0  # worse, and of the other sign
    assert analysis.primal_gap(0.0, 0.0) == 0.0
    assert analysis.primal_gap(80.0, 100.0, sense="max") == pytest.approx(20 / 100)


def test_gap_curve_integral() -> None:
    curve = analysis.GapCurve([1.0, 3.0], [0.5, 0.0], horizon=10.0)
    # p = 1 on [0,1), 0.5 on [1,3), 0 afterwards.
    assert curve.integral() == pytest.approx(1.0 + 2 * 0.5)
    assert curve.at(0.5) == 1.0 and curve.at(2.0) == 0.5 and curve.at(9.0) == 0.0


def test_gap_curve_from_trajectory_and_untrusted_runs() -> None:
    run = _run(reference=100.0, objective=100.0, time_s=3.0)
    curve = analysis.gap_curve(run, [(1.0, 200.0, None), (2.0, 100.0, None)])
    assert curve is not None
    assert curve.integral() == pytest.approx(1.0 * 1.0 + 1.0 * (100 / 200))
    wrong = _run(reference=100.0, outcome="wrong", checked="failed")
    wrong_curve = analysis.gap_curve(wrong, [(0.1, 100.0, None)])
    assert wrong_curve is not None and wrong_curve.integral() == pytest.approx(10.0)


def test_performance_profile() -> None:
    runs = [
        _run(instance="p1", solver="A", time_s=2.0), _run(instance="p1", solver="B", time_s=4.0),
        _run(instance="p2", solver="A", time_s=4.0), _run(instance="p2", solver="B", time_s=2.0),
        _run(instance="p3", solver="A", outcome="nosolution", status="unknown"),
        _run(instance="p3", solver="B", time_s=8.0),
    ]
    (profile,) = analysis.performance_profiles(runs)
    assert profile.problems == 3
    assert profile.ratios == {"A": [1.0, 2.0], "B": [1.0, 1.0, 2.0]}
    assert profile.rho("A", 1.0) == pytest.approx(1 / 3)
    assert profile.rho("A", 100.0) == pytest.approx(2 / 3)
    assert profile.rho("B", 1.0) == pytest.approx(2 / 3)
    assert profile.rho("B", 2.0) == pytest.approx(1.0)


def test_cross_check_refutes_claims_with_checked_solutions() -> None:
    runs = [
        _run(id=1, solver="honest", objective=20.0, bound=20.0),
        _run(id=2, solver="boast", objective=25.0, bound=25.0),
        _run(id=3, solver="heur", status="feasible", outcome="feasible", objective=22.0,
             bound=None),
        _run(id=4, solver="nope", status="infeasible", outcome="solved", objective=None,
             bound=None, checked="none"),
    ]
    out = {r["solver"]: r for r in analysis.annotate(runs)}
    assert out["honest"]["outcome"] == "solved" and out["honest"]["is_best"]
    assert out["boast"]["outcome"] == "wrong" and out["boast"]["ledger_outcome"] == "solved"
    assert "claims optimal 25" in out["boast"]["message"]
    assert out["nope"]["outcome"] == "wrong"
    assert out["heur"]["outcome"] == "feasible" and not out["heur"]["is_best"]
    assert out["heur"]["gap_to_reference"] == pytest.approx(0.1)
    assert out["heur"]["reference_kind"] == "best-found"

    summary = {r["solver"]: r for r in analysis.solver_summary(list(out.values()))}
    assert (summary["honest"]["solved"], summary["honest"]["best"]) == (1, 1)
    assert summary["boast"]["wrong"] == 1 and summary["boast"]["sgm_time"] == pytest.approx(10.0)
    assert summary["honest"]["sgm_relative"] == pytest.approx(1.0)
    # The mean primal gap counts a refuted or missing solution as 100 %.
    assert summary["honest"]["mean_primal_gap"] == 0.0
    assert summary["boast"]["mean_primal_gap"] == 1.0
    assert summary["heur"]["mean_primal_gap"] == pytest.approx(2 / 22)


def test_best_known_value_is_the_reference_unless_beaten() -> None:
    runs = [_run(objective=12.0, bound=12.0, known_lb=12.0, known_ub=12.0)]
    (r,) = analysis.annotate(runs)
    assert (r["reference"], r["reference_kind"], r["gap_to_reference"]) == (12.0, "best-known", 0.0)
    runs = [_run(objective=11.0, status="feasible", outcome="feasible", known_ub=12.0)]
    (r,) = analysis.annotate(runs)
    assert (r["reference"], r["reference_kind"]) == (11.0, "best-found")


def test_performance_profile_tells_sub_second_solvers_apart() -> None:
    """The profile no longer floors at 1 s: 0.05 s against 0.4 s is a ratio of 8."""
    runs = [_run(instance="p1", solver="A", time_s=0.05),
            _run(instance="p1", solver="B", time_s=0.4),
            _run(instance="p2", solver="A", time_s=0.0),
            _run(instance="p2", solver="B", time_s=0.001)]
    (profile,) = analysis.performance_profiles(runs)
    assert profile.ratios["A"] == [1.0, 1.0]
    assert profile.ratios["B"] == pytest.approx([1.0, 8.0])  # both under the 10 ms floor
