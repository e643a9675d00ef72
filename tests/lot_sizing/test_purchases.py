"""The bought items' orders re-planned by the cover-interval recursion (:mod:`purchases`):
the re-planned plan passes the independent checker at the cost the model gives it and
costs less than the constructed plan's lot-for-lot orders; on a single offer without
rounding the recursion is Wagner-Whitin, hence optimal; ``fl`` uses it on large models."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from optikit_lotsizing import heuristic, purchases
from optikit_lotsizing.checker import check
from optikit_lotsizing.formulation import payload, plan
from optikit_lotsizing.generator import generate_structured
from optikit_lotsizing.linear import build
from optikit_lotsizing.model import LotSizingProblem, parse

from optikit.types import SolveContext, SolveOptions
from tests.lot_sizing.test_windows import Recording


@pytest.mark.parametrize("seed", [1, 2])
def test_repurchased_plan_is_checked_and_cheaper(seed: int) -> None:
    problem = parse(generate_structured(seed, 13, 4, 4, 2))
    lm = build(problem, strong=False)
    start = heuristic.constructive(problem, lm)
    assert start is not None and start.x is not None and start.objective is not None
    better = purchases.repurchase(problem, lm, start)
    assert better.x is not None and better.objective is not None
    assert better.objective < start.objective - 1.0  # lot for lot was not the best
    make, orders = plan(problem, lm, better.x)
    report = check(problem, payload(problem, make, orders))
    assert report.feasible, report.violations
    assert report.objective == pytest.approx(better.objective)
    # the made items' plan is untouched
    assert np.array_equal(make, plan(problem, lm, start.x)[0])
    # and a plan whose orders are already re-planned stays as it is
    assert purchases.repurchase(problem, lm, better) is better


def _single_offer(periods: int, order: dict[str, Any]) -> LotSizingProblem:
    """A made item ``A`` (unused here) over a bought ``B`` with one offer."""
    return parse({
        "type": "lot-sizing", "periods": periods,
        "resources": [{"id": "M", "capacity": 1000}],
        "items": [
            {"id": "A", "demand": [0] * periods,
             "production": [{"resource": "M", "time_per_unit": 1}],
             "components": [{"item": "B", "quantity": 1}]},
            {"id": "B", "holding_cost": 0.7, "initial_stock": 15, "safety_stock": 5,
             "sources": [{"supplier": "S", **order}]},
        ],
    })


def _best_by_enumeration(problem: LotSizingProblem, gross: np.ndarray) -> float:
    """The cheapest orders over every set of arrival periods (each covers up to the next)."""
    source = problem.sources[0]
    periods = problem.periods
    best = np.inf
    for count in range(1, periods + 1):
        for starts in itertools.combinations(range(source.lead_time, periods), count):
            bounds = [*starts, periods]
            covers = [(a, k, source) for a, k in itertools.pairwise(bounds)]
            orders = purchases.replay(problem, 1, gross, covers)
            cost = None if orders is None else purchases.cost_of(problem, 1, gross, orders)
            if cost is not None:
                best = min(best, cost)
    return float(best)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_offer_without_rounding_is_wagner_whitin(seed: int) -> None:
    problem = _single_offer(7, {"lead_time": 1, "unit_price": 2, "order_cost": 40})
    gross = np.random.default_rng(seed).integers(0, 40, problem.periods).astype(float)
    gross[0] = 0.0  # nothing arrives before the lead time
    orders = purchases.replanned(problem, 1, gross)
    assert orders is not None
    cost = purchases.cost_of(problem, 1, gross, orders)
    assert cost == pytest.approx(_best_by_enumeration(problem, gross))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rounded_orders_keep_the_safety_stock(seed: int) -> None:
    """With a minimum, a multiple and price breaks the orders are rounded up; the replay
    sizes each for the stock on hand, so no period falls short."""
    problem = _single_offer(8, {
        "lead_time": 2, "order_cost": 60, "min_order": 50, "order_multiple": 20,
        "price_breaks": [{"min_quantity": 0, "price": 3}, {"min_quantity": 120, "price": 2.5}]})
    gross = np.random.default_rng(seed).integers(0, 45, problem.periods).astype(float)
    gross[:2] = 0.0  # nothing can arrive before the lead time: the initial stock covers
    orders = purchases.replanned(problem, 1, gross)
    assert orders is not None and orders
    assert purchases.cost_of(problem, 1, gross, orders) is not None
    for _, _, _, qty in orders:
        assert qty >= 50 and qty % 20 == 0


def test_fl_replans_the_purchases_on_large_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heuristic, "RELAX_AND_FIX_MAX_COLUMNS", 0)
    problem = parse(generate_structured(1, 8, 2, 2, 2))
    outcome = heuristic.solve_fl(problem, Recording(),
                                 SolveContext(SolveOptions(time_limit=4.0, threads=1)))
    assert outcome.payload is not None and outcome.objective is not None
    assert outcome.stats.get("repurchased") is not None
    report = check(problem, outcome.payload)
    assert report.feasible and report.objective == pytest.approx(outcome.objective)


def test_multi_level_models_take_the_large_path_with_highs_only() -> None:
    """From ``MULTI_LEVEL_MIN_COLUMNS`` columns a model with a bill of materials is
    planned as the large ones are (HiGHS's MILP found few plans there); single-level
    models and the ``tiny`` ones keep the MILP path, and so do other backends."""
    from optikit_lotsizing.generator import generate

    def path(document: dict[str, Any], backend: str = "highs") -> bool:
        problem = parse(document)
        return heuristic.takes_large_path(problem, build(problem, False).model, backend)

    assert path(generate_structured(1, 13, 4, 4, 2))
    assert not path(generate_structured(1, 13, 4, 4, 2), "scip")
    assert not path(generate(0, "tiny"))
    assert not path(generate(1, "medium"))  # single level, about 1,800 columns
