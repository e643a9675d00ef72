"""Shared helpers for the car-sequencing tests: documents through the real core.

Instances come from the repository's ``benchmarks/instances/carseq`` copies and the
plugin's samples, never from outside the repository.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from optikit.plugins import get_registry
from optikit.problem_io import LoadedProblem, load_document, load_problem
from optikit.registry import Registry
from optikit.runner import SolveResult, solve
from optikit.types import SolveOptions

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "benchmarks" / "instances" / "carseq"
SAMPLES = ROOT / "problems" / "car-sequencing"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return get_registry()


def load(registry: Registry, source: dict[str, Any] | Path) -> LoadedProblem:
    if isinstance(source, Path):
        return load_problem(source, registry)
    return load_document(copy.deepcopy(source), registry, source="test")


def run(registry: Registry, source: dict[str, Any] | Path, formulation: str | None = None,
        time_limit: float = 5.0, threads: int = 2, solver: str = "cpsat",
        **extra: Any) -> SolveResult:
    loaded = load(registry, source)
    options = SolveOptions(time_limit=time_limit, threads=threads, seed=0, extra=extra)
    return solve(loaded, registry, solver=solver, formulation=formulation, options=options)


def small_line() -> dict[str, Any]:
    """Eight cars, worked by hand in test_checker.

    Option S (sunroof) at most 1 in 2, high priority; option N (navigation) at most 1 in
    3, low priority, weight 2.  Classes: A (S, red) x3, B (N, blue) x2, C (none, red) x3.
    Yesterday's last car was an A (red); paint batches of at most 3.
    """
    return {
        "type": "car-sequencing",
        "name": "small-line",
        "options": [
            {"id": "S", "max": 1, "window": 2, "station": "roof"},
            {"id": "N", "max": 1, "window": 3, "priority": "low", "weight": 2},
        ],
        "classes": [
            {"id": "A", "count": 3, "options": ["S"], "colour": "red"},
            {"id": "B", "count": 2, "options": ["N"], "colour": "blue"},
            {"id": "C", "count": 3, "colour": "red"},
        ],
        "paint": {"max_batch": 3, "change_cost": 3},
        "previous": ["A"],
        "objective": {"weights": {"high": 100, "colour": 10, "low": 1}},
    }
