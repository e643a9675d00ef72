"""Weighted-tardiness lower bound: preemptive completion slots and an assignment.

Why: job chains alone say nothing about jobs queueing for the same machine, so on a
line where every order passes one paint booth the tardiness bound was zero.  For a set
``S`` of machines (as in :mod:`optikit_fjsp.machine_sets`), the operations that must
run on ``S`` are scheduled on one machine ``|S|`` times as fast, with preemption, by
the shortest-remaining-work rule.  Its sorted completion times ``c_1 <= c_2 <= ...``
are componentwise the smallest any schedule can have (SRPT is optimal for every
prefix), so in a real schedule the ``k``-th of these operations to end ends no earlier
than ``c_k``.  Each job's last operation in ``S`` then takes a distinct slot ``k``, and
the job ends no earlier than ``max(c_k, head + duration) + tail``; the cheapest
assignment of jobs to slots (OR-Tools' linear sum assignment) bounds the weighted
tardiness from below.  Costs never fall with a later slot, so only the first ``#jobs``
slots are offered (a job in a later slot could move to a free earlier one at no
cost), which keeps the assignment at jobs x jobs arcs.  Costs are rounded down, so the
bound stays valid.

Slots per job: the same argument holds with each job's operations on ``S`` merged into
one preemptive job (its work there, from the head of its first operation there), since
a job's last operation on ``S`` ends no earlier than all its work on ``S``.  This is the
stronger form when jobs visit ``S`` several times: per operation, the first ``#jobs``
slots are the shortest operations' completions, early in the horizon, and on the fresh
shops of issue #20 (about two visits per job to the bottleneck) the bound was zero.
Both forms are computed and the larger kept.  Sets: the eligible-machine sets and the
unions of overlapping ones (work centres), within a time budget (large shops).
"""

from __future__ import annotations

import heapq
import math
import time

from optikit_fjsp.machine_sets import eligible_masks, heads_tails
from optikit_fjsp.model import FlatShop

SCALE = 1000  # cost units per unit of weighted tardiness (rounded down)
MAX_JOBS = 400  # larger sets: the assignment costs more than the bound is worth
TIME_BUDGET_S = 0.3
MAX_TOTAL_COST = 1 << 62
MAX_SETS = 50


def srpt_completions(items: list[tuple[int, int]], speed: int = 1) -> list[float]:
    """Sorted completion times of (head, work) jobs by preemptive SRPT on one machine."""
    jobs = sorted(items)
    heap: list[int] = []
    out: list[float] = []
    t = 0.0
    i = 0
    n = len(jobs)
    while i < n or heap:
        if not heap and jobs[i][0] > t:
            t = float(jobs[i][0])
        while i < n and jobs[i][0] <= t:
            heapq.heappush(heap, jobs[i][1])
            i += 1
        rest = heapq.heappop(heap)
        nxt = jobs[i][0] if i < n else math.inf
        if t + rest / speed > nxt:
            heapq.heappush(heap, rest - round((nxt - t) * speed))
            t = float(nxt)
        else:
            t += rest / speed
            out.append(t)
    return out


def _set_bound(flat: FlatShop, mask: int, masks: list[int], ht: tuple[list[int], ...]) -> float:
    """The larger of the two slot arguments on ``mask``: per operation and per job."""
    dmin, head, _tail = ht
    ops = [g for g in range(flat.num_ops) if masks[g] & ~mask == 0]
    last: dict[int, int] = {}
    for g in ops:
        last[flat.op_job[g]] = g  # operations are numbered in job order
    jobs = [j for j in last if flat.due[j] is not None and flat.weight[j] > 0]
    if not jobs or len(last) > MAX_JOBS:
        return 0.0
    speed = mask.bit_count()
    per_operation = srpt_completions([(head[g], dmin[g]) for g in ops], speed)
    # Per job: its operations on the set as one preemptive job, from the head of the
    # first (the job's last operation there ends when all its work there is done).
    first: dict[int, int] = {}
    work: dict[int, int] = {}
    for g in ops:
        j = flat.op_job[g]
        first.setdefault(j, head[g])
        work[j] = work.get(j, 0) + dmin[g]
    per_job = srpt_completions([(first[j], work[j]) for j in last], speed)
    return max(
        _assignment(flat, jobs, last, per_operation[: len(jobs)], ht),
        _assignment(flat, jobs, last, per_job[: len(jobs)], ht),
    )


def _assignment(
    flat: FlatShop,
    jobs: list[int],
    last: dict[int, int],
    slots: list[float],
    ht: tuple[list[int], ...],
) -> float:
    """Cheapest weighted tardiness when each job's last operation takes its own slot."""
    from ortools.graph.python import linear_sum_assignment

    dmin, head, tail = ht
    solver = linear_sum_assignment.SimpleLinearSumAssignment()
    for a, j in enumerate(jobs):
        g = last[j]
        due = flat.due[j]
        assert due is not None
        for k, c in enumerate(slots):
            late = max(c, head[g] + dmin[g]) + tail[g] - due
            cost = math.floor(flat.weight[j] * late * SCALE) if late > 0 else 0
            if cost * len(jobs) >= MAX_TOTAL_COST:
                return 0.0  # the assignment's 64-bit costs could overflow: no bound here
            solver.add_arc_with_cost(a, k, cost)
    if solver.solve() != solver.OPTIMAL:
        return 0.0
    return solver.optimal_cost() / SCALE


def candidate_sets(masks: list[int], limit: int = MAX_SETS) -> list[int]:
    """Eligible-machine sets, then the unions of overlapping ones (work centres)."""
    base = set(masks)
    closed = set(base)
    for s in base:
        union, grown = s, True
        while grown:
            grown = False
            for b in base:
                if b & union and b | union != union:
                    union |= b
                    grown = True
        closed.add(union)
    return sorted(closed, key=lambda s: (s.bit_count(), s))[:limit]


def tardiness_set_bound(
    flat: FlatShop, masks_to_try: list[int] | None = None, budget: float = TIME_BUDGET_S
) -> float:
    """Best assignment bound over single machines and eligible-machine sets."""
    ht = heads_tails(flat)
    masks = eligible_masks(flat)
    candidates = masks_to_try or candidate_sets(masks)
    deadline = time.monotonic() + budget
    best = 0.0
    for s in candidates:
        best = max(best, _set_bound(flat, s, masks, ht))
        if time.monotonic() > deadline:
            break
    return best
