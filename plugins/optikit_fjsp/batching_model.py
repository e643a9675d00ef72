"""CP-SAT batch slots: the batching part of both CP-SAT formulations.

Each batch machine gets as many *slots* (potential batches) as it has candidate
operations.  A slot has a presence literal, a start ``S``, a length ``D`` and an end
``E = S + D`` (an optional interval in the machine's ``no_overlap``), and one
assignment literal per candidate operation:

- an operation that runs on the machine (its mode literal) is in exactly one slot;
- a member starts at ``S`` and its completion (what its job successor, the makespan and
  its tardiness see) is ``E``; ``D`` is at least every member's mode duration and the
  machine's cycle (the exact batch length, the longest member, is restored when the
  plan is read back, which can only make the schedule earlier);
- the members' sizes fit the capacity; with several families on the machine, each slot
  takes one family literal and members imply their family's;
- a present slot has at least one member.

With ``ordered`` the slots are also sorted in time and used as a prefix (slot ``b + 1``
present only if slot ``b`` is, and starts after it ends), which removes the permutation
symmetry between slots; the plain formulation uses the slots without it.

The main formulation uses :func:`add_leader_batches` instead, which scales better: a
batch is named after its *leader*, its first candidate in a fixed order, so an operation
may only join the batch of a leader of its own family that comes before it (or lead its
own).  Every batch then has exactly one representation (no symmetry), the family rule
needs no literals, and the assignment literals number about n^2 / (2 x families)
instead of n^2.

On a machine with a working-time calendar a batch of positive length lies inside one
working window (:func:`within_window`): ovens are loaded and unloaded as one, so a batch
never pauses over a break, even when its members are marked ``interruptible``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit_fjsp.batching import BatchMachine, BatchPlan
from optikit_fjsp.model import FjspProblem


@dataclass
class Slots:
    """The slots of one batch machine and their candidates ``(op, mode, literal)``."""

    machine: int
    candidates: list[tuple[int, int, Any]]
    present: list[Any] = field(default_factory=list)
    start: list[Any] = field(default_factory=list)
    length: list[Any] = field(default_factory=list)
    end: list[Any] = field(default_factory=list)
    assign: dict[tuple[int, int], Any] = field(default_factory=dict)
    family: dict[tuple[int, int], Any] = field(default_factory=dict)
    # Slot b is the batch led by candidate b (add_leader_batches), not the b-th in time.
    led: bool = False
    # Per slot on a calendar machine: its window choice (see within_window), for hints.
    window: dict[int, WindowChoice] = field(default_factory=dict)


@dataclass
class WindowChoice:
    """The variables :func:`within_window` adds and the windows they choose from."""

    room: list[tuple[int, int]]
    index: Any = None
    first: Any = None
    last: Any = None
    busy: Any = None

    def hint(self, model: Any, present: bool, start: int, end: int) -> None:
        """Hint the window holding ``[start, end)`` (any window for an empty batch)."""
        busy = present and end > start
        i = next((i for i, (a, b) in enumerate(self.room) if a <= start and end <= b), 0)
        if self.busy is not None:
            model.add_hint(self.busy, busy)
        if self.index is not None:
            model.add_hint(self.index, i)
            model.add_hint(self.first, self.room[i][0])
            model.add_hint(self.last, self.room[i][1])


def candidates(
    problem: FjspProblem, mode_literal: Callable[[int, int], Any]
) -> dict[int, list[tuple[int, int, Any]]]:
    """Per batch machine: the (op, mode, literal) that may run on it."""
    spec = problem.batching
    assert spec is not None
    out: dict[int, list[tuple[int, int, Any]]] = {m: [] for m in spec.machines}
    for g, modes in enumerate(problem.flat.modes):
        for k, (m, _d) in enumerate(modes):
            lit = mode_literal(g, k) if m in out else None
            if lit is not None:  # None: a mode the model does not allow
                out[m].append((g, k, lit))
    return out



def _batch_machines(
    problem: FjspProblem, by_machine: Mapping[int, list[tuple[int, int, Any]]]
) -> Iterator[tuple[int, list[tuple[int, int, Any]], BatchMachine, int]]:
    """(machine, candidates, its batch spec, longest possible batch) per used machine."""
    spec = problem.batching
    assert spec is not None
    for m, cands in by_machine.items():
        if cands:
            machine = spec.machines[m]
            modes = problem.flat.modes
            yield m, cands, machine, max(machine.cycle, *(modes[g][k][1] for g, k, _l in cands))


def _join(model: Any, a: Any, y: Any, starts: tuple[Any, Any], ends: tuple[Any, Any],
          length: Any, duration: int) -> None:
    """Literal ``a`` puts a member (start, completion) in a batch (present ``y``)."""
    model.add_implication(a, y)
    model.add(starts[0] == starts[1]).only_enforce_if(a)
    model.add(ends[0] == ends[1]).only_enforce_if(a)
    model.add(length >= duration).only_enforce_if(a)


def within_window(
    model: Any, windows: Sequence[tuple[int, int]], batch: tuple[Any, Any, Any],
    present: Any, shortest: int, name: str,
) -> WindowChoice:
    """A present batch ``(start, length, end)`` of positive length lies in one window.

    The window is picked by an element constraint on its index; the start's domain is
    also cut to where a batch of ``shortest`` (its least possible length) fits.
    """
    from ortools.sat.python import cp_model

    start, length, end = batch
    room = [(a, b) for a, b in windows if b - a >= max(shortest, 1)]
    choice = WindowChoice(room)
    enforce = [present]
    if shortest <= 0:  # a batch of zero-length members only is not bound to the calendar
        choice.busy = model.new_bool_var(f"{name}_busy")
        model.add(length == 0).only_enforce_if(choice.busy.Not())
        enforce = [present, choice.busy]
    if not room:
        model.add_bool_or([lit.Not() for lit in enforce])
        return choice
    flat = [v for a, b in room for v in (a, b - max(shortest, 1))]
    model.add_linear_expression_in_domain(
        start, cp_model.Domain.from_flat_intervals(flat)).only_enforce_if(enforce)
    if len(room) == 1:
        model.add(end <= room[0][1]).only_enforce_if(enforce)
        return choice
    choice.index = model.new_int_var(0, len(room) - 1, f"{name}_w")
    choice.first = model.new_int_var(room[0][0], room[-1][0], f"{name}_wa")
    choice.last = model.new_int_var(room[0][1], room[-1][1], f"{name}_wb")
    model.add_element(choice.index, [a for a, _b in room], choice.first)
    model.add_element(choice.index, [b for _a, b in room], choice.last)
    model.add(start >= choice.first).only_enforce_if(enforce)
    model.add(end <= choice.last).only_enforce_if(enforce)
    return choice


def _calendar_windows(problem: FjspProblem, machine: int, horizon: int
                      ) -> list[tuple[int, int]] | None:
    cal = problem.shop.calendar(machine)
    return None if cal is None else cal.working_windows(horizon)


def _close(model: Any, slots: Slots, intervals: list[Any],
           blocked: Sequence[tuple[int, int]] = ()) -> None:
    """Batches of a machine do not overlap (nor its blocked windows); a candidate on the
    machine is in one batch."""
    down = [model.new_fixed_size_interval_var(a, b - a, f"down{slots.machine}_{a}")
            for a, b in blocked if b > a]
    model.add_no_overlap(intervals + down)
    chosen: dict[int, list[Any]] = {}
    for (g, _b), a in slots.assign.items():
        chosen.setdefault(g, []).append(a)
    for g, _k, lit in slots.candidates:
        model.add(sum(chosen[g]) == (1 if lit is True else lit))


def add_batch_slots(
    model: Any,
    problem: FjspProblem,
    starts: list[Any],
    completion: Mapping[int, Any],
    by_machine: Mapping[int, list[tuple[int, int, Any]]],
    horizon: int,
    *,
    ordered: bool,
) -> list[Slots]:
    """Add the slots of every batch machine; ``completion[g]`` is the member's end."""
    spec = problem.batching
    assert spec is not None
    flat = problem.flat
    out: list[Slots] = []
    for m, cands, machine, longest in _batch_machines(problem, by_machine):
        families = sorted({spec.family[g] for g, _k, _lit in cands})
        slots = Slots(m, cands)
        windows = _calendar_windows(problem, m, horizon)
        shortest = min(max(machine.cycle, flat.modes[g][k][1]) for g, k, _lit in cands)
        intervals = []
        for b in range(len(cands)):
            y = model.new_bool_var(f"y{m}_{b}")
            s = model.new_int_var(0, horizon, f"S{m}_{b}")
            d = model.new_int_var(0, longest, f"D{m}_{b}")
            e = model.new_int_var(0, horizon, f"E{m}_{b}")
            intervals.append(model.new_optional_interval_var(s, d, e, y, f"B{m}_{b}"))
            slots.present.append(y)
            slots.start.append(s)
            slots.length.append(d)
            slots.end.append(e)
            if machine.cycle:
                model.add(d >= machine.cycle).only_enforce_if(y)
            model.add(d == 0).only_enforce_if(y.Not())
            if windows is not None:
                slots.window[b] = within_window(model, windows, (s, d, e), y, shortest,
                                                f"B{m}_{b}")
            if len(families) > 1:
                for f in families:
                    slots.family[(b, f)] = model.new_bool_var(f"f{m}_{b}_{f}")
                model.add_at_most_one(slots.family[(b, f)] for f in families)
            members = []
            for g, k, _lit in cands:
                a = model.new_bool_var(f"a{g}_{m}_{b}")
                slots.assign[(g, b)] = a
                members.append((g, k, a))
                _join(model, a, y, (starts[g], s), (completion[g], e), d, flat.modes[g][k][1])
                if len(families) > 1:
                    model.add_implication(a, slots.family[(b, spec.family[g])])
            model.add(sum(a for _g, _k, a in members) >= 1).only_enforce_if(y)
            model.add(
                sum(spec.size[g] * a for g, _k, a in members) <= machine.capacity
            )
        _close(model, slots, intervals)
        if ordered:
            for b in range(len(cands) - 1):
                model.add_implication(slots.present[b + 1], slots.present[b])
                model.add(slots.start[b + 1] >= slots.end[b]).only_enforce_if(
                    slots.present[b + 1]
                )
        out.append(slots)
    return out


