"""Re-planning ``fjsp`` shops with batch machines: started batches, repair, plans.

A batch is loaded and unloaded as one, so a batch that started before ``now`` is frozen
as a whole: all its members keep machine, mode and start, and its end is the batch's
length under the events (a member running late lengthens the whole batch; a cancelled
member leaves it, and the batch lasts as long as the members that are left).  The
kernel's :func:`~optikit.scheduling.replan.situation` gets the old batches as groups, so
that a batch is frozen, held (one member could not have started) or interrupted (a
breakdown hits it) as a whole.  A started batch that, running late, no longer fits its
working window is refused naming the event: a batch is never interrupted.

:func:`repair` is the right-shift repair of :mod:`optikit_fjsp.replan_repair` for
batch plans: members of one old batch stay together when they still can, and a batch
that has to move goes, whole, to the first spot where it fits (calendar, breakdowns).
:class:`BatchPlans` lets :mod:`optikit_fjsp.replan_model` solve, hint, read and write
batch plans through the main batch model (:func:`optikit_fjsp.batching_solve.build`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from optikit.scheduling import ScheduledOperation, Shop
from optikit.scheduling.replan import operation_end
from optikit.scheduling.replan_events import Events
from optikit.scheduling.replan_repair import clear as _clear
from optikit.scheduling.replan_repair import place as _place
from optikit.types import InvalidProblem
from optikit_fjsp.batching import BatchPlan
from optikit_fjsp.batching_check import batch_ids
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.replan_repair import FlatSituation

if TYPE_CHECKING:
    from optikit_fjsp.replan import ReplanTask

Key = tuple[str, int]


def old_batches(shop: Shop, payload: Mapping[str, Any]) -> dict[Key, str]:
    """(job id, operation) -> batch id of the old plan's batch members."""
    return {(shop.jobs[j].id, o): bid for (j, o), bid in batch_ids(shop, payload).items()}


def started_ends(
    problem: FjspProblem, old_schedule: Sequence[ScheduledOperation], old_shop: Shop,
    groups: Mapping[Key, str], events: Events, events_doc: Mapping[str, Any],
) -> dict[Key, int]:
    """The end of every member of a started batch under the events (the amended
    ``problem``'s durations), for the kernel's situation."""
    spec = problem.batching
    assert spec is not None
    ops = {(job.id, op.index): op for job in problem.shop.jobs for op in job.operations}
    started: dict[str, list[tuple[Key, ScheduledOperation]]] = {}
    for s in old_schedule:
        key = (old_shop.jobs[s.job].id, s.operation)
        if s.start < events.now and key in groups and key in ops:
            started.setdefault(groups[key], []).append((key, s))
    out: dict[Key, int] = {}
    for bid, members in started.items():
        first = members[0][1]
        m, start = first.machine, first.start
        end = start + spec.duration(m, [ops[k].modes[s.mode].duration for k, s in members])
        machine = problem.shop.machines[m].id
        cal = problem.shop.calendar(m)
        hit = any(w.machine == machine and w.start < end and start < w.end
                  for w in events.down)
        if cal is not None and end > start and not hit and not cal.fits(start, end):
            raise InvalidProblem(
                _late_field(events_doc, [k for k, _s in members]),
                f"batch {bid} on {machine} started at {start} and would now run until "
                f"{end}, past the end of its working window; a batch is never interrupted")
        out.update((k, end) for k, _s in members)
    return out


def _late_field(events_doc: Mapping[str, Any], keys: Sequence[Key]) -> str:
    for i, ev in enumerate(events_doc.get("events") or []):
        if ev.get("type") == "running_late" and (str(ev["job"]), int(ev["operation"])) in keys:
            return f"events[{i}].extra"
    return "events"


def flat_batches(task: ReplanTask) -> dict[int, str]:
    """Flat operation -> its old batch id (operations of the old plan on batch machines)."""
    flat = task.problem.flat
    jobs = task.problem.shop.jobs
    return {g: bid for g in range(flat.num_ops)
            if (bid := task.old_batches.get((jobs[flat.op_job[g]].id, flat.op_index[g])))}


class _Batch:
    """A batch placed by the repair: machine, start, length, load, family, members."""

    def __init__(self, machine: int, start: int, length: int, family: int,
                 old: str | None) -> None:
        self.machine, self.start, self.length, self.family = machine, start, length, family
        self.old = old  # the old batch it continues (None: frozen or new)
        self.load = 0
        self.members: list[int] = []
        self.sealed = False  # a member's job went on: the batch cannot grow any more


