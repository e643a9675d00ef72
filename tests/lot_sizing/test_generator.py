"""The generator: seeded, valid, the documented sizes and utilisation."""

from __future__ import annotations

import numpy as np
import pytest
from optikit_lotsizing.generator import backward_fill_fits, generate

from optikit.registry import Registry
from tests.lot_sizing.conftest import load


@pytest.mark.parametrize("size", ["tiny", "small", "medium", "large"])
def test_seeded_and_valid(registry: Registry, size: str) -> None:
    first, again = generate(3, size), generate(3, size)
    assert first == again
    assert generate(4, size) != first
    problem = load(registry, first).problem
    shapes = {"small": (10, 15, 1), "medium": (20, 30, 1), "large": (100, 52, 3)}
    if size in shapes:
        assert (problem.num_items, problem.periods, problem.levels) == shapes[size]


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_utilisation_is_70_to_90_percent(registry: Registry, size: str) -> None:
    for seed in (1, 2):
        problem = load(registry, generate(seed, size)).problem
        produced_need = np.zeros(problem.num_items)
        # processing load of external demand plus the demand the parents pass down
        need = problem.demand.copy()
        for i in problem.order:
            for j in np.flatnonzero(problem.bom[i]):
                need[i] += problem.bom[i, j] * need[j]
        produced_need = need.mean(axis=1)
        load_ = problem.time_per_unit.T @ produced_need
        share = load_ / problem.capacity.mean(axis=1)
        assert share.max() <= 0.9 + 1e-9
        assert share.min() >= (0.7 if size == "large" else 0.55)


def test_backward_fill_detects_overload() -> None:
    demand = np.array([[0.0, 100.0], [0.0, 100.0]])
    a, st = np.ones(2), np.full(2, 10.0)
    assert backward_fill_fits(demand, a, st, 120.0)
    assert not backward_fill_fits(demand, a, st, 100.0)


def test_unknown_size() -> None:
    with pytest.raises(ValueError):
        generate(1, "huge")
