"""The product-structure Lagrangian (:mod:`optikit_lotsizing.lagrange`): every value it
reports, at any multipliers, stays at or below a proven optimum; and the structure moves
(:mod:`optikit_lotsizing.structure`) return checked points of the model, never worse."""

from __future__ import annotations

import numpy as np
import pytest
from optikit_highs.backend import HighsBackend
from optikit_lotsizing import bounds, lagrange, structure
from optikit_lotsizing.generator import generate
from optikit_lotsizing.heuristic import constructive
from optikit_lotsizing.linear import build
from optikit_lotsizing.model import parse
from optikit_lotsizing.subtrees import made_below, roots

from optikit.paradigms import LinearResult
from optikit.types import SolveContext, SolveOptions, Status
from tests.lot_sizing.conftest import tiny_optimum


def test_tiny_has_a_shared_component_and_a_shared_bought_part() -> None:
    """The instances below exercise every multiplier: S is under both end items (two
    copies, setups and initial stock shared), R is consumed by B and by S."""
    problem = parse(generate(1, "tiny"))
    tops = roots(problem)
    s = problem.index["S"]
    assert sorted(problem.ids[e] for e in tops) == ["A", "B"]
    assert sum(s in made_below(problem, e) for e in tops) == 2
    lag = lagrange.build(problem)
    assert lag is not None and len(lag.boughts) == 1 and lag.copies[s] == 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_value_is_a_lower_bound(seed: int) -> None:
    """At the starting multipliers, along the subgradient steps and at random ones (any
    multipliers give a valid bound), the value never exceeds the proven optimum."""
    problem = parse(generate(seed, "tiny"))
    optimum = tiny_optimum(seed)
    lag = lagrange.build(problem)
    assert lag is not None
    ctx = SolveContext(SolveOptions(time_limit=30))
    rng = np.random.default_rng(seed)
    values = []
    for k in range(8):
        ev = lagrange.evaluate(lag, HighsBackend(), ctx, lambda: None)
        assert ev is not None
        values.append(ev.value)
        if k < 5:
            lagrange.step(lag, ev, optimum, 1.0)
        else:
            lag.mu = [rng.uniform(0, 400, m.shape) for m in lag.mu]
            lag.nu = rng.uniform(-5, 5, lag.nu.shape)
            lag.pi = rng.uniform(-2, 6, lag.pi.shape)
    assert max(values) <= optimum * (1 + 1e-6) + 1e-6
    assert values[0] > 0.5 * optimum  # and it is a useful one


def test_bound_runs_in_its_time_and_records_it() -> None:
    problem = parse(generate(1, "tiny"))
    stats: dict[str, float] = {}
    ctx = SolveContext(SolveOptions(time_limit=30))
    value = lagrange.lagrangian_bound(problem, HighsBackend(), ctx, None, tiny_optimum(1),
                                      stats, max_steps=4)
    assert value is not None and stats["lagrangian_steps"] == 4
    assert stats["lp_bound_lagrangian"] == value


def test_single_level_items_are_their_own_roots() -> None:
    """Without a bill of materials every made item is a root with one copy: no shared
    multipliers, and the bound is the sum of uncapacitated single-item optima."""
    problem = parse(generate(2, "small"))
    lag = lagrange.build(problem)
    assert lag is not None and len(lag.subtrees) == problem.num_items
    assert int(lag.copies.max()) == 1 and not lag.boughts


@pytest.mark.parametrize("kind", ["items", "components"])
def test_structure_moves_keep_a_point_of_the_model(kind: str) -> None:
    problem = parse(generate(1, "tiny"))
    lm = build(problem, strong=False)
    start = constructive(problem, lm)
    assert start is not None and start.objective is not None
    ctx = SolveContext(SolveOptions(time_limit=30))
    best = start
    moves = list(structure.neighbourhoods(problem, lm, kind, orders=True))
    assert moves
    for _, free in moves:
        result = structure.solve_neighbourhood(lm.model, HighsBackend(), ctx, free, best, 5)
        assert result.x is not None and result.objective is not None
        assert lm.model.is_feasible(result.x)
        assert best.objective is not None and result.objective <= best.objective + 1e-6
        best = result


def test_bound_phase_is_off_by_default_and_feeds_the_bound_when_asked() -> None:
    """``fl``'s ``lagrangian`` option: nothing runs at its default (0); with a share the
    value lands in ``stats``, where the reported bound picks it up."""
    problem = parse(generate(1, "tiny"))
    stats: dict[str, float] = {}
    off = SolveContext(SolveOptions(time_limit=30))
    lagrange.bound_phase(problem, HighsBackend(), off, 10.0, None, stats)
    assert stats == {}
    on = SolveContext(SolveOptions(time_limit=30, extra={"lagrangian": 0.5}))
    lagrange.bound_phase(problem, HighsBackend(), on, 2.0, None, stats)  # to ~1 s
    value = stats["lp_bound_lagrangian"]
    assert 0 < value <= tiny_optimum(1) * (1 + 1e-6)
    full = LinearResult(Status.FEASIBLE, bound=0.5 * value)
    assert bounds.phase_bound(problem, full, stats) == (value, "product-structure Lagrangian")


def test_not_applied_where_the_decomposition_is_undefined() -> None:
    """An item both made and bought, or a bought item with backlog: no Lagrangian."""
    document = generate(1, "tiny")
    document["items"].append({"id": "Z", "demand": [5] * 6, "backlog_cost": 9,
                              "sources": [{"supplier": "x", "unit_price": 2}]})
    assert lagrange.build(parse(document)) is None
    document = generate(1, "tiny")
    sub = next(item for item in document["items"] if item["id"] == "S")
    sub["sources"] = [{"supplier": "x", "unit_price": 5}]
    assert lagrange.build(parse(document)) is None
