"""The shift search's machine-by-machine pricing and its swaps of machine neighbours."""

from __future__ import annotations

import pytest
from optikit_energy import energy, shift_search, shift_swaps, switching
from optikit_energy.checker import check, peak_violations
from optikit_energy.generator import generate
from optikit_energy.heuristic import best_constructed
from optikit_energy.shift_pricing import MachinePricer

from tests.energy.conftest import load, random_single_moves


def _full_price(problem, schedule, switch_on) -> float | None:
    figures, bad = energy.compute(problem, schedule, switch_on)
    if bad or peak_violations(problem, figures):
        return None
    return float(energy.objective(problem, figures, schedule))


def test_machine_by_machine_prices_equal_the_checkers(registry) -> None:
    """Random moves of single operations (other start, other mode and machine) on a
    medium instance (peak cap, switchable machines): the pricer's objective is the whole
    schedule's, priced with the switch-ons it chose; where it says infeasible, the kept
    switch-ons are infeasible too."""
    problem = load(registry, generate(2, "medium")).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    pricer = MachinePricer(problem, built.schedule, built.switch_on)
    assert float(pricer.energy.sum()) + pricer.other_terms(built.schedule) == pytest.approx(
        built.objective, rel=1e-9)
    priced = 0
    for g, s, new, schedule in random_single_moves(problem, built.schedule, 0, 300):
        found = pricer.price({g: new}, {g: s}, schedule)
        if found is None:
            assert _full_price(problem, schedule, built.switch_on) is None
            continue
        priced += 1
        value, on = found
        full = _full_price(problem, schedule, {**built.switch_on, **on})
        assert full == pytest.approx(value, rel=1e-9, abs=1e-9)
    assert priced > 20


def test_swaps_improve_past_the_single_moves_and_stay_feasible(registry) -> None:
    """Medium-3: once no single move is left, exchanges of machine neighbours still pay;
    the answer passes the checker with the objective the search claims."""
    problem = load(registry, generate(3, "medium")).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    single = shift_search.improve(problem, built.schedule, built.switch_on, built.objective,
                                  budget_s=30.0, swaps=False)
    assert single is not None and single.swapped == 0
    found = shift_search.improve(problem, single.schedule, single.switch_on, single.objective,
                                 budget_s=30.0)
    assert found is not None and found.swapped > 0
    assert found.objective < single.objective - 1e-6
    payload, _ = switching.build_payload(problem, found.schedule, found.switch_on)
    report = check(problem, payload)
    assert report.feasible, report.violations[:3]
    assert report.objective is not None and report.objective <= found.objective + 1e-6


def test_a_job_never_swaps_with_itself_on_a_machine(registry) -> None:
    """Two operations of one job next to each other on a machine keep their order."""
    problem = load(registry, generate(3, "medium")).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    search = shift_search._Search(problem, list(built.schedule), dict(built.switch_on),
                                  built.objective, lambda: False)
    for g in search.index:
        h = shift_swaps.successor(search, g)
        if h is not None and search.at(g).job == search.at(h).job:
            assert shift_swaps.swap(search, g) is None


def test_kicks_leave_the_local_optimum_and_stay_feasible(registry) -> None:
    """From the shift search's local optimum on medium-3, kicks (random moves, then the
    search around them) find better schedules; each passes the checker."""
    import random as _random

    from optikit_energy.shift_kick import kicked

    problem = load(registry, generate(3, "medium")).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    current = shift_search.improve(problem, built.schedule, built.switch_on, built.objective,
                                   budget_s=30.0)
    assert current is not None
    start = current.objective
    rng = _random.Random(0)
    gains = 0
    for _ in range(40):
        if gains == 2:
            break
        found = kicked(problem, current.schedule, current.switch_on, current.objective, 1.0,
                       rng)
        if found is None:
            continue
        assert found.objective < current.objective
        payload, _ = switching.build_payload(problem, found.schedule, found.switch_on)
        report = check(problem, payload)
        assert report.feasible, report.violations[:3]
        assert report.objective is not None and report.objective <= found.objective + 1e-6
        current = found
        gains += 1
    assert current.objective < start - 1e-6
