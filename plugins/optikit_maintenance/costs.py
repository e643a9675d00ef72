"""Schedules and what they cost: the one definition of the objective.

The checker evaluates a payload with these functions and the formulations describe their
answers with them, so the number a user reads is computed one way only.  Exact
fractions throughout; floats only at the edge (payload ``costs``, the objective).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from optikit.scheduling import ScheduledOperation, operations_payload
from optikit_maintenance.model import Problem


@dataclass(frozen=True)
class ScheduledTask:
    task: int
    start: int
    end: int


@dataclass
class Schedule:
    operations: list[ScheduledOperation] = field(default_factory=list)
    tasks: dict[int, ScheduledTask] = field(default_factory=dict)  # performed, by task
    skipped: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Costs:
    """The parts of the objective; ``downtime_cost`` is what maintenance decides."""

    planned_downtime: Fraction
    expected_failure: Fraction
    skipped: Fraction
    tardiness: Fraction
    makespan: int

    @property
    def downtime_cost(self) -> Fraction:
        return self.planned_downtime + self.expected_failure + self.skipped

    def objective(self, problem: Problem) -> Fraction:
        w = problem.weights
        return (
            w.downtime_cost * self.downtime_cost
            + w.tardiness * self.tardiness
            + w.makespan * self.makespan
        )

    def as_payload(self, problem: Problem) -> dict[str, float]:
        return {
            "downtime_cost": float(self.downtime_cost),
            "planned_downtime": float(self.planned_downtime),
            "expected_failure": float(self.expected_failure),
            "skipped": float(self.skipped),
            "tardiness": float(self.tardiness),
            "makespan": float(self.makespan),
            "objective": float(self.objective(problem)),
        }


def completion_times(problem: Problem, schedule: Schedule) -> list[int | None]:
    """End of each job's last operation (None if it is not scheduled)."""
    done: list[int | None] = [None] * len(problem.jobs)
    for s in schedule.operations:
        if s.operation == len(problem.jobs[s.job].operations) - 1:
            done[s.job] = s.end
    return done


def renewal_start(problem: Problem, schedule: Schedule, machine: int) -> int:
    """When the machine's health is reset: its renewing task's start, else the horizon."""
    task = problem.renewing_task(machine)
    if task is None or task not in schedule.tasks:
        return problem.horizon
    return schedule.tasks[task].start


def evaluate(problem: Problem, schedule: Schedule) -> Costs:
    planned = sum(
        (problem.tasks[t].duration * problem.machines[problem.tasks[t].machine].downtime_cost
         for t in schedule.tasks),
        Fraction(0),
    )
    skipped = sum((problem.tasks[t].skip_cost for t in schedule.skipped), Fraction(0))
    failure = sum(
        (m.expected_failure_cost(renewal_start(problem, schedule, i))
         for i, m in enumerate(problem.machines)),
        Fraction(0),
    )
    tardiness = Fraction(0)
    for job, done in zip(problem.jobs, completion_times(problem, schedule), strict=True):
        if job.due is not None and done is not None and done > job.due:
            tardiness += job.exact_weight * (done - job.due)
    makespan = max((s.end for s in schedule.operations), default=0)
    return Costs(planned, failure, skipped, tardiness, makespan)


def to_payload(problem: Problem, schedule: Schedule) -> dict[str, Any]:
    """The solution payload: operations, maintenance, skipped tasks and the cost parts."""
    tasks = sorted(schedule.tasks.values(), key=lambda s: (s.start, s.task))
    return {
        "operations": operations_payload(problem.jobs, problem.machines, schedule.operations),
        "maintenance": [
            {
                "task": problem.tasks[s.task].id,
                "machine": problem.machines[problem.tasks[s.task].machine].id,
                "crew": problem.crews[problem.tasks[s.task].crew].id,
                "start": s.start,
                "end": s.end,
            }
            for s in tasks
        ],
        "skipped": sorted(problem.tasks[t].id for t in schedule.skipped),
        "costs": evaluate(problem, schedule).as_payload(problem),
    }
