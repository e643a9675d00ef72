"""The shift search's prefix-sum pricing of one machine (machine_energy) against the
checker's computation, and the pricer's kept makespan and tardiness terms."""

from __future__ import annotations

import random

import pytest
from optikit_energy import energy
from optikit_energy.checker import peak_violations
from optikit_energy.generator import generate
from optikit_energy.heuristic import best_constructed
from optikit_energy.machine_energy import MachineEnergy
from optikit_energy.shift_pricing import MachinePricer

from optikit.scheduling import ScheduledOperation, weighted_tardiness
from tests.energy.conftest import load, random_single_moves


def _variant(seed: int, cap: bool) -> dict:
    """Generated medium instance with due dates and a tardiness weight (and no peak cap
    unless ``cap``): every term of the objective is in play."""
    doc = generate(seed, "medium")
    rng = random.Random(seed)
    for job in doc["jobs"]:
        job["due"] = rng.randrange(30, 400)
        job["weight"] = rng.choice([0.5, 1.0, 2.0])
    doc["objective"] = {**doc["objective"], "total_weighted_tardiness": 0.01}
    if not cap:
        doc.pop("peak_power")
    return doc


@pytest.mark.parametrize("cap", [False, True])
def test_prefix_sum_pricing_equals_the_checkers(registry, cap: bool) -> None:
    """Per machine, the prefix-sum figure is the checker's weighted cost and carbon on
    that machine alone; whole moves (another start, mode or machine) priced by the
    pricer equal the checker's objective of the whole schedule, tardiness included."""
    problem = load(registry, _variant(1, cap)).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    assert weighted_tardiness(problem.shop, built.schedule) > 0  # the term is in play
    fast = MachineEnergy(problem)
    w = problem.weights
    for m in range(problem.num_machines):
        ops = [s for s in built.schedule if s.machine == m]
        on = built.switch_on.get(m, [])
        figures, bad = energy.compute(problem, ops, {m: on} if problem.can_switch_off(m) else {})
        assert not bad
        found = fast.price(m, ops, on)
        assert found is not None
        assert found[0] == pytest.approx(w.energy_cost * figures.cost + w.carbon * figures.co2_kg,
                                         rel=1e-9, abs=1e-9)
        assert (found[1] is None) == (not cap)
        if found[1] is not None:
            assert found[1] == pytest.approx(figures.profile[: problem.horizon])
    pricer = MachinePricer(problem, built.schedule, built.switch_on)
    priced = 0
    for g, s, new, schedule in random_single_moves(problem, built.schedule, 0, 200):
        moved = pricer.price({g: new}, {g: s}, schedule)
        if moved is None:
            continue
        priced += 1
        figures, bad = energy.compute(problem, schedule, {**built.switch_on, **moved[1]})
        assert not bad and not peak_violations(problem, figures)
        full = energy.objective(problem, figures, schedule)
        assert full == pytest.approx(moved[0], rel=1e-9, abs=1e-9)
    assert priced > 20


def test_switching_rules_broken_give_no_price(registry) -> None:
    """A switch-on while the machine is still on, or none before an operation: None, as
    the checker's rules say."""
    problem = load(registry, generate(2, "medium")).problem
    m = next(m for m in range(problem.num_machines) if problem.can_switch_off(m))
    g = next(g for g, op in enumerate(problem.ops) if op.modes[0].machine == m)
    op = problem.ops[g]
    o = problem.job_ops[op.job].index(g)
    d = op.modes[0].duration
    s = ScheduledOperation(op.job, o, 0, m, 100, 100 + d)
    fast = MachineEnergy(problem)
    assert fast.price(m, [s], [100]) is not None
    assert fast.price(m, [s], [101]) is None  # off when it starts
    assert fast.price(m, [s], [100, 100 + d - 1]) is None  # switched on while on
    assert fast.price(m, [s], []) is None
