"""Small CP-SAT models with known answers, shared by the cpsat backend tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any


@dataclass
class Knapsack:
    model: Any
    take: list[Any]
    optimum: int


def knapsack() -> Knapsack:
    """0/1 knapsack with a unique optimum of 15 (items 0, 1, 3: weights 2+3+4 <= 9)."""
    from ortools.sat.python import cp_model

    values = [3, 4, 5, 8, 1]
    weights = [2, 3, 5, 4, 1]
    model = cp_model.CpModel()
    take = [model.new_bool_var(f"take{i}") for i in range(len(values))]
    model.add(sum(w * t for w, t in zip(weights, take, strict=True)) <= 9)
    model.maximize(sum(v * t for v, t in zip(values, take, strict=True)))
    return Knapsack(model, take, optimum=15)


@dataclass
class JobShop:
    model: Any
    starts: list[list[Any]]
    makespan: Any


def job_shop(jobs: int = 15, machines: int = 15, seed: int = 7) -> JobShop:
    """A random job shop (makespan) that CP-SAT cannot close in a second on one worker."""
    from ortools.sat.python import cp_model

    rng = random.Random(seed)
    model = cp_model.CpModel()
    horizon = jobs * machines * 99
    per_machine: list[list[Any]] = [[] for _ in range(machines)]
    starts: list[list[Any]] = []
    ends: list[Any] = []
    for j in range(jobs):
        order = list(range(machines))
        rng.shuffle(order)
        job_starts = []
        previous_end: Any = None
        for m in order:
            duration = rng.randint(1, 99)
            start = model.new_int_var(0, horizon, f"s{j}_{m}")
            end = model.new_int_var(0, horizon, f"e{j}_{m}")
            per_machine[m].append(model.new_interval_var(start, duration, end, f"i{j}_{m}"))
            if previous_end is not None:
                model.add(start >= previous_end)
            previous_end = end
            job_starts.append(start)
        starts.append(job_starts)
        ends.append(previous_end)
    for intervals in per_machine:
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, ends)
    model.minimize(makespan)
    return JobShop(model, starts, makespan)


def infeasible() -> Any:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "x")
    y = model.new_int_var(0, 10, "y")
    model.add(x + y >= 25)
    model.minimize(x)
    return model
