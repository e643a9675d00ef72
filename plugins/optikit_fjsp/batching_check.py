"""The independent check of batches in an ``fjsp`` payload, from the contract alone.

Operations on a batch machine carry a ``batch`` id; the operations with the same id
form one batch, which must hold on one machine: members start together and end
together, share one family, their sizes add up to at most the capacity, and the batch
lasts exactly as long as its longest member's mode (or the machine's ``cycle`` if that
is longer).  Batches on one machine must not overlap; batch machines have no
changeovers (the document is refused otherwise), so none are checked between batches.
On a machine with a working-time calendar a batch of positive length runs inside one
working window: it is never interrupted, even when its members are ``interruptible``.
Violation kinds: ``batch`` (membership, family, synchronisation, length), ``capacity``
(over capacity, overlapping batches), ``calendar`` (a batch outside one working window),
``payload`` (a batch id where none belongs).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit.scheduling import ScheduledOperation, Shop
from optikit.types import Violation
from optikit_fjsp.batching import Batching


@dataclass
class _Batch:
    """One batch as read from the payload."""

    id: str
    members: list[ScheduledOperation] = field(default_factory=list)


def batch_ids(shop: Shop, payload: Mapping[str, Any]) -> dict[tuple[int, int], str]:
    """(job index, operation index) -> batch id, for entries that name one."""
    out: dict[tuple[int, int], str] = {}
    jobs = shop.job_index
    entries = payload.get("operations")
    for e in entries if isinstance(entries, list) else ():
        if not isinstance(e, Mapping) or e.get("batch") is None:
            continue
        j = jobs.get(str(e.get("job")))
        o = e.get("operation")
        if j is not None and isinstance(o, int) and not isinstance(o, bool):
            out[(j, o)] = str(e["batch"])
    return out


def operation_numbers(shop: Shop) -> dict[tuple[int, int], int]:
    """(job, operation) -> position in job-by-job order (the index of family and size)."""
    numbers: dict[tuple[int, int], int] = {}
    for j, job in enumerate(shop.jobs):
        for o in range(len(job.operations)):
            numbers[(j, o)] = len(numbers)
    return numbers


def group_batches(
    shop: Shop, batching: Batching, schedule: Sequence[ScheduledOperation],
    payload: Mapping[str, Any],
) -> tuple[dict[str, _Batch], list[Violation]]:
    """The payload's batches, and violations of who may (or must) carry a batch id."""
    ids = batch_ids(shop, payload)
    batches: dict[str, _Batch] = {}
    violations: list[Violation] = []
    for s in schedule:
        what = f"job {shop.jobs[s.job].id} op {s.operation}"
        bid = ids.get((s.job, s.operation))
        on_batch = batching.is_batch(s.machine)
        if bid is None:
            if on_batch:
                violations.append(Violation(
                    "batch", f"{what} runs on batch machine {shop.machines[s.machine].id} "
                    "without a batch id"))
            continue
        if not on_batch:
            violations.append(Violation(
                "payload", f"{what} has batch {bid!r} but {shop.machines[s.machine].id} "
                "is not a batch machine"))
            continue
        batches.setdefault(bid, _Batch(bid)).members.append(s)
    return batches, violations


def check_batches(
    shop: Shop, batching: Batching, schedule: Sequence[ScheduledOperation],
    payload: Mapping[str, Any],
) -> list[Violation]:
    """All batch rules; see the module docstring."""
    batches, violations = group_batches(shop, batching, schedule, payload)
    number = operation_numbers(shop)
    per_machine: dict[int, list[tuple[int, int, str]]] = {}
    for batch in batches.values():
        members = batch.members
        first = members[0]
        machines = {s.machine for s in members}
        if len(machines) > 1:
            names = ", ".join(sorted(shop.machines[m].id for m in machines))
            violations.append(Violation("batch", f"batch {batch.id} spans machines {names}"))
            continue
        m = first.machine
        spec = batching.machines[m]
        starts = {s.start for s in members}
        ends = {s.end for s in members}
        if len(starts) > 1 or len(ends) > 1:
            violations.append(Violation(
                "batch", f"batch {batch.id} on {shop.machines[m].id}: members do not start "
                f"and end together (starts {sorted(starts)}, ends {sorted(ends)})",
                float(max(starts) - min(starts) + max(ends) - min(ends))))
        families = {batching.family[number[(s.job, s.operation)]] for s in members}
        if len(families) > 1:
            names = ", ".join(sorted(batching.family_names[f] for f in families))
            violations.append(Violation(
                "batch", f"batch {batch.id} on {shop.machines[m].id} mixes families {names}"))
        load = sum(batching.size[number[(s.job, s.operation)]] for s in members)
        if load > spec.capacity:
            violations.append(Violation(
                "capacity", f"batch {batch.id} on {shop.machines[m].id} holds {load}, "
                f"capacity {spec.capacity}", float(load - spec.capacity)))
        longest = max(shop.jobs[s.job].operations[s.operation].modes[s.mode].duration
                      for s in members)
        need = max(spec.cycle, longest)
        for s in members:
            if s.end - s.start != need:
                violations.append(Violation(
                    "batch", f"batch {batch.id} on {shop.machines[m].id}: job "
                    f"{shop.jobs[s.job].id} op {s.operation} lasts {s.end - s.start}, the "
                    f"batch lasts {need}", float(abs(s.end - s.start - need))))
        per_machine.setdefault(m, []).append((min(starts), max(ends), batch.id))
        violations.extend(_calendar(shop, m, batch.id, min(starts), max(ends)))
    for m, spans in per_machine.items():
        spans.sort()
        for (_s1, e1, b1), (s2, _e2, b2) in itertools.pairwise(spans):
            if s2 < e1:
                violations.append(Violation(
                    "capacity", f"on {shop.machines[m].id}: batch {b2} starts at {s2} before "
                    f"batch {b1} ends at {e1}", float(e1 - s2)))
    return violations


def _calendar(shop: Shop, machine: int, bid: str, start: int, end: int) -> list[Violation]:
    """A batch of positive length lies inside one working window of its machine."""
    cal = shop.calendar(machine)
    if cal is None or end <= start or cal.fits(start, end):
        return []
    return [Violation(
        "calendar", f"batch {bid} on {shop.machines[machine].id} runs [{start}, {end}) "
        f"across non-working time of calendar {cal.name!r}; a batch is never interrupted",
        float(end - start))]


def batch_figures(
    shop: Shop, batching: Batching, schedule: Sequence[ScheduledOperation],
    payload: Mapping[str, Any],
) -> dict[str, dict[str, Any]]:
    """Per batch machine: batches run, operations batched and how full batches were."""
    batches, _violations = group_batches(shop, batching, schedule, payload)
    number = operation_numbers(shop)
    out: dict[str, dict[str, Any]] = {}
    for m, spec in batching.machines.items():
        mine = [b for b in batches.values() if b.members[0].machine == m]
        load = sum(batching.size[number[(s.job, s.operation)]] for b in mine for s in b.members)
        out[shop.machines[m].id] = {
            "batches": len(mine),
            "operations": sum(len(b.members) for b in mine),
            "fill": load / (len(mine) * spec.capacity) if mine else 0.0,
            "busy": sum(b.members[0].end - b.members[0].start for b in mine),
        }
    return out