def repair(task: ReplanTask, fs: FlatSituation) -> BatchPlan:
    """The old plan right-shifted past the events, batches kept together where they can."""
    problem = task.problem
    flat, shop = problem.flat, problem.shop
    spec = problem.batching
    assert spec is not None
    old = flat_batches(task)
    n = flat.num_ops
    modes, starts, ends, batch_of = [0] * n, [0] * n, [0] * n, [-1] * n
    ready = [0] * flat.num_machines
    last_job = [-1] * flat.num_machines
    batches: list[_Batch] = []
    last_batch: dict[int, _Batch] = {}

    def add(g: int, k: int, s: int, e: int, b: _Batch | None) -> None:
        m = flat.modes[g][k][0]
        modes[g], starts[g], ends[g] = k, s, e
        ready[m] = max(ready[m], e)
        p = flat.prev_op(g)
        if p >= 0 and batch_of[p] >= 0:
            batches[batch_of[p]].sealed = True
        if b is None:
            last_job[m] = flat.op_job[g]
            return
        if b not in batches:
            batches.append(b)
        batch_of[g] = batches.index(b)
        b.members.append(g)
        b.load += spec.size[g]
        last_batch[m] = b
        for h in b.members:
            ends[h] = e

    frozen_groups: dict[tuple[int, int], _Batch] = {}
    for g, (k, s) in sorted(fs.frozen.items(), key=lambda item: (item[1][1], item[0])):
        m, d = flat.modes[g][k]
        op = shop.jobs[flat.op_job[g]].operations[flat.op_index[g]]
        if not spec.is_batch(m):
            add(g, k, s, operation_end(shop, op, k, s), None)
            continue
        b = frozen_groups.setdefault((m, s), _Batch(m, s, 0, spec.family[g], None))
        b.length = max(b.length, spec.duration(m, [d]))
        add(g, k, s, s + b.length, b)
    for b in frozen_groups.values():
        b.sealed = True
    free = [g for g in range(n) if g not in fs.frozen]
    free.sort(key=lambda g: (fs.old[g][1] if g in fs.old else math.inf, flat.op_job[g], g))
    for g in free:
        _place_op(problem, fs, g, old.get(g), (modes, starts, ends), ready, last_job,
                  last_batch, add)
    return BatchPlan(tuple(modes), tuple(starts), tuple(ends), tuple(batch_of))


def _place_op(
    problem: FjspProblem, fs: FlatSituation, g: int, old: str | None,
    plan: tuple[list[int], list[int], list[int]], ready: list[int], last_job: list[int],
    last_batch: Mapping[int, _Batch], add: Any,
) -> None:
    """Place one free operation in the mode that finishes first (old mode on a tie)."""
    flat, shop = problem.flat, problem.shop
    spec = problem.batching
    assert spec is not None
    _modes, _starts, ends = plan
    j = flat.op_job[g]
    p = flat.prev_op(g)
    earliest = max(fs.now, flat.release[j] if p < 0 else ends[p])
    interruptible = shop.jobs[j].operations[flat.op_index[g]].interruptible
    best: tuple[tuple[int, int, int, int], _Batch | None] | None = None
    for k, (m, d) in enumerate(flat.modes[g]):
        cal, windows = shop.calendar(m), fs.windows.get(m, [])
        join: _Batch | None = None
        if spec.is_batch(m):
            length = spec.duration(m, [d])
            spot = _place(cal, windows, max(earliest, ready[m]), length, False)
            b = last_batch.get(m)
            if (b is not None and old is not None and b.old == old and not b.sealed
                    and b.start >= earliest and b.load + spec.size[g] <= spec.machines[m].capacity):
                grown = max(b.length, length)
                if (cal is None or cal.fits(b.start, b.start + grown)) and _clear(
                        windows, b.start, grown) == b.start:
                    spot, join = (b.start, b.start + grown), b
            if spot is not None and join is None:
                join = _Batch(m, spot[0], spot[1] - spot[0], spec.family[g], old)
        else:
            t = max(earliest, ready[m])
            if last_job[m] >= 0:
                t = max(t, ready[m] + flat.setup_between(m, last_job[m], j))
            spot = _place(cal, windows, t, d, interruptible)
        if spot is None:
            continue
        key = (spot[1], int(fs.old.get(g, (-1, 0))[0] != k), k, spot[0])
        if best is None or key < best[0]:
            best = (key, join)
    if best is None:  # every calendar ran out: an invalid plan, which the caller drops
        k = 0
        m, d = flat.modes[g][k]
        s = max(earliest, ready[m])
        add(g, k, s, s + d, _Batch(m, s, d, spec.family[g], old) if spec.is_batch(m) else None)
        return
    (end, _old, k, start), join = best
    if join is not None:
        join.length = end - join.start
    add(g, k, start, end, join)


class BatchPlans:
    """How :mod:`optikit_fjsp.replan_model` handles batch plans."""

    def __init__(self, task: ReplanTask) -> None:
        self.task = task
        self.problem = task.problem

    def repair(self, fs: FlatSituation) -> BatchPlan:
        return repair(self.task, fs)

    def end(self, plan: BatchPlan) -> int:
        return max(plan.ends, default=0)

    def valid(self, plan: BatchPlan, fs: FlatSituation) -> bool:
        """The independent checks (type and re-planning rules) on the plan."""
        from optikit_fjsp.replan import check

        return check(self.task, {"solution": self.payload(plan)}).feasible

    def value(self, plan: BatchPlan) -> float:
        from optikit_fjsp.batching_solve import plan_value

        return plan_value(self.problem, plan)

    def hint(self, built: Any, plan: BatchPlan) -> None:
        from optikit_fjsp.batching_solve import hint

        hint(self.problem, built.batches, plan)

    def read(self, built: Any, result: Any) -> BatchPlan:
        plan: BatchPlan = built.batches.plan(self.problem, result)
        return plan

    def payload(self, plan: BatchPlan) -> dict[str, Any]:
        from optikit_fjsp.batching_solve import plan_payload

        return plan_payload(self.problem, plan)


def may_share(task: ReplanTask, frozen: Mapping[int, Any]) -> Callable[[int, int], bool]:
    """Frozen members share a batch only with the frozen members of their old batch."""
    old = flat_batches(task)

    def share(h: int, g: int) -> bool:
        if h in frozen or g in frozen:
            return h in frozen and g in frozen and old.get(h) == old.get(g)
        return True

    return share
