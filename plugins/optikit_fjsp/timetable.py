"""Schedules in flat form (a mode and a start per operation) and what is computed on them.

Every method (dispatching, CP-SAT, LNS, MILP) produces a :class:`Solution`; converting
to the shared :class:`~optikit.scheduling.ScheduledOperation` form happens once, when
the payload is written.  The critical-path analysis here feeds the LNS neighbourhoods.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from optikit.scheduling import ScheduledOperation
from optikit_fjsp.model import FjspProblem, FlatShop


@dataclass(frozen=True)
class Solution:
    """Chosen mode index and start time of every operation (flat numbering)."""

    modes: tuple[int, ...]
    starts: tuple[int, ...]
    # End times when some operation pauses over a calendar break (else start + duration).
    ends: tuple[int, ...] | None = field(default=None, compare=False)

    def machine(self, flat: FlatShop, g: int) -> int:
        return flat.modes[g][self.modes[g]][0]

    def duration(self, flat: FlatShop, g: int) -> int:
        return flat.modes[g][self.modes[g]][1]

    def end(self, flat: FlatShop, g: int) -> int:
        if self.ends is not None:
            return self.ends[g]
        return self.starts[g] + flat.modes[g][self.modes[g]][1]


def job_completions(flat: FlatShop, sol: Solution) -> list[int]:
    return [sol.end(flat, ops[-1]) for ops in flat.job_ops]


def makespan(flat: FlatShop, sol: Solution) -> int:
    return max(sol.end(flat, g) for g in range(flat.num_ops))


def weighted_tardiness(flat: FlatShop, sol: Solution) -> float:
    total = 0.0
    for j, c in enumerate(job_completions(flat, sol)):
        due = flat.due[j]
        if due is not None and c > due:
            total += flat.weight[j] * (c - due)
    return total


def objective_value(problem: FjspProblem, sol: Solution) -> float:
    flat = problem.flat
    obj = problem.objective
    ms = makespan(flat, sol) if obj.makespan_weight else 0
    twt = weighted_tardiness(flat, sol) if obj.tardiness_weight else 0.0
    return obj.value(ms, twt)


def machine_sequences(flat: FlatShop, sol: Solution) -> list[list[int]]:
    """Operations on each machine in processing order."""
    seqs: list[list[int]] = [[] for _ in range(flat.num_machines)]
    for g in range(flat.num_ops):
        seqs[sol.machine(flat, g)].append(g)
    for seq in seqs:
        seq.sort(key=lambda g: (sol.starts[g], sol.end(flat, g), g))
    return seqs


def to_schedule(flat: FlatShop, sol: Solution) -> list[ScheduledOperation]:
    return [
        ScheduledOperation(
            flat.op_job[g],
            flat.op_index[g],
            sol.modes[g],
            sol.machine(flat, g),
            sol.starts[g],
            sol.end(flat, g),
        )
        for g in range(flat.num_ops)
    ]


def left_shift(flat: FlatShop, modes: Sequence[int], seqs: Sequence[Sequence[int]]) -> Solution:
    """Earliest start times for fixed modes and machine sequences (a semi-active schedule).

    The sequences must be consistent with job order (an acyclic precedence graph), which
    holds for sequences read off any feasible schedule.
    """
    n = flat.num_ops
    mach_pred = [-1] * n
    mach_succ = [-1] * n
    for seq in seqs:
        for a, b in itertools.pairwise(seq):
            mach_pred[b] = a
            mach_succ[a] = b
    indeg = [0] * n
    for g in range(n):
        indeg[g] = (flat.prev_op(g) >= 0) + (mach_pred[g] >= 0)
    starts = [0] * n
    ready = [g for g in range(n) if indeg[g] == 0]
    done = 0
    while ready:
        g = ready.pop()
        done += 1
        j = flat.op_job[g]
        t = flat.release[j] if flat.op_index[g] == 0 else 0
        p = flat.prev_op(g)
        if p >= 0:
            t = max(t, starts[p] + flat.modes[p][modes[p]][1])
        q = mach_pred[g]
        if q >= 0:
            m = flat.modes[g][modes[g]][0]
            t = max(
                t, starts[q] + flat.modes[q][modes[q]][1] + flat.setup_between(m, flat.op_job[q], j)
            )
        starts[g] = t
        for h in (flat.next_op(g), mach_succ[g]):
            if h >= 0:
                indeg[h] -= 1
                if indeg[h] == 0:
                    ready.append(h)
    if done != n:
        raise ValueError("machine sequences contradict job order (cycle)")
    return Solution(tuple(modes), tuple(starts))


def critical_operations(flat: FlatShop, sol: Solution) -> list[int]:
    """Operations on a longest path of the schedule (zero slack w.r.t. the makespan).

    Tails are computed backwards over job and machine successors (with setups); an
    operation is critical when head + duration + tail equals the makespan, heads being
    the actual start times.
    """
    n = flat.num_ops
    seqs = machine_sequences(flat, sol)
    mach_succ = [-1] * n
    for seq in seqs:
        for a, b in itertools.pairwise(seq):
            mach_succ[a] = b
    # Successors start no earlier than a predecessor ends; ties only with zero durations,
    # where a wrong order merely blurs this heuristic neighbourhood choice.
    order = sorted(range(n), key=lambda g: (-sol.starts[g], -sol.end(flat, g), -flat.op_index[g]))
    tail = [0] * n
    for g in order:
        t = 0
        nxt = flat.next_op(g)
        if nxt >= 0:
            t = max(t, sol.duration(flat, nxt) + tail[nxt])
        ms = mach_succ[g]
        if ms >= 0:
            m = sol.machine(flat, g)
            gap = flat.setup_between(m, flat.op_job[g], flat.op_job[ms])
            t = max(t, gap + sol.duration(flat, ms) + tail[ms])
        tail[g] = t
    cmax = makespan(flat, sol)
    return [g for g in range(n) if sol.end(flat, g) + tail[g] == cmax]
