"""The old plan repaired after events: a quick, always-feasible re-plan.

The situation is translated to flat operation numbers (:class:`FlatSituation`); then
:func:`repair` keeps the frozen operations and places every other one in the order of
its old start (rush jobs last), as early as its job, its machine (appended after what is
already there, with the changeover) and the blocked windows allow, in the mode that
finishes first (the old mode on a tie); with working-time calendars, at the earliest
start its machine's calendar allows (the kernel's
:func:`optikit.scheduling.replan_repair.place`; an interruptible operation ends at
:meth:`Calendar.finish`, its pauses included).  This is the
"right-shift" repair a planner does by hand; it is the first hint of the CP-SAT
re-plan and its answer of last resort.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from optikit.scheduling.model import Operation
from optikit.scheduling.replan import operation_end
from optikit.scheduling.replan_repair import place
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.timetable import Solution

if TYPE_CHECKING:
    from optikit_fjsp.replan import ReplanTask


@dataclass(frozen=True)
class FlatSituation:
    """The situation by flat operation number and machine index."""

    now: int
    frozen: dict[int, tuple[int, int]]  # op -> (mode, start)
    old: dict[int, tuple[int, int]]  # op -> (old mode, old start), ops of the old plan
    blocked: dict[int, list[tuple[int, int]]]  # machine -> windows [start, end)
    horizon: int  # the model's horizon; ``blocked`` is clipped to it
    windows: dict[int, list[tuple[int, int]]]  # the same windows, unclipped (for the repair)

    def respects(self, sol: Solution) -> bool:
        """Frozen ops kept, nothing else before now (machines and windows aside)."""
        return all(
            (sol.modes[g], sol.starts[g]) == fixed if g in self.frozen
            else sol.starts[g] >= self.now
            for g in range(len(sol.starts))
            for fixed in [self.frozen.get(g)]
        )


def flat_situation(task: ReplanTask, min_horizon: int = 0) -> FlatSituation:
    problem = task.problem
    flat = problem.flat
    situ = task.situation
    index = {}
    for g in range(flat.num_ops):
        index[(problem.shop.jobs[flat.op_job[g]].id, flat.op_index[g])] = g
    midx = problem.shop.machine_index
    frozen = {index[k]: (p.mode, p.start) for k, p in situ.frozen.items()}
    old = {index[k]: (p.mode, p.start) for k, p in situ.old.items() if k in index}
    # Room for every remaining operation after the last fixed one, plus the down time
    # that falls in that stretch.  A window reaching past it is cut there: no operation
    # ends after the horizon, so the cut changes nothing, and a model that needs more
    # room is answered by the repair, which has no horizon.
    base = max([situ.now, *(p.end for p in situ.frozen.values())]) + problem.shop.horizon()
    horizon = max(min_horizon, base + sum(max(0, min(w.end, base) - max(w.start, situ.now))
                                          for w in situ.blocked))
    blocked: dict[int, list[tuple[int, int]]] = {}
    windows: dict[int, list[tuple[int, int]]] = {}
    for w in situ.blocked:
        windows.setdefault(midx[w.machine], []).append((w.start, w.end))
        if w.start < horizon:
            blocked.setdefault(midx[w.machine], []).append((w.start, min(w.end, horizon)))
    return FlatSituation(situ.now, frozen, old, blocked, horizon, windows)


def repair(problem: FjspProblem, fs: FlatSituation) -> Solution:
    flat = problem.flat
    shop = problem.shop
    n = flat.num_ops
    modes = [0] * n
    starts = [0] * n
    ends = [0] * n
    ready = [0] * flat.num_machines  # end of the last operation placed on the machine
    last_job = [-1] * flat.num_machines

    def operation(g: int) -> Operation:
        return shop.jobs[flat.op_job[g]].operations[flat.op_index[g]]

    for g, (k, s) in sorted(fs.frozen.items(), key=lambda item: item[1][1]):
        modes[g], starts[g] = k, s
        m, _d = flat.modes[g][k]
        ends[g] = operation_end(shop, operation(g), k, s)
        if ends[g] >= ready[m]:
            ready[m], last_job[m] = ends[g], flat.op_job[g]
    free = [g for g in range(n) if g not in fs.frozen]
    free.sort(key=lambda g: (fs.old[g][1] if g in fs.old else math.inf, flat.op_job[g], g))
    for g in free:
        j = flat.op_job[g]
        p = flat.prev_op(g)
        earliest = max(fs.now, flat.release[j] if p < 0 else 0)
        if p >= 0:
            earliest = max(earliest, ends[p])
        interruptible = operation(g).interruptible
        best: tuple[int, int, int, int] | None = None  # (end, not old mode, mode, start)
        fallback: tuple[int, int] | None = None
        for k, (m, d) in enumerate(flat.modes[g]):
            t = earliest
            if last_job[m] >= 0:
                t = max(t, ready[m] + flat.setup_between(m, last_job[m], j))
            fallback = fallback or (k, t)
            spot = place(shop.calendar(m), fs.windows.get(m, []), t, d, interruptible)
            if spot is None:
                continue
            key = (spot[1], int(fs.old.get(g, (-1, 0))[0] != k), k, spot[0])
            if best is None or key < best:
                best = key
        if best is None:  # every calendar ran out: an invalid plan, which the caller drops
            assert fallback is not None
            k, t = fallback
            best = (t + flat.modes[g][k][1], 0, k, t)
        end, _, k, start = best
        m, _d = flat.modes[g][k]
        modes[g], starts[g], ends[g] = k, start, end
        ready[m], last_job[m] = end, j
    paused = any(ends[g] != starts[g] + flat.modes[g][modes[g]][1] for g in range(n))
    return Solution(tuple(modes), tuple(starts), tuple(ends) if paused else None)
