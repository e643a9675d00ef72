"""Lower bounds that need no solver: reported at once, so every answer has a bound.

They relax setups and machine conflicts between jobs: each job's chain of shortest modes
from its release, the total shortest work spread over all machines, and the work that
only one machine can do.  CP-SAT's bound replaces them as soon as it is better.
"""

from __future__ import annotations

import math

from optikit_fjsp.model import FjspProblem


def chain_ends(problem: FjspProblem) -> list[int]:
    """Earliest completion of each job: release plus its operations' shortest modes."""
    flat = problem.flat
    return [
        flat.release[j] + sum(min(d for _m, d in flat.modes[g]) for g in ops)
        for j, ops in enumerate(flat.job_ops)
    ]


def makespan_bound(problem: FjspProblem) -> int:
    flat = problem.flat
    ends = chain_ends(problem)
    shortest = [min(d for _m, d in modes) for modes in flat.modes]
    spread = math.ceil(sum(shortest) / max(1, flat.num_machines))
    dedicated = [0] * flat.num_machines
    for g, modes in enumerate(flat.modes):
        machines = {m for m, _d in modes}
        if len(machines) == 1:
            dedicated[next(iter(machines))] += shortest[g]
    return max([0, spread, *ends, *dedicated])


def tardiness_bound(problem: FjspProblem) -> float:
    flat = problem.flat
    total = 0.0
    for j, end in enumerate(chain_ends(problem)):
        due = flat.due[j]
        if due is not None and end > due:
            total += flat.weight[j] * (end - due)
    return total


def lower_bound(problem: FjspProblem) -> float:
    """A valid lower bound on the objective (makespan and weighted tardiness mix)."""
    objective = problem.objective
    value = 0.0
    if objective.makespan_weight:
        value += objective.makespan_weight * makespan_bound(problem)
    if objective.tardiness_weight:
        value += objective.tardiness_weight * tardiness_bound(problem)
    return value
