"""Shared helpers for the lot-sizing tests: documents through the real core."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import pytest

from optikit.plugins import get_registry
from optikit.problem_io import LoadedProblem, load_document
from optikit.registry import Registry
from optikit.runner import SolveResult, solve
from optikit.types import SolveOptions

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "problems" / "lot-sizing"
INSTANCES = ROOT / "benchmarks" / "instances" / "lot-sizing"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return get_registry()


def two_items() -> dict[str, Any]:
    """Two items on one machine, 3 periods, small enough to reason about by hand.

    Machine capacity 100; A: 1 min/unit, setup 10 min, setup cost 50, holding 1;
    B bought from one supplier (MOQ 20, multiple 10, breaks 2.0 / 1.5 from 40, lead 1).
    A consumes 1 B per unit.
    """
    return {
        "type": "lot-sizing",
        "name": "two-items",
        "periods": 3,
        "resources": [{"id": "M", "capacity": 100, "overtime": {"max": 20, "cost": 2}}],
        "items": [
            {"id": "A", "holding_cost": 1, "demand": [30, 40, 20],
             "production": [{"resource": "M", "time_per_unit": 1, "setup_time": 10,
                             "setup_cost": 50}],
             "components": [{"item": "B", "quantity": 1}]},
            {"id": "B", "holding_cost": 0.1, "initial_stock": 30,
             "sources": [{"supplier": "S", "lead_time": 1, "order_cost": 5, "min_order": 20,
                          "order_multiple": 10,
                          "price_breaks": [{"min_quantity": 0, "price": 2.0},
                                           {"min_quantity": 40, "price": 1.5}]}]},
        ],
    }


def load(registry: Registry, document: dict[str, Any]) -> LoadedProblem:
    return load_document(copy.deepcopy(document), registry, source="test")


def run(registry: Registry, document: dict[str, Any], formulation: str = "fl",
        solver: str = "highs", **options: Any) -> SolveResult:
    base: dict[str, Any] = {"time_limit": 60.0, "threads": 1, "seed": 0}
    base.update(options)
    return solve(load(registry, document), registry, solver=solver,
                 formulation=formulation, options=SolveOptions(**base))


@functools.cache
def tiny_optimum(seed: int) -> float:
    """The proven optimum of the generated ``tiny`` instance of ``seed`` (HiGHS, no gap):
    what every bound the tests compute must stay under."""
    from optikit_highs.backend import HighsBackend
    from optikit_lotsizing.generator import generate
    from optikit_lotsizing.linear import build
    from optikit_lotsizing.model import parse

    from optikit.types import SolveContext, Status

    problem = parse(generate(seed, "tiny"))
    result = HighsBackend().solve(build(problem, strong=False).model,
                                  SolveContext(SolveOptions(time_limit=30, gap=0.0)))
    assert result.status is Status.OPTIMAL and result.objective is not None
    return result.objective
