"""Batching machines of the ``fjsp`` type: what the document says and what a batch is.

A machine with ``batch: {capacity: N}`` (an oven, a heat-treatment furnace, a paint
booth) processes several operations at once.  The operations that run on it together
form a *batch*: they start together and end together, share one family, their
``size`` (default 1 each) adds up to at most the capacity, and the batch lasts as long
as its longest member (at least the machine's ``cycle`` when one is given).  Batches on
one machine do not overlap; batch machines take no changeovers.

This module parses and validates those fields into :class:`Batching` (indexed by flat
operation number, like :class:`~optikit_fjsp.model.FlatShop`) and holds the schedule
form the batch-aware formulations produce, :class:`BatchPlan`.  Solver-free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optikit.scheduling import ScheduledOperation, Shop
from optikit.types import InvalidProblem

#: The family of operations that name none and whose job has no product.
DEFAULT_FAMILY = "(any)"


@dataclass(frozen=True)
class BatchMachine:
    """Capacity (in ``size`` units) and minimum batch time of one batch machine."""

    machine: int
    capacity: int
    cycle: int = 0


@dataclass(frozen=True)
class Batching:
    """The batch machines of a problem and each operation's family and size.

    ``family[g]`` and ``size[g]`` are indexed by flat operation number (operations
    numbered job by job); ``family`` is a small integer, ``family_names`` its name.
    """

    machines: Mapping[int, BatchMachine]
    family: tuple[int, ...]
    size: tuple[int, ...]
    family_names: tuple[str, ...]

    def is_batch(self, machine: int) -> bool:
        return machine in self.machines

    def duration(self, machine: int, member_durations: Sequence[int]) -> int:
        """How long a batch with members of these mode durations lasts."""
        return max(self.machines[machine].cycle, max(member_durations, default=0))


def _positive_int(value: Any, path: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise InvalidProblem(path, f"must be an integer, not {value!r}")
    if value < minimum:
        raise InvalidProblem(path, f"must be >= {minimum}")
    return int(value)


def parse_batching(shop: Shop, document: Mapping[str, Any]) -> Batching | None:
    """Read ``machines[].batch`` and operations' ``family``/``size``; None without batches.

    Rules a schema cannot say: a batch machine has no changeovers, and no operation is
    bigger than a batch machine it may run on.
    """
    machines: dict[int, BatchMachine] = {}
    for m, machine in enumerate(shop.machines):
        spec = machine.raw.get("batch")
        if spec is None:
            continue
        path = f"machines[{m}].batch"
        if not isinstance(spec, Mapping):
            raise InvalidProblem(path, "must be a mapping such as {capacity: 4}")
        if "capacity" not in spec:
            raise InvalidProblem(f"{path}.capacity", "is required")
        capacity = _positive_int(spec["capacity"], f"{path}.capacity", 1)
        cycle = _positive_int(spec.get("cycle", 0), f"{path}.cycle", 0)
        machines[m] = BatchMachine(m, capacity, cycle)
    if not machines:
        return None
    for (m, _a, _b), t in shop.setups.items():
        if m in machines and t > 0:
            mid = shop.machines[m].id
            raise InvalidProblem(
                f"setups.{mid}", f"{mid} is a batch machine; batch machines take no changeovers"
            )
    names: list[str] = []
    family: list[int] = []
    size: list[int] = []
    for j, job in enumerate(shop.jobs):
        ops_doc = job.raw.get("operations") or []
        for o, op in enumerate(job.operations):
            raw = ops_doc[o] if o < len(ops_doc) and isinstance(ops_doc[o], Mapping) else {}
            path = f"jobs[{j}].operations[{o}]"
            name = raw.get("family", job.product)
            name = DEFAULT_FAMILY if name is None else str(name)
            if name not in names:
                names.append(name)
            family.append(names.index(name))
            amount = _positive_int(raw.get("size", 1), f"{path}.size", 1)
            for mode in op.modes:
                batch = machines.get(mode.machine)
                if batch is not None and amount > batch.capacity:
                    raise InvalidProblem(
                        f"{path}.size",
                        f"size {amount} exceeds the capacity {batch.capacity} of batch "
                        f"machine {shop.machines[mode.machine].id}",
                    )
            size.append(amount)
    _check_batch_fits(shop, machines)
    return Batching(machines, tuple(family), tuple(size), tuple(names))


def _check_batch_fits(shop: Shop, machines: Mapping[int, BatchMachine]) -> None:
    """With calendars, every operation must fit in at least one mode, where a batch
    (never interrupted, at least the machine's ``cycle`` long) must fit one window."""
    if not shop.has_calendars:
        return
    for j, job in enumerate(shop.jobs):
        for o, op in enumerate(job.operations):
            why = []
            for mode in op.modes:
                cal = shop.calendar(mode.machine)
                batch = machines.get(mode.machine)
                work = mode.duration if batch is None else max(batch.cycle, mode.duration)
                interruptible = op.interruptible and batch is None
                if cal is None or cal.can_ever_fit(work, interruptible):
                    break
                limit = ("working time" if interruptible
                         else f"its longest working window {cal.longest_window()}")
                note = " (a batch is never interrupted)" if batch is not None else ""
                why.append(f"{shop.machines[mode.machine].id} (calendar {cal.name!r}): "
                           f"{work} > {limit}{note}")
            else:
                raise InvalidProblem(f"jobs[{j}].operations[{o}]",
                                     "can never fit any working window: " + "; ".join(why))


@dataclass(frozen=True)
class BatchPlan:
    """A schedule with batches: mode, start, end and batch of every flat operation.

    ``batch[g]`` numbers the batches of the whole plan (-1: not on a batch machine);
    members of one batch share machine, start and end.
    """

    modes: tuple[int, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    batch: tuple[int, ...]


def schedule_of(flat: Any, plan: BatchPlan) -> list[ScheduledOperation]:
    """The kernel's indexed schedule of a plan (``flat`` is a FlatShop)."""
    return [
        ScheduledOperation(
            flat.op_job[g],
            flat.op_index[g],
            plan.modes[g],
            flat.modes[g][plan.modes[g]][0],
            plan.starts[g],
            plan.ends[g],
        )
        for g in range(flat.num_ops)
    ]


def batch_horizon(shop: Shop, batching: Batching) -> int:
    """The kernel's horizon plus every batch cycle (each operation its own batch).

    With calendars: every operation run one after another, each as early as it fits
    (on a batch machine, alone in an uninterrupted batch of at least the cycle).
    """
    if shop.has_calendars:
        return _calendar_batch_horizon(shop, batching)
    extra = 0
    for op in shop.operations():
        extra += max((batching.machines[md.machine].cycle for md in op.modes
                      if md.machine in batching.machines), default=0)
    return shop.horizon() + extra


def _calendar_batch_horizon(shop: Shop, batching: Batching) -> int:
    t = max((j.release for j in shop.jobs), default=0)
    max_setup = max(shop.setups.values(), default=0)
    for op in shop.operations():
        ends = []
        for mode in op.modes:
            batch = batching.machines.get(mode.machine)
            work = mode.duration if batch is None else max(batch.cycle, mode.duration)
            interruptible = op.interruptible and batch is None
            ready = t + max_setup
            cal = shop.calendar(mode.machine)
            if cal is None or work == 0:
                ends.append(ready + work)
                continue
            s = cal.earliest_start(ready, work, interruptible)
            if s is not None:
                ends.append(cal.finish(s, work) if interruptible else s + work)
        t = max(ends, default=t)
    return max(t, shop.horizon()) + 1
