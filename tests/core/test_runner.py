"""The runner's promises: checked answers, honest statuses, errors as documents."""

from __future__ import annotations

import pytest

from optikit.problem_io import load_document
from optikit.runner import check_solution, select, solve
from optikit.types import SolveOptions, UsageError

from .conftest import TOY


def _solve(registry, **extra):
    loaded = load_document(TOY, registry, source="toy")
    return solve(loaded, registry, options=SolveOptions(time_limit=5, extra=extra))


def test_optimal_answer_is_checked_and_documented(toy_registry):
    result = _solve(toy_registry)
    doc = result.document
    assert doc["status"] == "optimal"
    assert doc["objective"] == 11  # a + b
    assert sorted(doc["solution"]["picked"]) == ["a", "b"]
    assert doc["check"]["feasible"] is True
    assert doc["gap"] == 0.0
    assert doc["solver"] == "brute" and doc["formulation"] == "enumerate"
    assert doc["analysis"] == {"items_used": 2}
    assert result.exit_code == 0
    assert any(e.objective == 11 for e in result.trajectory)


def test_a_solution_failing_the_checker_is_never_reported(toy_registry):
    result = _solve(toy_registry, lie=True)
    doc = result.document
    assert doc["status"] == "error"
    assert "solution" not in doc
    assert doc["objective"] is None
    assert doc["check"]["feasible"] is False
    assert "independent check" in doc["message"]
    assert result.exit_code == 70


def test_optimal_claim_with_a_loose_bound_is_downgraded(toy_registry):
    doc = _solve(toy_registry, claim="optimal").document
    assert doc["status"] == "feasible"
    assert doc["gap"] > 0.5
    assert "exceeds" in doc["message"]


def test_objective_is_the_checkers_recomputed_value(toy_registry):
    doc = _solve(toy_registry, wrong_objective=True).document
    assert doc["objective"] == 11
    assert doc["status"] == "feasible"
    assert "recomputed" in doc["message"]


def test_a_bound_a_hair_on_the_wrong_side_of_the_checked_objective_is_moved_onto_it():
    """SCIP's bound on rt2 was 4391.82589279 against the checker's 4391.8258928183: float
    noise, which must not make the bound claim less than a checked solution achieves."""
    from optikit.runner import _beside

    assert _beside(4391.82589279, 4391.8258928183, "max") == 4391.8258928183
    assert _beside(99.99999999, 100.0, "min") == 99.99999999  # right side: kept
    assert _beside(100.00000001, 100.0, "min") == 100.0
    assert _beside(90.0, 100.0, "max") == 90.0  # a real contradiction is left to be seen
    assert _beside(None, 100.0, "max") is None


def test_a_crashing_formulation_gives_an_error_document(toy_registry):
    result = _solve(toy_registry, crash=True)
    assert result.document["status"] == "error"
    assert "RuntimeError: boom" in result.document["message"]
    assert result.exit_code == 70
    assert "traceback" in result.outcome.stats
    assert "traceback" not in result.document.get("stats", {})


def test_time_limit_is_shared_with_the_formulation(toy_registry):
    loaded = load_document(TOY, toy_registry, source="toy")
    result = solve(loaded, toy_registry, options=SolveOptions(time_limit=0.2, extra={"sleep": 30}))
    assert result.document["time_s"] < 5
    assert result.document["status"] == "feasible"


def test_unknown_solver_and_formulation_are_usage_errors(toy_registry):
    loaded = load_document(TOY, toy_registry, source="toy")
    with pytest.raises(UsageError, match=r"unknown solver 'brut'.*did you mean 'brute'"):
        select(loaded, toy_registry, solver="brut")
    with pytest.raises(UsageError, match="no formulation 'x'"):
        select(loaded, toy_registry, formulation="x")


def test_check_solution_flags_a_misreported_objective(toy_registry):
    loaded = load_document(TOY, toy_registry, source="toy")
    good = {"type": "toy-knapsack", "objective": 11, "solution": {"picked": ["a", "b"]}}
    assert check_solution(loaded, good).feasible
    wrong = {**good, "objective": 12}
    report = check_solution(loaded, wrong)
    assert not report.feasible
    assert report.violations[0].constraint == "objective"
    assert not check_solution(loaded, {"type": "other", "solution": {}}).feasible
    assert not check_solution(loaded, {"status": "unknown"}).feasible


def test_hooks_see_every_solve(toy_registry):
    from optikit import hookimpl

    seen = []

    class Observer:
        @hookimpl
        def before_solve(self, run):
            seen.append(("before", run["solver"]))

        @hookimpl
        def on_progress(self, run, event):
            seen.append(("progress", event.objective))

        @hookimpl
        def after_solve(self, run, document):
            seen.append(("after", document["status"]))

    toy_registry.pm.register(Observer(), name="observer")
    _solve(toy_registry)
    assert seen[0] == ("before", "brute")
    assert ("progress", 11) in seen
    assert seen[-1] == ("after", "optimal")
