"""Dispatching rules: a feasible schedule on every copied instance and generated size."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from optikit_fjsp import heuristic
from optikit_fjsp.checker import check
from optikit_fjsp.generator import generate
from optikit_fjsp.model import parse
from optikit_fjsp.reader import read_fjs
from optikit_fjsp.timetable import (
    critical_operations,
    left_shift,
    machine_sequences,
    makespan,
    objective_value,
    to_schedule,
)

from optikit.scheduling import schedule_to_payload
from tests.fjsp.conftest import ALL_FJS, instance


def checked(problem, sol) -> float:
    report = check(problem, schedule_to_payload(problem.shop, to_schedule(problem.flat, sol)))
    assert report.feasible, report.violations[:3]
    assert report.objective == pytest.approx(objective_value(problem, sol))
    assert report.objective is not None
    return float(report.objective)


@pytest.mark.parametrize("path", ALL_FJS, ids=[p.stem for p in ALL_FJS])
def test_feasible_on_every_copied_instance(path: Path) -> None:
    problem = parse(read_fjs(path))
    sol = heuristic.construct(problem, budget=0.05, seed=1, max_restarts=10)
    checked(problem, sol)


@pytest.mark.parametrize("size", ["tiny", "small", "medium", "large"])
def test_feasible_with_setups_releases_and_due_dates(size: str) -> None:
    problem = parse(generate(3, size))
    assert problem.has_setups
    sol = heuristic.construct(problem, budget=0.05, seed=0, max_restarts=3)
    checked(problem, sol)
    for g in range(problem.flat.num_ops):
        if problem.flat.op_index[g] == 0:
            assert sol.starts[g] >= problem.flat.release[problem.flat.op_job[g]]


def test_every_rule_alone_is_feasible() -> None:
    problem = parse(generate(5, "small"))
    rules = {**heuristic.MAKESPAN_RULES, **heuristic.TARDINESS_RULES}
    for rule in rules.values():
        checked(problem, heuristic.dispatch(problem.flat, rule))
        noisy = heuristic.dispatch(problem.flat, rule, random.Random(2), noise=0.5)
        checked(problem, noisy)


def test_restarts_never_worse_than_the_plain_rules() -> None:
    problem = parse(read_fjs(instance("mk04")))
    plain = min(
        objective_value(problem, heuristic.dispatch(problem.flat, rule))
        for rule in heuristic.MAKESPAN_RULES.values()
    )
    assert objective_value(problem, heuristic.construct(problem, budget=0.5, seed=0)) <= plain


def test_same_seed_same_schedule() -> None:
    problem = parse(read_fjs(instance("mk02")))
    a = heuristic.construct(problem, budget=5.0, seed=4, max_restarts=30)
    b = heuristic.construct(problem, budget=5.0, seed=4, max_restarts=30)
    assert a == b


def test_left_shift_and_critical_path() -> None:
    problem = parse(generate(2, "medium"))
    sol = heuristic.construct(problem, budget=0.05, seed=0, max_restarts=2)
    flat = problem.flat
    shifted = left_shift(flat, sol.modes, machine_sequences(flat, sol))
    checked(problem, shifted)
    assert makespan(flat, shifted) <= makespan(flat, sol)
    crit = critical_operations(flat, shifted)
    assert crit
    # A critical path ends at the makespan and starts at a job's release.
    assert max(shifted.end(flat, g) for g in crit) == makespan(flat, shifted)
    first = min(crit, key=lambda g: shifted.starts[g])
    assert shifted.starts[first] == flat.release[flat.op_job[first]] or flat.op_index[first] > 0
