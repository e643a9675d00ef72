"""Calendar-aware schedules without a solver: dispatching and re-timing.

The always-available heuristics (:mod:`optikit_fjsp.heuristic`, the tabu search) assume
an operation runs as soon as its machine and job are free.  With working-time calendars
an operation starts at the earliest time its machine's calendar can hold it
(:meth:`Calendar.earliest_start`) and, if interruptible, ends at
:meth:`Calendar.finish`; changeovers are not bound to calendars.  Machines only ever
append operations (no insertion into earlier gaps), which keeps every schedule feasible
by construction.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

from optikit_fjsp.model import FjspProblem
from optikit_fjsp.timetable import Solution, objective_value


class Placer:
    """Earliest start and end of an operation's mode from a ready time."""

    def __init__(self, problem: FjspProblem) -> None:
        shop = problem.shop
        flat = problem.flat
        self.flat = flat
        self.calendars = [shop.calendar(m) for m in range(flat.num_machines)]
        self.interruptible = [
            shop.jobs[flat.op_job[g]].operations[flat.op_index[g]].interruptible
            for g in range(flat.num_ops)
        ]

    def place(self, g: int, k: int, ready: int) -> tuple[int, int] | None:
        """(start, end) of operation ``g`` in mode ``k`` at or after ``ready`` (None: never)."""
        m, d = self.flat.modes[g][k]
        cal = self.calendars[m]
        if cal is None or d == 0:
            return ready, ready + d
        start = cal.earliest_start(ready, d, self.interruptible[g])
        if start is None:
            return None
        return start, cal.finish(start, d) if self.interruptible[g] else start + d


def retime(problem: FjspProblem, sol: Solution) -> Solution:
    """Earliest calendar-feasible times keeping ``sol``'s modes and machine orders.

    ``sol`` must respect job order and one operation at a time per machine (it may
    ignore calendars and changeovers, as the relaxed global model does): operations
    are then re-timed in the order of their old starts, which respects both orders.
    Raises ValueError when a calendar without ``repeat`` runs out.
    """
    flat = problem.flat
    placer = Placer(problem)
    old_ends = [sol.end(flat, g) for g in range(flat.num_ops)]
    order = sorted(range(flat.num_ops), key=lambda g: (sol.starts[g], old_ends[g], g))
    starts, ends = [0] * flat.num_ops, [0] * flat.num_ops
    free = [0] * flat.num_machines  # end of the machine's last operation so far
    last_job = [-1] * flat.num_machines
    for g in order:
        j = flat.op_job[g]
        m = flat.modes[g][sol.modes[g]][0]
        ready = ends[g - 1] if flat.op_index[g] > 0 else flat.release[j]
        if last_job[m] >= 0:
            ready = max(ready, free[m] + flat.setup_between(m, last_job[m], j))
        placed = placer.place(g, sol.modes[g], ready)
        if placed is None:
            raise ValueError(f"operation {g} no longer fits its machine's calendar")
        starts[g], ends[g] = placed
        free[m], last_job[m] = ends[g], j
    return Solution(sol.modes, tuple(starts), tuple(ends))


# priority(job, operation, problem, remaining work) -> larger goes first
Rule = Callable[[int, FjspProblem, list[float]], float]


def _mwkr(j: int, problem: FjspProblem, left: list[float]) -> float:
    return left[j]


def _edd(j: int, problem: FjspProblem, left: list[float]) -> float:
    due = problem.flat.due[j]
    return -(due if due is not None else 1e12) + 1e-6 * left[j]


def dispatch(
    problem: FjspProblem, rule: Rule, rng: random.Random | None = None, noise: float = 0.0
) -> Solution | None:
    """One pass: the earliest-completing (operation, mode) fixes a machine; among the
    operations that could start there before that completion the rule picks one."""
    flat = problem.flat
    placer = Placer(problem)
    mean = [sum(d for _m, d in modes) / len(modes) for modes in flat.modes]
    left = [sum(mean[g] for g in ops) for ops in flat.job_ops]
    pos = [0] * flat.num_jobs
    job_ready = list(flat.release)
    mach_ready = [0] * flat.num_machines
    mach_last = [-1] * flat.num_machines
    modes = [0] * flat.num_ops
    starts = [0] * flat.num_ops
    ends = [0] * flat.num_ops
    active = [j for j in range(flat.num_jobs) if flat.job_ops[j]]
    while active:
        options: list[tuple[int, int, int, int, int, int]] = []  # (end, start, m, j, g, k)
        for j in active:
            g = flat.job_ops[j][pos[j]]
            for k, (m, _d) in enumerate(flat.modes[g]):
                setup = flat.setup_between(m, mach_last[m], j) if mach_last[m] >= 0 else 0
                placed = placer.place(g, k, max(job_ready[j], mach_ready[m] + setup))
                if placed is not None:
                    options.append((placed[1], placed[0], m, j, g, k))
        if not options:
            return None  # a calendar without `repeat` ran out
        best_end, _s, m_star, *_rest = min(options)
        pick: tuple[float, int, int, int, int, int] | None = None
        for end, start, m, j, g, k in options:
            if m != m_star or start > best_end or (start == best_end and end > start):
                continue
            value = rule(j, problem, left)
            if rng is not None and noise > 0:
                value = value * (1.0 + noise * rng.random()) + noise * rng.random()
            key = (value, -end, start, j, g, k)
            if pick is None or key[:2] > pick[:2]:
                pick = key
        assert pick is not None  # the earliest-completing option is always a candidate
        _v, neg_end, start, j, g, k = pick
        modes[g], starts[g], ends[g] = k, start, -neg_end
        mach_ready[m_star] = -neg_end
        mach_last[m_star] = j
        job_ready[j] = -neg_end
        left[j] -= mean[g]
        pos[j] += 1
        if pos[j] == len(flat.job_ops[j]):
            active.remove(j)
    return Solution(tuple(modes), tuple(starts), tuple(ends))


def construct(problem: FjspProblem, budget: float = 0.3, seed: int = 0) -> Solution | None:
    """The best schedule of a few rules and randomised restarts within ``budget`` s."""
    rules: list[Rule] = [_mwkr, _edd] if problem.objective.uses_tardiness else [_mwkr]
    deadline = time.monotonic() + budget
    best: Solution | None = None
    best_value = math.inf
    rng = random.Random(seed)
    for attempt in range(200):
        rule = rules[attempt % len(rules)]
        noisy = attempt >= len(rules)
        sol = dispatch(problem, rule, rng if noisy else None, rng.choice((0.1, 0.3, 1.0)))
        if sol is None:
            return best
        value = objective_value(problem, sol)
        if value < best_value:
            best, best_value = sol, value
        if time.monotonic() > deadline:
            break
    return best
