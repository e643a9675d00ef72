"""The instance generator: sizes, reproducibility, the mixed-model features."""

from __future__ import annotations

import pytest
from optikit_fjsp.generator import SIZES, generate

from optikit.registry import Registry
from tests.fjsp.conftest import load


@pytest.mark.parametrize("size", list(SIZES))
def test_sizes_validate_and_have_the_features(size: str, registry: Registry) -> None:
    doc = generate(7, size)
    problem = load(registry, doc).problem
    jobs, machines, *_ = SIZES[size]
    assert len(problem.shop.jobs) == jobs and len(problem.shop.machines) == machines
    assert problem.has_setups
    assert all(j.product is not None and j.due is not None for j in problem.shop.jobs)
    assert problem.objective.uses_tardiness and problem.objective.makespan_weight > 0


def test_large_is_100_jobs_20_machines_about_1200_operations() -> None:
    for seed in (1, 2, 3):
        doc = generate(seed, "large")
        ops = sum(len(j["operations"]) for j in doc["jobs"])
        assert 1100 <= ops <= 1300
        assert len(doc["jobs"]) == 100 and len(doc["machines"]) == 20


def test_reproducible_and_seed_dependent() -> None:
    assert generate(11, "medium") == generate(11, "medium")
    assert generate(11, "medium") != generate(12, "medium")


def test_unknown_size() -> None:
    with pytest.raises(ValueError, match="huge"):
        generate(1, "huge")
