"""LNS sub-models (``optikit_energy.lns_frame``): a step's own small model, whose solution
is the whole schedule with the frozen operations where they were."""

from __future__ import annotations

import pytest
from optikit_energy import cpsat_solutions as solutions
from optikit_energy import heuristic, switching
from optikit_energy.checker import check
from optikit_energy.cpsat_model import EnergyCpModel
from optikit_energy.generator import generate
from optikit_energy.lns_frame import frame_of, sub_solve
from optikit_energy.model import EnergyProblem
from optikit_energy.run import Incumbent, Run, evaluate

from optikit.scheduling import ScheduledOperation
from optikit.types import SolveContext, SolveOptions
from tests.energy.conftest import load


def _frozen_kept(problem: EnergyProblem, before: list[ScheduledOperation],
                 after: list[ScheduledOperation], free: set[int]) -> bool:
    old = {problem.job_ops[s.job][s.operation]: s for s in before}
    new = {problem.job_ops[s.job][s.operation]: s for s in after}
    return all(new[g] == old[g] for g in old if g not in free)


def _passes_checker(problem: EnergyProblem, schedule: list[ScheduledOperation],
                    switch_on: dict[int, list[int]]) -> float:
    payload, _ = switching.build_payload(problem, schedule, switch_on)
    report = check(problem, payload)
    assert report.feasible, report.violations
    assert report.objective is not None
    return float(report.objective)


def test_a_sub_model_solution_is_the_whole_schedule_with_frozen_operations_in_place(
        registry) -> None:
    problem = load(registry, generate(2, "small")).problem
    built = heuristic.construct(problem, "earliest", keep_on=True)
    assert built is not None
    free = {g for j in (0, 2) for g in problem.job_ops[j]}
    sub = EnergyCpModel(problem, frame=frame_of(problem, built.schedule, free))
    full = EnergyCpModel(problem)
    assert len(sub.model.proto.variables) < len(full.model.proto.variables) / 2
    backend = registry.available_backend("cpsat")
    ctx = SolveContext(SolveOptions(time_limit=10, threads=1, seed=0))
    result = backend.solve(sub.model, ctx, time_limit=5, report_progress=False,
                           objective_scale=sub.objective_scale,
                           parameters={"stop_after_first_solution": True})
    assert result.status.has_solution
    schedule, switch_on = solutions.extract(sub, result.value, result.boolean_value)
    switch_on = switching.normalize(problem, schedule, switch_on)
    assert _frozen_kept(problem, built.schedule, schedule, free)
    objective = _passes_checker(problem, schedule, switch_on)
    # Every operation is in the sub-model: its objective is the schedule's.
    assert result.objective == pytest.approx(objective, rel=1e-6)


def test_frame_windows_keep_freed_operations_between_their_frozen_neighbours(
        registry) -> None:
    problem = load(registry, generate(1, "medium")).problem
    built = heuristic.best_constructed(problem, budget_s=1.0)
    assert built is not None
    job = max(range(len(problem.job_ops)), key=lambda j: len(problem.job_ops[j]))
    ops = problem.job_ops[job]
    middle = ops[1 : len(ops) - 1]
    frame = frame_of(problem, built.schedule, set(middle))
    by_op = {problem.job_ops[s.job][s.operation]: s for s in built.schedule}
    lo, _ = frame.window(middle[0], 0, problem.horizon)
    _, hi = frame.window(middle[-1], 0, problem.horizon)
    assert lo == by_op[ops[0]].end
    assert hi == by_op[ops[-1]].start
    assert frame.window(ops[0], 0, problem.horizon) == (by_op[ops[0]].start, by_op[ops[0]].end)
    assert frame.allows(ops[0], by_op[ops[0]].mode)
    assert not any(frame.allows(ops[0], k) for k in range(len(problem.ops[ops[0]].modes))
                   if k != by_op[ops[0]].mode)


def test_a_sub_solve_step_improves_and_keeps_the_rest(registry) -> None:
    problem = load(registry, generate(2, "small")).problem
    built = heuristic.construct(problem, "earliest", keep_on=True)
    assert built is not None
    ctx = SolveContext(SolveOptions(time_limit=20, threads=1, seed=0))
    run = Run(problem, registry.available_backend("cpsat"), ctx)
    start = Incumbent(built.schedule, built.switch_on,
                      evaluate(problem, built.schedule, built.switch_on), "earliest")
    free = set(problem.job_ops[1])
    seconds: dict[str, float] = {}
    found, _ = sub_solve(run, start, free, 5.0, 1, seconds)
    assert found is not None and found.objective < start.objective
    assert set(seconds) == {"build", "hint", "search"}
    assert _frozen_kept(problem, start.schedule, found.schedule, free)
    assert _passes_checker(problem, found.schedule, found.switch_on) == pytest.approx(
        found.objective)
