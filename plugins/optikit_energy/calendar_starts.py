"""Where each operation-mode may start under its machine's calendar, and when it then ends.

The time-indexed model and the constructive heuristic work on explicit start times; this
turns the kernel's start ranges (:func:`optikit.scheduling.calendar_cpsat.pieces`, the
same ranges the CP-SAT models use, computed from the working windows alone) into arrays
of starts and ends.  An interruptible operation's end includes its pauses; the units in
which it draws power are the working units of ``[start, end)``
(:func:`optikit_energy.energy.processing_parts` is the checker's version of that rule).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from optikit.scheduling.calendar_cpsat import pieces
from optikit_energy.model import EnergyProblem

Array = NDArray[np.int64]


class CalendarStarts:
    """Per machine its working windows and per-unit working mask (calendars only)."""

    def __init__(self, problem: EnergyProblem) -> None:
        self.p = problem

    @cached_property
    def windows(self) -> list[list[tuple[int, int]] | None]:
        """Each machine's working windows up to the horizon (None: always available)."""
        out: list[list[tuple[int, int]] | None] = []
        for m in range(self.p.num_machines):
            cal = self.p.shop.calendar(m)
            out.append(None if cal is None else cal.working_windows(self.p.horizon))
        return out

    @cached_property
    def working(self) -> list[NDArray[np.bool_] | None]:
        """Per machine, whether each unit ``0..horizon-1`` is working time (None: all)."""
        out: list[NDArray[np.bool_] | None] = []
        for windows in self.windows:
            if windows is None:
                out.append(None)
                continue
            mask = np.zeros(self.p.horizon, dtype=bool)
            for a, b in windows:
                mask[a:b] = True
            out.append(mask)
        return out

    def starts(self, g: int, k: int, lo: int, hi_end: int) -> tuple[Array, Array]:
        """(starts, ends), sorted by start, of mode ``k`` of operation ``g`` starting at
        ``lo`` or later and ending by ``hi_end``."""
        mode = self.p.ops[g].modes[k]
        d = mode.duration
        windows = self.windows[mode.machine]
        if windows is None or d == 0:
            s = np.arange(lo, max(lo, hi_end - d + 1), dtype=np.int64)
            return s, s + d
        found = pieces(windows, d, self.p.ops[g].interruptible, lo, hi_end - d)
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        s = np.concatenate([np.arange(a, b + 1, dtype=np.int64) for a, b, _e in found])
        e = np.concatenate([np.arange(a, b + 1, dtype=np.int64) + d + x for a, b, x in found])
        order = np.argsort(s, kind="stable")
        s, e = s[order], e[order]
        keep = e <= hi_end
        return s[keep], e[keep]

    def power_units(self, machine: int, start: int, end: int) -> Array:
        """The units of ``[start, end)`` in which an operation on ``machine`` draws power."""
        units = np.arange(start, end, dtype=np.int64)
        mask = self.working[machine]
        return units if mask is None else units[mask[units]]
