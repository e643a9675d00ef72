"""Shared helpers for the energy-scheduling tests: real core, real solvers, small limits."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from optikit.plugins import get_registry
from optikit.problem_io import LoadedProblem, load_document
from optikit.registry import Registry
from optikit.runner import SolveResult, solve
from optikit.types import SolveOptions

SAMPLES = Path(__file__).resolve().parents[2] / "problems" / "energy-scheduling"
TOY_FULL = SAMPLES / "toy_full.yaml"
TOY_PROCESSING = SAMPLES / "toy_processing_only.yaml"

# The toy's reference optima (samples/README.md): time-indexed MILP = CP-SAT.
TOY_FULL_OPTIMUM = 108_900.0
TOY_PROCESSING_OPTIMUM = 101_700.0
# Generated small seed 1, proven by the time-indexed MILP and CP-SAT
# (tests/energy/test_bucket_bound.py).
SMALL_1_OPTIMUM = 99.6551


@pytest.fixture(scope="session")
def registry() -> Registry:
    return get_registry()


def read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def load(registry: Registry, document: dict[str, Any], name: str = "test") -> LoadedProblem:
    return load_document(copy.deepcopy(document), registry, source=name)


def run(
    registry: Registry,
    document: dict[str, Any],
    solver: str = "cpsat",
    time_limit: float = 10.0,
    threads: int = 2,
    **extra: str,
) -> SolveResult:
    loaded = load(registry, document)
    options = SolveOptions(time_limit=time_limit, threads=threads, seed=0, extra=extra)
    return solve(loaded, registry, solver=solver, options=options)


def tiny_shop() -> dict[str, Any]:
    """Two machines, hourly units, a cheap night and an expensive day.

    M1 (idle 5 kW, always on within its span) and M2 (idle 10 kW, may switch off for
    20 kWh).  Prices 10 for units 0-3, 30 for 4-7; carbon 0.5 / 0.2 kg per kWh.
    """
    return {
        "type": "energy-scheduling",
        "name": "tiny-shop",
        "time_step": 60,
        "horizon": 8,
        "tariff": [
            {"start": 0, "end": 4, "price": 10, "carbon": 0.5},
            {"start": 4, "end": 8, "price": 30, "carbon": 0.2},
        ],
        "peak_power": 100,
        "machines": [
            {"id": "M1", "idle_power": 5},
            {"id": "M2", "idle_power": 10, "startup_energy": 20},
        ],
        "jobs": [
            {"id": "A", "operations": [
                {"modes": [{"machine": "M1", "duration": 2, "power": 40}]},
                {"modes": [{"machine": "M2", "duration": 1, "power": 60}]},
            ]},
            {"id": "B", "operations": [
                {"modes": [{"machine": "M1", "duration": 1, "power": 30},
                           {"machine": "M2", "duration": 2, "power": 20}]},
            ]},
        ],
    }


def checked_objective(problem: Any, inc: Any) -> float:
    """The independent checker's objective of an incumbent's schedule (it must pass)."""
    from optikit_energy import switching
    from optikit_energy.checker import check

    payload, _ = switching.build_payload(problem, inc.schedule, inc.switch_on)
    report = check(problem, payload)
    assert report.feasible, report.violations
    assert report.objective is not None
    return float(report.objective)


def random_single_moves(problem: Any, schedule: list[Any], seed: int, count: int
                        ) -> Iterator[tuple[int, Any, Any, list[Any]]]:
    """``count`` random moves of one operation each (another start, mode and machine) from
    ``schedule``: ``(operation, its old entry, its new entry, the moved schedule)``."""
    from optikit.scheduling import ScheduledOperation

    index = {problem.job_ops[s.job][s.operation]: i for i, s in enumerate(schedule)}
    rng = random.Random(seed)
    for _ in range(count):
        g = rng.choice(list(index))
        s = schedule[index[g]]
        k = rng.randrange(len(problem.ops[g].modes))
        mode = problem.ops[g].modes[k]
        t = rng.randrange(0, problem.horizon - mode.duration)
        new = ScheduledOperation(s.job, s.operation, k, mode.machine, t, t + mode.duration)
        moved = list(schedule)
        moved[index[g]] = new
        yield g, s, new, moved
