"""Shared helpers for the blend tests: load documents through the real core and solve."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from optikit.plugins import get_registry
from optikit.problem_io import LoadedProblem, load_document, load_problem
from optikit.registry import Registry
from optikit.runner import SolveResult, solve
from optikit.types import SolveOptions

SAMPLES = Path(__file__).resolve().parents[2] / "problems" / "blend"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return get_registry()


def small_blend() -> dict[str, Any]:
    """Two ores and a flux, built so every rule is easy to reason about by hand.

    total 100 t; ORE_A Fe 60 / SiO2 4 (cost 10), ORE_B Fe 40 / SiO2 10 (cost 4),
    FLUX CaO 50 / SiO2 2 with 10 % loss (cost 1).
    """
    return {
        "type": "blend",
        "name": "small",
        "total": 100.0,
        "materials": [
            {"id": "ORE_A", "cost": 10.0, "composition": {"Fe": 60.0, "SiO2": 4.0}},
            {"id": "ORE_B", "cost": 4.0, "composition": {"Fe": 40.0, "SiO2": 10.0}},
            {"id": "FLUX", "cost": 1.0, "loss": 10.0, "composition": {"CaO": 50.0, "SiO2": 2.0}},
        ],
        "specs": {"Fe": {"min": 45.0}, "SiO2": {"max": 9.0}},
        "ratios": [
            {"name": "basicity", "numerator": {"CaO": 1}, "denominator": {"SiO2": 1},
             "min": 0.5, "max": 2.0},
        ],
        "groups": [{"name": "ores", "materials": ["ORE_A", "ORE_B"], "min": 0.5}],
    }


@pytest.fixture
def doc() -> dict[str, Any]:
    return copy.deepcopy(small_blend())


@pytest.fixture
def load(registry: Registry) -> Callable[[dict[str, Any]], LoadedProblem]:
    def _load(document: dict[str, Any]) -> LoadedProblem:
        return load_document(document, registry, source="test")

    return _load


@pytest.fixture
def run(registry: Registry) -> Callable[..., SolveResult]:
    def _run(
        problem: dict[str, Any] | Path | LoadedProblem,
        solver: str | None = "highs",
        **options: Any,
    ) -> SolveResult:
        if isinstance(problem, Path):
            loaded = load_problem(problem, registry)
        elif isinstance(problem, LoadedProblem):
            loaded = problem
        else:
            loaded = load_document(problem, registry, source="test")
        options.setdefault("time_limit", 20.0)
        options.setdefault("threads", 1)
        return solve(loaded, registry, solver=solver, options=SolveOptions(**options))

    return _run
