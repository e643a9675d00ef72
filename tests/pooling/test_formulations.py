"""The formulations: proven global optima, local SLP answers, certified McCormick bounds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from optikit.runner import SolveResult
from tests.pooling.conftest import KNOWN, SAMPLES, instance

Run = Callable[..., SolveResult]


def test_haverly1_pq_on_scip_proves_400(run: Run) -> None:
    document = run(instance("haverly1")).document
    assert document["status"] == "optimal"
    assert document["formulation"] == "pq" and document["solver"] == "scip"
    assert document["objective"] == pytest.approx(400.0, rel=1e-6)
    assert document["bound"] == pytest.approx(400.0, rel=1e-6)
    flows = {(f["from"], f["to"]): f["amount"] for f in document["solution"]["flows"]}
    assert flows[("c2", "o1")] == pytest.approx(100.0, rel=1e-6)
    assert all(f["amount"] > 0 for f in document["solution"]["flows"])


def test_pq_without_the_heuristic_still_proves_it(run: Run) -> None:
    document = run(instance("haverly3"), extra={"heuristic": False}).document
    assert document["status"] == "optimal"
    assert document["objective"] == pytest.approx(750.0, rel=1e-6)
    assert "heuristic_starts" not in document["stats"]


def test_p_plain_baseline(run: Run) -> None:
    document = run(instance("haverly1"), formulation="p-plain").document
    assert document["status"] == "optimal"
    assert document["objective"] == pytest.approx(400.0, rel=1e-6)


def test_slp_from_a_bad_start_stalls_at_the_local_optimum(run: Run) -> None:
    document = run(instance("haverly1"), solver="highs", formulation="slp",
                   extra={"start": "first"}).document
    assert document["status"] == "feasible"
    assert document["objective"] == pytest.approx(100.0, rel=1e-6)
    assert document["bound"] is None
    assert "local optimum" in document["message"]


def test_slp_is_never_optimal_even_at_the_global_optimum(run: Run) -> None:
    document = run(instance("haverly2"), solver="highs", formulation="slp").document
    assert document["objective"] == pytest.approx(600.0, rel=1e-6)
    assert document["status"] == "feasible"


@pytest.mark.parametrize("name", ["haverly1", "haverly3", "adhya1", "rt2", "foulds2"])
def test_mccormick_bound_is_at_least_the_global_optimum(run: Run, name: str) -> None:
    document = run(instance(name), solver="highs", formulation="mccormick",
                   extra={"segments": 2}).document
    assert document["status"] in ("optimal", "feasible")
    assert document["bound"] >= KNOWN[name] * (1 - 1e-6)
    assert document["objective"] <= KNOWN[name] * (1 + 1e-6)
    if document["status"] == "optimal":
        assert document["gap"] <= 1e-6


def test_linear_backends_refuse_the_bilinear_model(run: Run) -> None:
    from optikit.types import UsageError

    with pytest.raises(UsageError, match="quadratic"):
        run(instance("haverly1"), solver="highs", formulation="pq")


def test_fixed_costs_and_minimum_fill_make_a_mixed_integer_model(run: Run) -> None:
    """Refinery sample: tank G2 has a fixed cost and a minimum fill; SCIP proves it."""
    document = run(SAMPLES / "refinery_gasoline_diesel.yaml").document
    assert document["status"] == "optimal"
    assert document["objective"] == pytest.approx(2424.2318, rel=1e-6)
    assert document["check"]["feasible"]
    g2 = document["solution"]["pools"].get("G2")
    assert g2 is None or g2["throughput"] >= 5.0 - 1e-6
    values = document["analysis"]["marginal_values"]
    assert set(values["inputs"]) >= {"BUT", "REF"}


def test_infeasible_minimums(run: Run) -> None:
    document: dict[str, Any] = instance("haverly1")
    document["products"][1]["min"] = 150.0  # p2 can receive 10 at most
    document["arcs"][5]["max"] = 0.0  # c3 -> p2
    document["arcs"][3]["max"] = 10.0  # o1 -> p2
    result = run(document)
    assert result.document["status"] == "infeasible"
