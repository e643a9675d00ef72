"""Random blends: reproducible from the seed, valid, and feasible by construction."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from optikit_blend.generator import generate

from optikit.problem_io import LoadedProblem
from optikit.runner import SolveResult


def test_same_seed_same_document_other_seed_other_document() -> None:
    a = json.dumps(generate(7, "small"), sort_keys=True)
    assert a == json.dumps(generate(7, "small"), sort_keys=True)
    assert a != json.dumps(generate(8, "small"), sort_keys=True)


@pytest.mark.parametrize(
    ("size", "materials", "components"),
    [("tiny", 6, 4), ("small", 30, 6), ("medium", 500, 9), ("150", 150, 13)],
)
def test_sizes(size: str, materials: int, components: int,
               load: Callable[[dict[str, Any]], LoadedProblem]) -> None:
    problem = load(generate(1, size)).problem
    assert problem.num_materials == materials
    assert len(problem.components) <= components
    assert not problem.needs_integer


def test_large_is_twenty_thousand_by_thirteen() -> None:
    document = generate(1, "large")
    assert len(document["materials"]) == 20_000
    assert len({c for m in document["materials"] for c in m["composition"]}) == 13


@pytest.mark.parametrize("size", ["tiny", "small", "medium", "tiny-milp", "small-milp", "80-milp"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_generated_blends_are_feasible(
    size: str, seed: int, run: Callable[..., SolveResult]
) -> None:
    document = generate(seed, size)
    result = run(document)
    assert result.document["status"] == "optimal", result.document.get("message")
    assert result.document["check"]["feasible"]
    if size.endswith("-milp"):
        assert "max_materials" in document
        assert any("min_lot" in m for m in document["materials"])


@pytest.mark.parametrize("size", ["huge", "1", "small-lp", "-milp", ""])
def test_unknown_sizes_are_refused(size: str) -> None:
    with pytest.raises(ValueError, match="size"):
        generate(0, size)


@pytest.mark.slow
def test_large_blend_solves_and_checks(run: Callable[..., SolveResult]) -> None:
    """The 20,000-material benchmark instance, through the core (validation included)."""
    result = run(generate(1, "large"))
    doc = result.document
    assert doc["status"] == "optimal", doc.get("message")
    assert doc["check"]["feasible"]
    assert doc["stats"]["columns"] == 20_000
    assert sum(doc["solution"]["amounts"].values()) >= 1000.0 - 1e-6
