"""The product-structure Lagrangian by column generation (:mod:`optikit_lotsizing.colgen`):
every value it reports is a bound of the instance, the master's value stays above every
one of them (it estimates the dual from above), and on ``tiny`` the two meet."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from optikit_highs.backend import HighsBackend
from optikit_lotsizing import colgen, lagrange
from optikit_lotsizing.generator import generate, generate_structured
from optikit_lotsizing.heuristic import constructive
from optikit_lotsizing.linear import build
from optikit_lotsizing.model import parse

from optikit.types import SolveContext, SolveOptions
from tests.lot_sizing.conftest import tiny_optimum


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_values_stay_bounds_and_meet_the_master(seed: int) -> None:
    problem = parse(generate(seed, "tiny"))
    lag = lagrange.build(problem)
    assert lag is not None
    rounds: list[colgen.Round] = []
    ctx = SolveContext(SolveOptions(time_limit=60))
    best = colgen.column_generation(lag, HighsBackend(), ctx, lambda: None, 80,
                                    report=rounds.append, tolerance=1e-3)
    optimum = tiny_optimum(seed)
    assert best is not None and rounds
    assert max(r.value for r in rounds) <= optimum * (1 + 1e-6)
    for r in rounds:
        assert r.master >= r.best - 1e-6 * abs(r.best)
    assert rounds[-1].master - best <= 1e-3 * abs(rounds[-1].master)  # converged
    assert best >= rounds[0].value  # the dual at least the first multipliers' value


def test_stop_keeps_the_best_value_so_far() -> None:
    problem = parse(generate(1, "tiny"))
    lag = lagrange.build(problem)
    assert lag is not None
    calls = [0]

    def stop() -> bool:
        calls[0] += 1
        return calls[0] > 2

    best = colgen.column_generation(lag, HighsBackend(), SolveContext(SolveOptions()),
                                    lambda: None, 100, stop=stop)
    assert best is not None and best <= tiny_optimum(1) * (1 + 1e-6)


def test_structured_generator_keeps_the_large_shape() -> None:
    """The small ``large``-shaped instances of the ceiling benchmark: 3 levels, every
    sub-assembly under some end item's bill of materials, shared ones among them."""
    problem = parse(generate_structured(1, 8, 4, 4, 2))
    assert problem.num_items == 10 and problem.periods == 8
    lag = lagrange.build(problem)
    assert lag is not None and int(lag.copies.max()) >= 2
    # and the sizes' parameters left ``large`` itself as it was (its figures in the README)
    text = json.dumps(generate(1, "large"), sort_keys=True).encode()
    assert hashlib.sha1(text).hexdigest() == "43ce636c6ee4ccd3219a2a0f197fb9e63bf4ed57"


@pytest.mark.parametrize("seed", [0, 1])
def test_a_plan_seeds_the_master_below_its_cost(seed: int) -> None:
    """The constructed plan split among the subproblems is a point of the master without
    slacks: its value is at most the plan's cost (the relaxation drops capacity), the
    copies make no more than the plan and share no more than the initial stock."""
    problem = parse(generate(seed, "tiny"))
    lm = build(problem, strong=False)
    start = constructive(problem, lm)
    assert start is not None and start.x is not None and start.objective is not None
    made = np.where(lm.x >= 0, start.x[np.maximum(lm.x, 0)], 0.0)
    lag = lagrange.build(problem)
    assert lag is not None
    xc, uc = colgen.split(lag, made)
    for j in map(int, np.flatnonzero(lag.copies > 1)):
        copies = [x for (k, i), x in xc.items() if i == j]
        assert len(copies) == lag.copies[j]
        assert np.all(sum(copies) <= made[j] + 1e-6)
        assert sum(u for (k, i), u in uc.items() if i == j) <= problem.initial[j] + 1e-6
    master = colgen.Master(lag)
    ctx = SolveContext(SolveOptions(time_limit=30))
    added = colgen.plan_columns(master, made, HighsBackend(), ctx, lambda: None)
    assert added == len(lag.subtrees) + len(lag.boughts)
    solved = master.solve(HighsBackend(), ctx)
    assert solved is not None and solved[0] <= start.objective + 1e-6
    best = colgen.column_generation(lag, HighsBackend(), ctx, lambda: None, 40, plan=made,
                                    tolerance=1e-3)
    assert best is not None and best <= tiny_optimum(seed) * (1 + 1e-6)
