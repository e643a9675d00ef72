"""The exact re-timing of one machine's sequence (machine_dp) and its sweep in the shift
search."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from optikit_energy import energy, machine_dp, shift_search, switching
from optikit_energy.checker import check
from optikit_energy.generator import generate
from optikit_energy.heuristic import best_constructed

from optikit.scheduling import ScheduledOperation
from tests.energy.conftest import load


def _machine_value(problem, ops) -> float:
    """One machine's objective share with its greedy switching (exact per gap without a
    cap), plus the tardiness of the jobs its operations end."""
    m = ops[0].machine
    on = switching.best_policy(problem, ops) if problem.can_switch_off(m) else {}
    figures, bad = energy.compute(problem, ops, on)
    assert not bad
    w = problem.weights
    value = w.energy_cost * figures.cost + w.carbon * figures.co2_kg
    for s in ops:
        job = problem.shop.jobs[s.job]
        if (w.total_weighted_tardiness and job.due is not None
                and s.operation == len(problem.job_ops[s.job]) - 1):
            value += w.total_weighted_tardiness * job.weight * max(0, s.end - job.due)
    if w.makespan:
        value += w.makespan * max(s.end for s in ops)
    return value


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_dynamic_programme_equals_enumeration(registry, seed: int) -> None:
    """A machine's first operations in their order, each in any of its modes on that
    machine and within a few units of its place: the programme's optimum equals the best
    of every placement priced by the checker's computation (no cap, no setups: where the
    programme is exact), and its own placement costs that much."""
    problem = load(registry, generate(seed, "small")).problem
    problem = dataclasses.replace(problem, peak_power=None)
    built = best_constructed(problem, budget_s=1.0)
    assert built is not None and not problem.shop.has_setups
    prefix = np.concatenate(([0.0], np.cumsum(switching.objective_price(problem))))
    checked = 0
    for m in range(problem.num_machines):
        ops = sorted((s for s in built.schedule if s.machine == m), key=lambda s: s.start)
        ops = ops[:3] if seed == 1 else ops[:2]
        if len(ops) < 2:
            continue
        windows = [(max(0, s.start - 3), min(problem.horizon, s.end + 3)) for s in ops]
        found = machine_dp.retime(problem, ops, windows, None, prefix)
        assert found is not None
        options = []
        for s, (a, b) in zip(ops, windows, strict=True):
            modes = problem.ops[problem.job_ops[s.job][s.operation]].modes
            options.append([(t, k) for k, md in enumerate(modes) if md.machine == m
                            for t in range(a, b - md.duration + 1)])
        best = min((_machine_value(problem, placed) for placed in
                    (_placed(problem, ops, choice) for choice in itertools.product(*options))
                    if all(v.start >= u.end for u, v in itertools.pairwise(placed))),
                   default=np.inf)
        assert found[0] == pytest.approx(best, rel=1e-9, abs=1e-9)
        placed = _placed(problem, ops, found[1])
        assert _machine_value(problem, placed) == pytest.approx(best, rel=1e-9, abs=1e-9)
        checked += 1
    assert checked >= 2


def _placed(problem, ops, choice) -> list[ScheduledOperation]:
    out = []
    for s, (t, k) in zip(ops, choice, strict=True):
        d = problem.ops[problem.job_ops[s.job][s.operation]].modes[k].duration
        out.append(ScheduledOperation(s.job, s.operation, k, s.machine, t, t + d))
    return out


def test_the_sweep_improves_past_the_local_optimum_and_passes_the_checker(registry) -> None:
    """Large-2: from the local optimum of single moves and swaps, re-timing whole machines
    still pays (716.5 -> 714.1 when measured), and the result passes the checker."""
    problem = load(registry, generate(2, "large")).problem
    built = best_constructed(problem, budget_s=2.0)
    assert built is not None
    local = shift_search.improve(problem, built.schedule, built.switch_on, built.objective,
                                 30.0, retime=False)
    assert local is not None
    search = shift_search.start(problem, local.schedule, local.switch_on, local.objective,
                                30.0, lambda: False)
    assert search is not None
    changed = machine_dp.sweep(search)
    assert changed and search.objective < local.objective - 1e-6
    answer = search.shifted()
    assert answer is not None
    payload, _ = switching.build_payload(problem, answer.schedule, answer.switch_on)
    report = check(problem, payload)
    assert report.feasible, report.violations[:3]
    assert report.objective is not None and report.objective <= search.objective + 1e-6
