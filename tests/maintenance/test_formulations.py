"""CP-SAT and the time-indexed MILP: known optima, agreement, infeasibility, scaling."""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from optikit_maintenance import generate
from optikit_maintenance.scaling import choose_scale

from optikit.problem_io import load_document, load_problem
from optikit.runner import solve
from optikit.testing import isolated_registry
from optikit.types import SolveOptions, UsageError


@pytest.fixture(scope="module")
def registry() -> Any:
    return isolated_registry(entry_points=True, load=["maintenance", "ortools", "highs"])


def run(registry: Any, document: dict[str, Any], solver: str = "cpsat",
        **options: Any) -> dict[str, Any]:
    loaded = load_document(document, registry, source="test")
    settings = {"time_limit": 10.0, "threads": 1, **options}
    return solve(loaded, registry, solver=solver, options=SolveOptions(**settings)).document


def needs(registry: Any, solver: str) -> None:
    backend = registry.backends.get(solver)
    if backend is None or not backend.availability().available:
        pytest.skip(f"{solver} is not available")


def test_hand_instance_optimum(registry: Any, hand: dict[str, Any],
                               hand_optimum: float) -> None:
    document = run(registry, hand)
    assert document["status"] == "optimal"
    assert document["objective"] == pytest.approx(hand_optimum, abs=1e-9)
    assert document["stats"]["exact_scaling"] is True
    assert [m["start"] for m in document["solution"]["maintenance"]] == [0]


@pytest.mark.parametrize(("sample", "optimum"), [
    ("press-line", 1457.7444444444445), ("rul-deadlines", 600.0), ("risk-tradeoff", 920.0),
])
def test_sample_optima(registry: Any, samples: dict[str, Path], sample: str,
                       optimum: float) -> None:
    loaded = load_problem(samples[sample], registry)
    document = solve(loaded, registry, solver="cpsat",
                     options=SolveOptions(time_limit=20, threads=1)).document
    assert document["status"] == "optimal"
    assert document["objective"] == pytest.approx(optimum, rel=1e-9)
    if sample == "risk-tradeoff":
        assert document["solution"]["skipped"] == ["sensor-check"]
        repair = document["solution"]["maintenance"][0]
        assert (repair["task"], repair["start"]) == ("refractory-repair", 5)


@pytest.mark.parametrize(("size", "seed"), [("tiny", s) for s in range(5)] + [("small", 0)])
def test_cp_and_milp_agree(registry: Any, size: str, seed: int) -> None:
    needs(registry, "highs")
    document = generate(seed, size)
    cp = run(registry, document, "cpsat")
    milp = run(registry, document, "highs")
    assert cp["status"] == milp["status"] == "optimal", (cp.get("message"), milp.get("message"))
    assert cp["objective"] == pytest.approx(milp["objective"], rel=1e-7, abs=1e-7)
    assert milp["formulation"] == "time-indexed"


def test_infeasible_rul_is_proven_by_both(registry: Any, hand: dict[str, Any]) -> None:
    hand["machines"][0]["rul"] = 4
    hand["tasks"][0]["window"] = {"start": 6, "end": 12}  # may not start before 6
    assert run(registry, hand)["status"] == "infeasible"
    needs(registry, "highs")
    assert run(registry, hand, "highs")["status"] == "infeasible"


def test_crew_conflict_is_infeasible(registry: Any) -> None:
    document: dict[str, Any] = {
        "type": "maintenance", "horizon": 10,
        "machines": [{"id": "A", "rul": 1}, {"id": "B", "rul": 1}],
        "crews": [{"id": "c", "size": 1}],
        "tasks": [{"id": "a", "machine": "A", "duration": 3, "crew": "c"},
                  {"id": "b", "machine": "B", "duration": 3, "crew": "c"}],
        "jobs": [],
    }
    assert run(registry, document)["status"] == "infeasible"
    document["crews"][0]["size"] = 2
    assert run(registry, document)["status"] == "optimal"


def test_inexact_scaling_keeps_claims_honest(registry: Any, hand: dict[str, Any]) -> None:
    # Segment lengths 7, 11, 13, 17, 19, 23: their common denominator is too large to scale.
    times = [0, 7, 18, 31, 48, 67, 90]
    values = [0.001, 0.013, 0.127, 0.331, 0.527, 0.733, 0.919]
    hand["horizon"] = 100
    hand["machines"][0]["failure"]["probability"] = [list(p) for p in zip(times, values,
                                                                          strict=True)]
    hand["jobs"][0]["due"] = 40
    document = run(registry, hand)
    assert document["stats"]["exact_scaling"] is False
    assert document["status"] in ("optimal", "feasible")
    assert document["bound"] <= document["objective"]
    assert "checker recomputed" not in document.get("message", "")
    assert document["objective"] == pytest.approx(
        5 * 2 + 0.001 * 150, rel=1e-9)  # renew at once, the job is not late


def test_choose_scale() -> None:
    exact = choose_scale([Fraction(1, 4), Fraction(5, 6)], Fraction(100))
    assert exact.exact and exact.factor == 12
    assert exact.integer(Fraction(5, 6)) == 10
    rounded = choose_scale([Fraction(1, 7_000_003)], Fraction(100))
    assert not rounded.exact
    assert rounded.error(Fraction(1, 7_000_003)) <= Fraction(1, 2 * rounded.factor)


def test_options_are_checked(registry: Any, hand: dict[str, Any]) -> None:
    with pytest.raises(UsageError, match="unknown option"):
        run(registry, hand, extra={"nonsense": 1})
    needs(registry, "highs")
    with pytest.raises(UsageError, match="max_columns"):
        run(registry, copy.deepcopy(generate(0, "large")), "highs")
    assert run(registry, hand, "highs", extra={"max_columns": 100})["status"] == "optimal"
