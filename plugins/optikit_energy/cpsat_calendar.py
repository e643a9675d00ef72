"""Calendar parts of the energy CP-SAT interval model (:mod:`optikit_energy.cpsat_model`).

The kernel's :class:`~optikit.scheduling.calendar_cpsat.CalendarTerms` restricts starts
and gives an interruptible operation an interval over its pauses (its machine is
reserved then).  The energy model also needs, per start range of the kernel's
:func:`~optikit.scheduling.calendar_cpsat.pieces` (start in working window ``i``, work
ending in window ``k``):

- the objective-price cost of the pause units, fixed on the range (the operation draws
  no power while paused: its cost is ``F(E) - F(S)`` minus that);
- for the peak cap, the work as pieces: ``[S, end of window i)``, the whole windows in
  between and ``[start of window k, E)``, present when the start lies in the range, and
  the pauses themselves (a switchable machine idles through them).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit.scheduling.calendar_cpsat import pieces

# (first start, last start, pause units, F-cost of the pauses)
Range = tuple[int, int, int, int]


@dataclass
class Parts:
    """A pausing operation-mode's optional intervals: work pieces and pauses."""

    work: list[Any] = field(default_factory=list)
    pauses: list[Any] = field(default_factory=list)


def start_ranges(cm: Any, g: int, k: int, lo: int, top: int) -> list[Range]:
    """Start ranges of mode k of op g within ``[lo, top]`` (``cm``: the EnergyCpModel):
    the calendar's, or one range without a calendar."""
    md = cm.p.ops[g].modes[k]
    windows = None
    if cm.calendar is not None and cm.calendar.constrained(md.machine, md.duration):
        windows = cm.calendar.windows(md.machine)
    if windows is None:
        return [(lo, top, 0, 0)] if lo <= top else [(lo, lo, 0, 0)]
    f_of = cm.prices.f_of
    out = []
    for a, b, extra in pieces(windows, md.duration, cm.p.ops[g].interruptible, lo, top):
        pause = 0
        if extra:
            # The same pauses for every start of the range: the gaps in [a, a + d + extra).
            end = a + md.duration + extra
            pause = f_of(end) - f_of(a) - sum(
                f_of(min(y, end)) - f_of(max(x, a)) for x, y in windows if x < end and y > a
            )
        out.append((a, b, extra, pause))
    return out


def pause_parts(cm: Any, g: int, k: int, ranges: Sequence[Range],
                literals: Sequence[Sequence[Any]]) -> Parts:
    """The work pieces and pauses of mode k of op g; ``literals[r]``: the cost-piece
    literals of range ``r`` (exactly one is true when the start lies in it)."""
    model = cm.model
    md = cm.p.ops[g].modes[k]
    windows = cm.calendar.windows(md.machine)
    starts = [a for a, _b in windows]
    out = Parts()
    for r, ((a, _b, extra, _pause), lits) in enumerate(zip(ranges, literals, strict=True)):
        if not lits:
            continue
        if len(lits) == 1:
            present = lits[0]
        else:
            present = model.new_bool_var(f"R{g}_{k}_{r}")
            model.add(present == sum(lits))
        name = f"W{g}_{k}_{r}"
        s, e = cm.start[g], cm.end[g]
        if not extra:  # inside one window
            out.work.append(
                model.new_optional_fixed_size_interval_var(s, md.duration, present, name))
            continue
        i = bisect.bisect_right(starts, a) - 1
        last = bisect.bisect_right(starts, a + md.duration + extra - 1) - 1
        end_i = windows[i][1]
        out.work.append(model.new_optional_interval_var(s, end_i - s, end_i, present, name))
        for x, y in windows[i + 1 : last]:
            out.work.append(model.new_optional_fixed_size_interval_var(x, y - x, present, name))
        start_k = windows[last][0]
        out.work.append(model.new_optional_interval_var(start_k, e - start_k, e, present, name))
        for (_x, y), (x2, _y2) in zip(windows[i:last], windows[i + 1 : last + 1], strict=True):
            out.pauses.append(
                model.new_optional_fixed_size_interval_var(y, x2 - y, present, f"P{g}_{k}_{r}")
            )
    return out
