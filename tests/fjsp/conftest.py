"""Shared helpers for the fjsp tests: the real core and solvers, short limits.

Instances come from the repository's ``benchmarks/instances/fjsp`` copies (never from
outside the repository) and ``problems/fjsp`` samples.
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
INSTANCES = ROOT / "benchmarks" / "instances" / "fjsp"
SAMPLES = ROOT / "problems" / "fjsp"
ALL_FJS = sorted(INSTANCES.glob("*/*.fjs"))


def instance(name: str) -> Path:
    """Path of a copied benchmark instance, e.g. ``instance("mk01")``."""
    found = [p for p in ALL_FJS if p.stem == name]
    assert found, f"no instance {name} under {INSTANCES}"
    return found[0]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return get_registry()


def load(registry: Registry, source: dict[str, Any] | Path, name: str = "test") -> LoadedProblem:
    if isinstance(source, Path):
        return load_problem(source, registry)
    return load_document(copy.deepcopy(source), registry, source=name)


def run(
    registry: Registry,
    source: dict[str, Any] | Path | LoadedProblem,
    solver: str = "cpsat",
    formulation: str | None = None,
    time_limit: float = 5.0,
    threads: int = 2,
    seed: int = 0,
    **extra: Any,
) -> SolveResult:
    loaded = source if isinstance(source, LoadedProblem) else load(registry, source)
    options = SolveOptions(time_limit=time_limit, threads=threads, seed=seed, extra=extra)
    return solve(loaded, registry, solver=solver, formulation=formulation, options=options)


def tiny_shop() -> dict[str, Any]:
    """Two machines, three jobs, two products with changeovers on M1; worked by hand.

    J1 (product A): op0 on M1 (3) or M2 (5); op1 on M2 (2).
    J2 (product B): op0 on M1 (2); op1 on M1 (2) or M2 (4).  Release 1.
    J3 (product A): op0 on M2 (3).  Due 4, weight 2.
    Changeover on M1: A -> B 2, B -> A 3.
    """
    return {
        "type": "fjsp",
        "name": "tiny",
        "machines": [{"id": "M1"}, {"id": "M2"}],
        "jobs": [
            {
                "id": "J1",
                "product": "A",
                "due": 8,
                "operations": [
                    {"modes": [{"machine": "M1", "duration": 3}, {"machine": "M2", "duration": 5}]},
                    {"modes": [{"machine": "M2", "duration": 2}]},
                ],
            },
            {
                "id": "J2",
                "product": "B",
                "release": 1,
                "operations": [
                    {"modes": [{"machine": "M1", "duration": 2}]},
                    {"modes": [{"machine": "M1", "duration": 2}, {"machine": "M2", "duration": 4}]},
                ],
            },
            {
                "id": "J3",
                "product": "A",
                "due": 4,
                "weight": 2,
                "operations": [{"modes": [{"machine": "M2", "duration": 3}]}],
            },
        ],
        "setups": {"M1": {"A": {"B": 2}, "B": {"A": 3}}},
        "objective": "makespan",
    }


def tiny_schedule() -> dict[str, Any]:
    """A feasible schedule of :func:`tiny_shop` (makespan 9), by hand.

    M1: J1.0 [0,3], changeover A->B [3,5], J2.0 [5,7], J2.1 [7,9].
    M2: J3.0 [0,3], J1.1 [3,5].
    """
    return {
        "operations": [
            {"job": "J1", "operation": 0, "mode": 0, "machine": "M1", "start": 0, "end": 3},
            {"job": "J1", "operation": 1, "mode": 0, "machine": "M2", "start": 3, "end": 5},
            {"job": "J2", "operation": 0, "mode": 0, "machine": "M1", "start": 5, "end": 7},
            {"job": "J2", "operation": 1, "mode": 0, "machine": "M1", "start": 7, "end": 9},
            {"job": "J3", "operation": 0, "mode": 0, "machine": "M2", "start": 0, "end": 3},
        ]
    }
