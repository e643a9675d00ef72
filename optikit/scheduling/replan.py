"""Re-planning a schedule after events: what is frozen, what is checked, what moved.

Shared by every scheduling type that offers re-planning (see
:class:`optikit.types.Replanning`).  The rules, in plant terms:

- An operation whose old start is before ``now`` has *started* and is frozen: same mode,
  machine and start; a late one ends ``extra`` later.  It counts as started only if it
  could have: its job predecessor and its predecessor on the machine (in the old plan)
  are frozen too and end (with changeover) by its start, otherwise it is *held* and
  re-planned like any operation that has not started.
- A frozen operation that overlaps a machine-down window is *interrupted*: the work
  done is lost, it is re-planned from scratch, and its machine stays occupied from its
  old start to the breakdown (a blocked window).
- Nothing that is not frozen starts before ``now``; no operation overlaps a blocked
  window; cancelled jobs are absent; rush jobs are planned in full.
- Operations that run together as one unit (an fjsp batch: ``groups`` gives each its
  group id) are frozen, held or interrupted together.

:func:`situation` works these out from the old plan; :func:`check_replan` verifies a new
plan against them independently of any model; :func:`disruption` measures the change.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit.scheduling.calendar import CalendarExhausted, Clock
from optikit.scheduling.model import Operation, ScheduledOperation, Shop, completion_times
from optikit.scheduling.replan_events import Events, Window
from optikit.types import Violation

Key = tuple[str, int]  # (job id, operation index)


@dataclass(frozen=True)
class Placed:
    """An operation of a plan by ids: mode index, machine id, start, end."""

    mode: int
    machine: str
    start: int
    end: int


@dataclass
class Situation:
    """Everything the events fix, by ids, for the model and the checker alike."""

    now: int
    old: dict[Key, Placed]  # the old plan of every operation still in the problem
    frozen: dict[Key, Placed]  # started operations, kept (ends include lateness)
    blocked: list[Window]  # machine-down windows and interrupted work
    interrupted: list[Key] = field(default_factory=list)
    held: list[Key] = field(default_factory=list)
    cancelled: tuple[str, ...] = ()
    rush: tuple[str, ...] = ()
    old_objective: float | None = None
    old_completion: dict[str, int] = field(default_factory=dict)
    events: int = 0

    def windows_on(self, machine: str) -> list[Window]:
        return [w for w in self.blocked if w.machine == machine]


def placed_by_key(shop: Shop, schedule: Sequence[ScheduledOperation]) -> dict[Key, Placed]:
    return {
        (shop.jobs[s.job].id, s.operation): Placed(s.mode, shop.machines[s.machine].id,
                                                   s.start, s.end)
        for s in schedule
    }


def started_modes(
    shop: Shop, schedule: Sequence[ScheduledOperation], now: int
) -> dict[Key, int]:
    """The old mode of every operation that started before ``now``."""
    return {(shop.jobs[s.job].id, s.operation): s.mode for s in schedule if s.start < now}


def situation(
    old_shop: Shop,
    old_schedule: Sequence[ScheduledOperation],
    new_shop: Shop,
    events: Events,
    old_objective: float | None = None,
    groups: Mapping[Key, str] | None = None,
    ends: Mapping[Key, int] | None = None,
) -> Situation:
    """Freeze, hold and interrupt the old plan's operations after ``events``.

    ``groups``: operations with one group id run as one unit (all frozen or none);
    ``ends``: the end of a started operation when it is not its own (a batch's end).
    """
    now = events.now
    groups = groups or {}
    members: dict[str, list[Key]] = {}
    for key, gid in groups.items():
        members.setdefault(gid, []).append(key)
    operation = {(job.id, op.index): op for job in new_shop.jobs for op in job.operations}
    old = {k: p for k, p in placed_by_key(old_shop, old_schedule).items() if k in operation}
    cand: dict[Key, Placed] = {}
    for key, p in old.items():
        if p.start < now:
            end = operation_end(new_shop, operation[key], p.mode, p.start)
            cand[key] = Placed(p.mode, p.machine, p.start, (ends or {}).get(key, end))
    products = {job.id: job.product for job in new_shop.jobs}
    midx = new_shop.machine_index
    blocked = list(events.down)
    interrupted: list[Key] = []
    order = sorted(old, key=lambda k: (old[k].start, k))
    changed = True
    while changed:
        changed = False
        for key in [k for k in order if k in cand]:
            if key not in cand:
                continue  # left with a fellow of its group in this pass
            p = cand[key]
            hit = next((w for w in events.down if w.machine == p.machine
                        and w.start < p.end and p.start < w.end), None)
            fellows = [k for k in members.get(groups.get(key, ""), []) if k != key]
            if hit is not None:
                del cand[key]
                interrupted.append(key)
                if p.start < hit.start:
                    what = f"batch {groups[key]}" if fellows else f"{key[0]} op {key[1]}"
                    blocked.append(Window(p.machine, p.start, hit.start, f"interrupted {what}"))
                interrupted.extend(k for k in fellows if cand.pop(k, None) is not None)
                changed = True
                continue
            if not _could_start(key, p, cand, old, products, midx, new_shop, groups):
                del cand[key]
                for k in fellows:
                    cand.pop(k, None)
                changed = True
    held = sorted((k for k, p in old.items() if p.start < now and k not in cand
                   and k not in interrupted), key=lambda k: (old[k].start, k))
    old_done = completion_times(old_shop, old_schedule)
    return Situation(
        now=now, old=old, frozen=cand, blocked=blocked, interrupted=interrupted, held=held,
        cancelled=events.cancelled, rush=tuple(str(j["id"]) for j in events.rush),
        old_objective=old_objective,
        old_completion={job.id: c for job, c in zip(old_shop.jobs, old_done, strict=True)},
        events=events.count,
    )


def operation_end(shop: Shop, op: Operation, mode: int, start: int) -> int:
    """End of ``op`` in ``mode`` from ``start``: an interruptible operation on a machine
    with a calendar pauses over non-working time (its calendar's finish)."""
    m = op.modes[mode]
    cal = shop.calendar(m.machine)
    if cal is None or not op.interruptible or m.duration <= 0:
        return start + m.duration
    try:
        return cal.finish(start, m.duration)
    except CalendarExhausted:  # the checker reports it; keep a finite end here
        return start + m.duration


def overrun_interruptible(
    shop: Shop, schedule: Sequence[ScheduledOperation], events: Events,
    amended: dict[str, Any],
) -> None:
    """Let a started operation that runs late past the end of its working window finish
    in its machine's next working time: mark it ``interruptible`` in the amended document
    (``amended["jobs"]`` in the original order, cancelled jobs removed)."""
    if not shop.has_calendars or not events.late:
        return
    jobs = {str(j["id"]): j for j in amended["jobs"]}
    for s in schedule:
        job = shop.jobs[s.job]
        extra = events.late.get((job.id, s.operation))
        cal = shop.calendar(s.machine)
        if extra is None or s.start >= events.now or cal is None or job.id not in jobs:
            continue
        op = job.operations[s.operation]
        if op.interruptible:
            continue
        duration = op.modes[s.mode].duration + extra
        if not cal.fits(s.start, s.start + duration):
            jobs[job.id]["operations"][s.operation]["interruptible"] = True


def _could_start(
    key: Key, p: Placed, cand: Mapping[Key, Placed], old: Mapping[Key, Placed],
    products: Mapping[str, str | None], midx: Mapping[str, int], shop: Shop,
    groups: Mapping[Key, str] | None = None,
) -> bool:
    """Job and machine predecessors (old plan) are frozen and done by ``p.start``
    (operations of one group share the machine and are not each other's predecessors)."""
    job, op = key
    if op > 0:
        pred = cand.get((job, op - 1))
        if pred is None or pred.end > p.start:
            return False
    group = (groups or {}).get(key)
    before = [k for k, q in old.items()
              if q.machine == p.machine and (q.start, k) < (p.start, key)
              and (group is None or (groups or {}).get(k) != group)]
    if not before:
        return True
    last = max(before, key=lambda k: (old[k].start, k))
    q = cand.get(last)
    if q is None:
        return False
    setup = _setup(shop, midx[p.machine], products[last[0]], products[job])
    return q.end + setup <= p.start


def _setup(shop: Shop, machine: int, a: str | None, b: str | None) -> int:
    if a is None or b is None:
        return 0
    return shop.setups.get((machine, a, b), 0)


def check_replan(
    shop: Shop, schedule: Sequence[ScheduledOperation], situ: Situation,
    named_jobs: Collection[str] = (),
) -> list[Violation]:
    """The re-planning rules, from the new plan and the situation alone.  ``named_jobs``:
    every job id the payload names (a cancelled one is not in ``schedule``)."""
    violations: list[Violation] = []
    new = placed_by_key(shop, schedule)
    for key, f in situ.frozen.items():
        p = new.get(key)
        if p is None:
            continue  # the type's checker reports a missing operation
        if (p.mode, p.machine, p.start, p.end) != (f.mode, f.machine, f.start, f.end):
            violations.append(Violation(
                "frozen", f"job {key[0]} op {key[1]} started before now and must stay on "
                f"{f.machine} at [{f.start}, {f.end}), is on {p.machine} at "
                f"[{p.start}, {p.end})"))
    for key, p in new.items():
        if key not in situ.frozen and p.start < situ.now:
            violations.append(Violation(
                "now", f"job {key[0]} op {key[1]} starts at {p.start}, before now "
                f"({situ.now})", float(situ.now - p.start)))
        for w in situ.windows_on(p.machine):
            if w.start < p.end and p.start < w.end:
                violations.append(Violation(
                    "blocked", f"job {key[0]} op {key[1]} on {p.machine} at [{p.start}, "
                    f"{p.end}) overlaps {w.reason} [{w.start}, {w.end})",
                    float(min(p.end, w.end) - max(p.start, w.start))))
    jobs = {job.id for job in shop.jobs}
    for jid in situ.cancelled:
        if jid in jobs or jid in named_jobs:
            violations.append(Violation("cancelled", f"cancelled job {jid} is still planned"))
    for jid in situ.rush:
        job = next((j for j in shop.jobs if j.id == jid), None)
        planned = sum(1 for k in new if k[0] == jid)
        if job is None or planned != len(job.operations):
            violations.append(Violation("rush", f"rush job {jid} is not planned in full"))
    return violations


def disruption(
    shop: Shop, schedule: Sequence[ScheduledOperation], situ: Situation,
    objective: float | None,
) -> dict[str, Any]:
    """How far the new plan is from the old one, in plant terms (JSON-ready)."""
    new = placed_by_key(shop, schedule)
    common = [k for k in situ.old if k in new]
    moved = [k for k in common if (new[k].start, new[k].machine)
             != (situ.old[k].start, situ.old[k].machine)]
    shift = sum(abs(new[k].start - situ.old[k].start) for k in common)
    changes = sum(1 for k in common if new[k].machine != situ.old[k].machine)
    done = dict(zip((j.id for j in shop.jobs), completion_times(shop, schedule), strict=True))
    later = sorted(j for j, c in done.items()
                   if j in situ.old_completion and c > situ.old_completion[j])
    earlier = sorted(j for j, c in done.items()
                     if j in situ.old_completion and c < situ.old_completion[j])
    clock = shop.clock
    figures: dict[str, Any] = {
        "now": situ.now,
        "events": situ.events,
        "old_objective": situ.old_objective,
        "new_objective": objective,
        "operations_compared": len(common),
        "operations_moved": len(moved),
        "total_shift": shift,
        "machine_changes": changes,
        "jobs_later": later,
        "jobs_earlier": earlier,
        "frozen": len(situ.frozen),
        "interrupted": [f"{j} op {o}" for j, o in situ.interrupted],
        "held": [f"{j} op {o}" for j, o in situ.held],
        "cancelled": list(situ.cancelled),
        "rush": list(situ.rush),
        "blocked": [
            {"machine": w.machine, "start": w.start, "end": w.end, "reason": w.reason}
            for w in situ.blocked
        ],
    }
    if clock is not None:  # the times as clock times too, as in the payload
        figures["now_time"] = clock.to_time(situ.now)
        for entry in figures["blocked"]:
            entry["start_time"] = clock.to_time(entry["start"])
            entry["end_time"] = clock.to_time(entry["end"])
    return figures


def disruption_rows(
    figures: Mapping[str, Any], clock: Clock | None = None
) -> list[tuple[str, str]]:
    """Summary rows of :func:`disruption` figures (``now`` with its clock time)."""
    now = clock.label(figures["now"]) if clock is not None else str(figures["now"])
    rows = [("re-planned at", f"t = {now} after {figures['events']} event(s)")]
    old, new = figures.get("old_objective"), figures.get("new_objective")
    if old is not None and new is not None:
        rows.append(("objective old -> new", f"{old:g} -> {new:g}"))
    rows.append((
        "operations moved",
        f"{figures['operations_moved']} of {figures['operations_compared']} "
        f"(total shift {figures['total_shift']}, {figures['machine_changes']} on another "
        f"machine)",
    ))
    later, earlier = figures["jobs_later"], figures["jobs_earlier"]
    rows.append(("jobs later / earlier", f"{len(later)} later, {len(earlier)} earlier"
                 + (f" (later: {', '.join(later[:6])}{', ...' if len(later) > 6 else ''})"
                    if later else "")))
    kept = f"{figures['frozen']} started operation(s) kept"
    if figures["interrupted"]:
        kept += f"; interrupted: {', '.join(figures['interrupted'][:4])}"
    if figures["held"]:
        kept += f"; {len(figures['held'])} could not start"
    rows.append(("frozen", kept))
    if figures["cancelled"] or figures["rush"]:
        rows.append(("orders", f"cancelled {', '.join(figures['cancelled']) or '-'}; "
                               f"rush {', '.join(figures['rush']) or '-'}"))
    return rows
