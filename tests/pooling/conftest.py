"""Shared helpers for the pooling tests: load documents through the real core and solve."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from optikit.plugins import get_registry
from optikit.problem_io import LoadedProblem, load_document, load_problem
from optikit.registry import Registry
from optikit.runner import SolveResult, solve
from optikit.types import SolveOptions

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "benchmarks" / "instances" / "pooling"
SAMPLES = ROOT / "problems" / "pooling"

#: Published global optima (profit), benchmarks/instances/pooling/README.md.
KNOWN = {
    "haverly1": 400.0, "haverly2": 600.0, "haverly3": 750.0, "bental4": 450.0,
    "bental5": 3500.0, "adhya1": 549.80305, "adhya2": 549.80305, "adhya3": 561.044687,
    "adhya4": 877.64574, "rt2": 4391.8259, "foulds2": 1100.0, "foulds3": 8.0,
    "foulds4": 8.0, "foulds5": 8.0,
}


def instance(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((INSTANCES / f"{name}.json").read_text())
    return document


@pytest.fixture(scope="session")
def registry() -> Registry:
    return get_registry()


@pytest.fixture
def haverly1() -> dict[str, Any]:
    return copy.deepcopy(instance("haverly1"))


@pytest.fixture
def load(registry: Registry) -> Callable[[dict[str, Any]], LoadedProblem]:
    def _load(document: dict[str, Any]) -> LoadedProblem:
        return load_document(document, registry, source="test")

    return _load


@pytest.fixture
def run(registry: Registry) -> Callable[..., SolveResult]:
    def _run(
        problem: dict[str, Any] | Path | LoadedProblem,
        solver: str | None = "scip",
        formulation: str | None = None,
        extra: dict[str, Any] | None = None,
        **options: Any,
    ) -> SolveResult:
        if isinstance(problem, Path):
            loaded = load_problem(problem, registry)
        elif isinstance(problem, LoadedProblem):
            loaded = problem
        else:
            loaded = load_document(problem, registry, source="test")
        options.setdefault("time_limit", 30.0)
        options.setdefault("threads", 1)
        return solve(loaded, registry, solver=solver, formulation=formulation,
                     options=SolveOptions(extra=extra or {}, **options))

    return _run
