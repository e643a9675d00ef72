"""Working-time calendars in CP-SAT models of scheduling types (fjsp, maintenance).

Imports OR-Tools only when a model is built (importing this module loads no solver).

For a mode on a machine with a calendar, the start is restricted to the times at which
the operation can run (its "pieces"):

- not interruptible: the start lies in ``[a, b - d]`` of some working window ``[a, b)``;
  a domain constraint on the start, enforced by the mode's literal; the interval keeps
  its fixed size;
- interruptible: for a start in working window ``i`` whose work ends in window ``k``,
  ``end = start + d + (pause before k - pause before i)``.  Starts are grouped by that
  extra length (a repeating shift pattern has only a few distinct values), one literal
  per group restricts the start to the group's ranges, and the interval on the machine
  spans the pauses (nothing else can run there then: it is non-working time).

The pieces are computed here from the calendar's working windows alone, not from
:meth:`Calendar.finish`, which the independent checkers use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from optikit.scheduling.calendar import Calendar

# (first start, last start, extra length) with end = start + duration + extra.
Piece = tuple[int, int, int]


def pieces(
    windows: Sequence[tuple[int, int]], d: int, interruptible: bool, lo: int, hi: int
) -> list[Piece]:
    """Start ranges within ``[lo, hi]`` for ``d`` units of work ending inside ``windows``."""
    out: list[Piece] = []
    if not interruptible:
        for a, b in windows:
            s0, s1 = max(a, lo), min(b - d, hi)
            if s0 <= s1:
                out.append((s0, s1, 0))
        return out
    before = []
    total = 0
    for a, b in windows:
        before.append(total)
        total += b - a
    k = 0
    for i, (a, b) in enumerate(windows):
        if a > hi:
            break
        s = a
        while s <= b - 1:
            need = before[i] + (s - a) + d  # working time done at the end
            while k < len(windows) and before[k] + windows[k][1] - windows[k][0] < need:
                k += 1
            if k == len(windows):
                break
            last = min(b - 1, a + before[k] + windows[k][1] - windows[k][0] - before[i] - d)
            extra = (windows[k][0] - before[k]) - (a - before[i])
            s0, s1 = max(s, lo), min(last, hi)
            if s0 <= s1:
                out.append((s0, s1, extra))
            s = last + 1
    return out


def _ranges(items: Sequence[Piece]) -> list[int]:
    flat: list[int] = []
    for a, b, _e in sorted(items):
        if flat and a <= flat[-1] + 1:
            flat[-1] = max(flat[-1], b)
        else:
            flat.extend((a, b))
    return flat


class CalendarTerms:
    """Adds one mode's calendar constraints to a CP-SAT model."""

    def __init__(self, calendars: Sequence[Calendar | None], horizon: int) -> None:
        self.calendars = calendars
        self.horizon = horizon
        self._windows: dict[int, list[tuple[int, int]]] = {}
        # Per key given to add(): (group literal, its start ranges, extra) and (size, end,
        # duration) of the paused interval, so that a schedule can be hinted completely.
        self.groups: dict[Any, list[tuple[Any, list[int], int]]] = {}
        self.spans: dict[Any, tuple[Any, Any, int]] = {}

    def windows(self, machine: int) -> list[tuple[int, int]] | None:
        cal = self.calendars[machine] if self.calendars else None
        if cal is None:
            return None
        if machine not in self._windows:
            self._windows[machine] = cal.working_windows(self.horizon)
        return self._windows[machine]

    def constrained(self, machine: int, d: int) -> bool:
        return d > 0 and self.windows(machine) is not None

    def add(
        self,
        model: Any,
        start: Any,
        lit: Any,
        machine: int,
        d: int,
        interruptible: bool,
        lo: int,
        hi: int,
        name: str,
        key: Any = None,
    ) -> tuple[Any, Any]:
        """Constrain ``start`` when ``lit`` (True: always); return (interval, extra).

        ``extra`` is 0 or a linear expression of the pauses the operation spans; the
        interval occupies the machine from the start to the end including them.
        """
        from ortools.sat.python import cp_model

        windows = self.windows(machine) or []
        found = pieces(windows, d, interruptible, lo, hi)
        mandatory = lit is True
        enforce = [] if mandatory else [lit]
        if not found:
            model.add_bool_or([] if mandatory else [lit.Not()])
            return self._fixed(model, start, d, lit, name), 0
        groups: dict[int, list[Piece]] = {}
        for p in found:
            groups.setdefault(p[2], []).append(p)
        if len(groups) == 1:
            extra = next(iter(groups))
            domain = cp_model.Domain.from_flat_intervals(_ranges(found))
            model.add_linear_expression_in_domain(start, domain).only_enforce_if(enforce)
            return self._fixed(model, start, d + extra, lit, name), extra
        chosen = []
        extra_terms = []
        for extra, items in sorted(groups.items()):
            b = model.new_bool_var(f"{name}_x{extra}")
            domain = cp_model.Domain.from_flat_intervals(_ranges(items))
            model.add_linear_expression_in_domain(start, domain).only_enforce_if(b)
            chosen.append(b)
            self.groups.setdefault(key, []).append((b, _ranges(items), extra))
            if extra:
                extra_terms.append(extra * b)
        if mandatory:
            model.add_exactly_one(chosen)
        else:
            model.add(sum(chosen) == lit)
        extra_expr = sum(extra_terms)
        sizes = sorted({d} | {d + e for e in groups})  # d: the size when absent
        size = model.new_int_var_from_domain(cp_model.Domain.from_values(sizes), f"{name}_p")
        model.add(size == d + extra_expr)
        end = model.new_int_var(lo + d, hi + max(sizes), f"{name}_e")
        model.add(end == start + size)
        self.spans[key] = (size, end, d)
        if mandatory:
            interval = model.new_interval_var(start, size, end, name)
        else:
            interval = model.new_optional_interval_var(start, size, end, lit, name)
        return interval, extra_expr

    def hint(self, model: Any, key: Any, present: bool, start: int) -> None:
        """Hint the group literals and span of ``key`` for a schedule starting at ``start``."""
        extra = 0
        for b, flat, e in self.groups.get(key, ()):
            inside = present and any(
                flat[i] <= start <= flat[i + 1] for i in range(0, len(flat), 2)
            )
            model.add_hint(b, inside)
            if inside:
                extra = e
        if key in self.spans:
            size, end, d = self.spans[key]
            model.add_hint(size, d + extra)
            model.add_hint(end, start + d + extra)

    @staticmethod
    def _fixed(model: Any, start: Any, d: int, lit: Any, name: str) -> Any:
        if lit is True:
            return model.new_fixed_size_interval_var(start, d, name)
        return model.new_optional_fixed_size_interval_var(start, d, lit, name)
