"""Makespan lower bound from machine sets: one-machine preemptive relaxation with heads and tails.

Why: the job-chain and total-load bounds ignore *when* work can happen.  Here every
operation ``g`` has a head ``r`` (its job's release plus the shortest durations before
it) and a tail ``q`` (the shortest durations after it).  For a set ``S`` of machines,
the operations that may only run on machines of ``S`` must be processed there.  Any
schedule of them on the ``|S|`` machines is also a schedule of one machine ``|S|`` times
as fast that may interrupt operations (at each instant it does the work of the
operations running then); that relaxation, with heads and tails, is solved exactly by
Jackson's preemptive rule (always run the available operation with the longest tail),
so its optimum ``max(C + q)`` is a lower bound on the makespan.  For ``|S| = 1`` this
is the classic one-machine bound.

Which sets: a set only matters through the operations it holds, so only unions of
operations' eligible-machine sets are tried (smallest ``|S|`` for a given set of
operations), breadth first, within a budget of sets and seconds, so 1,200-operation
shops stay fast.
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass

from optikit_fjsp.model import FlatShop

MAX_SETS = 3000
TIME_BUDGET_S = 0.4


@dataclass(frozen=True)
class SetBound:
    value: int
    machines: tuple[int, ...]  # the machine set that gave it (empty: none did)


def heads_tails(flat: FlatShop) -> tuple[list[int], list[int], list[int]]:
    """Shortest durations, heads and tails of every operation (job chains only)."""
    n = flat.num_ops
    dmin = [min(d for _m, d in modes) for modes in flat.modes]
    head = [0] * n
    tail = [0] * n
    for j, ops in enumerate(flat.job_ops):
        if not ops:
            continue
        work = [dmin[g] for g in ops]
        # Work before each operation (from the release) and after it (to the job's end).
        before = itertools.accumulate(work[:-1], initial=flat.release[j])
        after = itertools.accumulate(reversed(work[1:]), initial=0)
        for g, value in zip(ops, before, strict=True):
            head[g] = value
        for g, value in zip(reversed(ops), after, strict=True):
            tail[g] = value
    return dmin, head, tail


def jackson(items: list[tuple[int, int, int]], speed: int = 1) -> int:
    """Optimal ``max(C + q)`` of preemptive (head, duration, tail) jobs on one machine.

    ``speed`` > 1: a machine that does ``speed`` units of work per time unit; times are
    scaled by ``speed`` so the arithmetic stays integral, and the result is rounded up.
    """
    if not items:
        return 0
    k = speed
    jobs = sorted((r * k, p, q * k) for r, p, q in items)
    heap: list[tuple[int, int]] = []  # (-tail, remaining work)
    t = 0
    best = 0
    i = 0
    n = len(jobs)
    while i < n or heap:
        if not heap and jobs[i][0] > t:
            t = jobs[i][0]
        while i < n and jobs[i][0] <= t:
            heapq.heappush(heap, (-jobs[i][2], jobs[i][1]))
            i += 1
        neg_q, rest = heapq.heappop(heap)
        next_release = jobs[i][0] if i < n else None
        if next_release is not None and t + rest > next_release:
            heapq.heappush(heap, (neg_q, rest - (next_release - t)))
            t = next_release
        else:
            t += rest
            if t - neg_q > best:
                best = t - neg_q
    return -(-best // k)


def eligible_masks(flat: FlatShop) -> list[int]:
    """Per operation, the bit mask of the machines it may run on."""
    masks = [0] * flat.num_ops
    for g, modes in enumerate(flat.modes):
        for m, _d in modes:
            masks[g] |= 1 << m
    return masks


def machine_set_bound(
    flat: FlatShop, max_sets: int = MAX_SETS, budget: float = TIME_BUDGET_S
) -> SetBound:
    """The best one-machine-relaxation bound over unions of eligible-machine sets."""
    dmin, head, tail = heads_tails(flat)
    masks = eligible_masks(flat)
    base = sorted(set(masks), key=lambda s: (s.bit_count(), s))
    deadline = time.monotonic() + budget
    seen: set[int] = set()
    best = SetBound(0, ())
    frontier = list(base)
    everything = 0
    for s in base:
        everything |= s
    frontier.append(everything)
    while frontier:
        nxt: list[int] = []
        for s in frontier:
            if s in seen:
                continue
            seen.add(s)
            items = [(head[g], dmin[g], tail[g]) for g in range(flat.num_ops) if masks[g] & ~s == 0]
            value = jackson(items, s.bit_count())
            if value > best.value:
                best = SetBound(value, tuple(m for m in range(flat.num_machines) if s >> m & 1))
            if len(seen) >= max_sets or time.monotonic() > deadline:
                return best
            nxt.extend(s | b for b in base if s | b != s)
        frontier = sorted(set(nxt) - seen, key=lambda s: (s.bit_count(), s))
    return best
