"""Clock time for energy-scheduling: ``start`` is time 0, one unit is ``time_step`` minutes.

The shared kernel's :class:`~optikit.scheduling.calendar.Clock` counts in a named unit
(``time_unit``: second, minute, hour, day); energy's unit is already fixed by
``time_step`` (15 minutes, say), so ``time_unit`` is not accepted and the clock's unit is
the time step itself.  With a clock, calendar windows, releases and due dates may be
written as timestamps, and summaries, exports and charts show clock times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from optikit.scheduling.calendar import UNIT_SECONDS, Clock, parse_clock
from optikit.types import InvalidProblem


@dataclass(frozen=True)
class StepClock(Clock):
    """A clock whose unit is ``step_seconds`` long (any whole number of seconds)."""

    step_seconds: int = 60

    @property
    def seconds(self) -> int:
        return self.step_seconds


def unit_name(seconds: int) -> str:
    """``minute`` for a one-minute step, ``15-minute step`` for a quarter hour."""
    named = {s: name for name, s in UNIT_SECONDS.items()}
    return named.get(seconds) or f"{seconds / 60:g}-minute step"


def parse_step_clock(doc: Mapping[str, Any], time_step: float) -> StepClock | None:
    """The document's ``start`` with ``time_step`` minutes per unit (None without ``start``)."""
    if doc.get("start") is None:
        return None
    seconds = time_step * 60.0
    if seconds != int(seconds):
        raise InvalidProblem(
            "time_step", f"{time_step:g} minutes is not a whole number of seconds, which a "
            "clock (`start`) needs"
        )
    # The kernel's reader checks the timestamp (a one-line error naming `start`).
    base = parse_clock({"start": doc["start"], "time_unit": "second"})
    assert base is not None
    return StepClock(base.start, unit_name(int(seconds)), int(seconds))
