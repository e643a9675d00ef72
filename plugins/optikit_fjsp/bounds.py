"""Lower bounds that need no solver: reported at once, so every answer has a bound.

They relax setups and machine conflicts between jobs: each job's chain of shortest modes
from its release, the total shortest work spread over all machines, the work that
only one machine can do, and the one-machine preemptive relaxation with heads and tails
over machine sets (:mod:`optikit_fjsp.machine_sets`).  CP-SAT's bound replaces them as
soon as it is better.  :func:`lower_bound_with_source` also says which one gave the
figure (reported as ``bound_source``).
"""

from __future__ import annotations

import math

from optikit_fjsp import machine_sets
from optikit_fjsp import tardiness_bound as tardiness_bound_module
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


def makespan_bound_with_source(
    problem: FjspProblem, budget: float = machine_sets.TIME_BUDGET_S
) -> tuple[int, str]:
    """The best solver-free makespan bound and the name of the argument that gave it.

    ``budget``: seconds for the machine-set search (short runs pass less).
    """
    flat = problem.flat
    machines = problem.shop.machines
    simple = makespan_bound(problem)
    sets = machine_sets.machine_set_bound(flat, budget=budget)
    if sets.value > simple:
        names = ", ".join(machines[m].id for m in sets.machines)
        return sets.value, f"one-machine relaxation with heads and tails on {{{names}}}"
    ends = chain_ends(problem)
    if simple in ends and simple > 0:
        return simple, f"job chain of {problem.shop.jobs[ends.index(simple)].id}"
    return simple, "machine load"


def lower_bound_with_source(
    problem: FjspProblem,
    makespan_part: tuple[int, str] | None = None,
    budget: float = tardiness_bound_module.TIME_BUDGET_S,
) -> tuple[float, str]:
    """A valid lower bound on the objective (makespan and weighted tardiness mix).

    ``makespan_part``: :func:`makespan_bound_with_source`, when the caller has it.
    """
    objective = problem.objective
    value = 0.0
    sources = []
    if objective.makespan_weight:
        makespan, source = makespan_part or makespan_bound_with_source(problem)
        value += objective.makespan_weight * makespan
        sources.append(f"makespan: {source}")
    if objective.tardiness_weight:
        chains = tardiness_bound(problem)
        queues = tardiness_bound_module.tardiness_set_bound(problem.flat, budget=budget)
        value += objective.tardiness_weight * max(chains, queues)
        if queues > chains:
            sources.append("tardiness: machine queues (preemptive slots, assignment)")
        else:
            sources.append("tardiness: job chains against due dates")
    return value, "; ".join(sources)


def lower_bound(problem: FjspProblem) -> float:
    """A valid lower bound on the objective (makespan and weighted tardiness mix)."""
    return lower_bound_with_source(problem)[0]