def read_plan(
    problem: FjspProblem,
    modes: list[int],
    starts: list[int],
    slots: list[Slots],
    boolean_value: Callable[[Any], bool],
    op_ends: Sequence[int] | None = None,
) -> BatchPlan:
    """The plan of a solution: batches from the slots, each as long as its longest member.

    ``op_ends``: the operations' ends when some pause over calendar breaks.
    """
    spec = problem.batching
    assert spec is not None
    flat = problem.flat
    ends = (list(op_ends) if op_ends is not None
            else [starts[g] + flat.modes[g][modes[g]][1] for g in range(flat.num_ops)])
    batch = [-1] * flat.num_ops
    number = 0
    for sl in slots:
        for b in range(len(sl.candidates)):
            members = [g for g, k, _lit in sl.candidates if modes[g] == k
                       and (g, b) in sl.assign and boolean_value(sl.assign[(g, b)])]
            if not members:
                continue
            length = spec.duration(sl.machine, [flat.modes[g][modes[g]][1] for g in members])
            begin = min(starts[g] for g in members)
            for g in members:
                batch[g] = number
                starts[g] = begin
                ends[g] = begin + length
            number += 1
    return BatchPlan(tuple(modes), tuple(starts), tuple(ends), tuple(batch))


def hint_slots(model: Any, problem: FjspProblem, slots: list[Slots], plan: BatchPlan) -> None:
    """Hint the slot variables of ``plan`` (slots in time order, or by leader)."""
    spec = problem.batching
    assert spec is not None
    for sl in slots:
        groups: dict[int, list[int]] = {}
        for g, k, _lit in sl.candidates:
            if plan.modes[g] == k:
                groups.setdefault(plan.batch[g], []).append(g)
        order = sorted(groups.values(), key=lambda gs: plan.starts[gs[0]])
        n = len(sl.candidates)
        if sl.led:  # members come in candidate order: the first is the leader
            position = {g: b for b, (g, _k, _lit) in enumerate(sl.candidates)}
            led = {position[gs[0]]: gs for gs in order}
            by_slot = [led.get(b, []) for b in range(n)]
        else:
            by_slot = [order[b] if b < len(order) else [] for b in range(n)]
        last = plan.ends[order[-1][0]] if order else 0
        for b, members in enumerate(by_slot):
            model.add_hint(sl.present[b], bool(members))
            if sl.led:  # the start is the leader's own, hinted with the shop
                s = plan.starts[sl.candidates[b][0]]
            else:  # absent slots sit after the last batch
                s = plan.starts[members[0]] if members else last
            e = plan.ends[members[0]] if members else s
            if not sl.led:
                model.add_hint(sl.start[b], s)
            model.add_hint(sl.length[b], e - s)
            model.add_hint(sl.end[b], e)
            if b in sl.window:
                sl.window[b].hint(model, bool(members), s, e)
            fam = spec.family[members[0]] if members else None
            for (bb, f), lit in sl.family.items():
                if bb == b:
                    model.add_hint(lit, f == fam)
            for g, _k, _lit in sl.candidates:
                if (g, b) in sl.assign and sl.assign[(g, b)] is not sl.present[b]:
                    model.add_hint(sl.assign[(g, b)], g in members)


def add_leader_batches(
    model: Any,
    problem: FjspProblem,
    starts: list[Any],
    completion: Mapping[int, Any],
    by_machine: Mapping[int, list[tuple[int, int, Any]]],
    horizon: int,
    may_share: Callable[[int, int], bool] | None = None,
    blocked: Mapping[int, Sequence[tuple[int, int]]] | None = None,
) -> list[Slots]:
    """Batches named by their leader (see the module docstring); same rules as slots.

    ``may_share(h, g)``: whether operation ``g`` may join the batch led by ``h`` at all
    (the LNS keeps fixed operations in their batches); default: always.  ``blocked[m]``:
    windows in which batch machine ``m`` runs no batch (re-planning).
    """
    spec = problem.batching
    assert spec is not None
    flat = problem.flat
    out: list[Slots] = []
    for m, cands, machine, longest in _batch_machines(problem, by_machine):
        slots = Slots(m, cands, led=True)
        intervals = []
        windows = _calendar_windows(problem, m, horizon)
        for b, (h, kh, _lh) in enumerate(cands):
            y = model.new_bool_var(f"a{h}_{m}_{b}")  # h leads a batch
            d = model.new_int_var(0, longest, f"D{m}_{b}")
            e = model.new_int_var(0, horizon, f"E{m}_{b}")
            intervals.append(model.new_optional_interval_var(starts[h], d, e, y, f"B{m}_{b}"))
            slots.present.append(y)
            slots.start.append(starts[h])
            slots.length.append(d)
            slots.end.append(e)
            slots.assign[(h, b)] = y
            model.add(d >= max(machine.cycle, flat.modes[h][kh][1])).only_enforce_if(y)
            model.add(d == 0).only_enforce_if(y.Not())
            model.add(completion[h] == e).only_enforce_if(y)
            if windows is not None:
                slots.window[b] = within_window(model, windows, (starts[h], d, e), y,
                                                max(machine.cycle, flat.modes[h][kh][1]),
                                                f"B{m}_{b}")
            members = [(h, y)]
            for g, k, _lit in cands[b + 1:]:
                if spec.family[g] != spec.family[h] or g == h:
                    continue
                if may_share is not None and not may_share(h, g):
                    continue
                a = model.new_bool_var(f"a{g}_{m}_{b}")
                slots.assign[(g, b)] = a
                members.append((g, a))
                _join(model, a, y, (starts[g], starts[h]), (completion[g], e), d,
                      flat.modes[g][k][1])
            if len(members) > 1:
                model.add(sum(spec.size[g] * a for g, a in members) <= machine.capacity)
        _close(model, slots, intervals, (blocked or {}).get(m, ()))
        out.append(slots)
    return out
