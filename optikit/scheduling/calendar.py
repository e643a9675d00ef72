"""Working-time calendars and clock time, shared by every scheduling type.

A :class:`Calendar` says when a machine works: working windows ``[start, end)`` in time
units, optionally repeating with a period (a shift pattern), minus planned downtime and
holidays.  Back-to-back windows join into one.  An operation that is not interruptible
must lie inside one working window; an interruptible one starts in working time, pauses
over non-working time and ends when its work is done (:meth:`Calendar.finish`).

A :class:`Clock` maps integer times to dates: ``start`` (ISO 8601) is time 0 and
``time_unit`` the length of one unit.  With a clock, times in the document (calendar
windows, releases, due dates) may be written as timestamps; payloads show both.

:func:`parse_calendars` reads the agreed document keys (``start``, ``time_unit``,
``calendars``, ``calendar`` and the machines' ``calendar``) and raises the project's
one-line :class:`~optikit.types.InvalidProblem` naming the field on bad input.
Standard library only.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optikit.types import InvalidProblem

#: Seconds in one unit of each ``time_unit`` a clock understands.
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


#: The end of an endless working window.
ALWAYS = 1 << 62


def _gap_free(working: Sequence[tuple[int, int]], repeat: int) -> bool:
    """Whether windows repeated every ``repeat`` units leave no gap at all."""
    covered = sum(b - a for a, b in working)
    return covered >= repeat and all(
        b >= c for (_a, b), (c, _d) in itertools.pairwise(working)
    )


#: Most working windows a calendar may have over a problem's horizon (a guard against a
#: one-minute period over years, which no model could use anyway).
MAX_WINDOWS = 100_000


class CalendarTooFine(ValueError):
    """The calendar would have more than :data:`MAX_WINDOWS` windows over the horizon."""


class CalendarExhausted(ValueError):
    """A calendar without ``repeat`` has too little working time left for the work."""


@dataclass(frozen=True)
class Calendar:
    """When a machine works.

    ``working``: windows ``[start, end)``, sorted and not overlapping; with ``repeat``
    they recur every ``repeat`` units (also once before their first start, so a night
    shift crossing the period boundary covers time 0 as well).  ``downtime``: absolute
    ``[start, end)`` intervals removed from working time.  Times before 0 never work.
    """

    name: str
    working: tuple[tuple[int, int], ...]
    repeat: int | None = None
    downtime: tuple[tuple[int, int], ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        if self.repeat is not None and _gap_free(self.working, self.repeat):
            # Working all the time: one endless window, minus the downtime.
            object.__setattr__(self, "working", ((0, ALWAYS),))
            object.__setattr__(self, "repeat", None)

    # -- the merged working time, computed lazily up to a growing horizon ------------
    def _build(self, horizon: int) -> tuple[list[int], list[int], list[int], bool]:
        """Merged windows (starts, ends, working time before each) up to ``horizon``."""
        raw: list[tuple[int, int]] = []
        if self.repeat is None:
            raw = list(self.working)
            complete = True
        else:
            k = -1
            while True:
                base = k * self.repeat
                if base + self.working[0][0] >= horizon:
                    break
                raw.extend((a + base, b + base) for a, b in self.working)
                k += 1
            complete = False
        merged: list[list[int]] = []
        for a, b in raw:
            a = max(a, 0)
            if b <= a:
                continue
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for da, db in self.downtime:
            cut: list[list[int]] = []
            for a, b in merged:
                if db <= a or da >= b:
                    cut.append([a, b])
                    continue
                if a < da:
                    cut.append([a, da])
                if db < b:
                    cut.append([db, b])
            merged = cut
        if not complete:
            # The last window may continue past ``horizon`` in the next period: keep only
            # windows that certainly end before it, so an extension never changes them.
            merged = [w for w in merged if w[1] < horizon]
        starts = [a for a, _b in merged]
        ends = [b for _a, b in merged]
        before = [0] * len(merged)
        total = 0
        for i, (a, b) in enumerate(merged):
            before[i] = total
            total += b - a
        return starts, ends, before, complete

    def _windows(self, needed: int) -> tuple[list[int], list[int], list[int], bool]:
        """The merged windows, known at least up to time ``needed``."""
        cached = self._cache.get("w")
        if cached is not None and (cached[3] or cached[4] > needed):
            return cached[0], cached[1], cached[2], cached[3]
        horizon = max(needed + 1, 2 * (cached[4] if cached else 0), self._min_horizon())
        if self.repeat is not None and horizon // self.repeat * len(self.working) > MAX_WINDOWS:
            raise CalendarTooFine(
                f"calendar {self.name!r} would need more than {MAX_WINDOWS:,} working windows "
                f"(period {self.repeat} up to time {horizon:,}); use a coarser time unit"
            )
        starts, ends, before, complete = self._build(horizon)
        self._cache["w"] = (starts, ends, before, complete, horizon)
        return starts, ends, before, complete

    def _min_horizon(self) -> int:
        last_down = max((b for _a, b in self.downtime), default=0)
        span = self.repeat or 0
        return last_down + 4 * span + 1

    def _iter_from(self, t: int) -> Iterator[tuple[int, int]]:
        """Merged working windows that end after ``t``, in time order (maybe endless)."""
        needed = t
        while True:
            starts, ends, _before, complete = self._windows(needed)
            i = bisect.bisect_right(ends, t)
            while i < len(ends):
                yield starts[i], ends[i]
                t = ends[i]
                i += 1
            if complete:
                return
            needed = max(needed * 2, t + (self.repeat or 1) * 4)

    # -- the public queries ----------------------------------------------------------
    def working_windows(self, horizon: int) -> list[tuple[int, int]]:
        """Merged working windows intersected with ``[0, horizon)``."""
        out: list[tuple[int, int]] = []
        for a, b in self._iter_from(-1):
            if a >= horizon:
                break
            out.append((a, min(b, horizon)))
        return out

    def is_working(self, t: int) -> bool:
        """Whether time unit ``[t, t+1)`` is working time."""
        for a, _b in self._iter_from(t):
            return a <= t
        return False

    def fits(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside one working window (empty spans always do)."""
        if end <= start:
            return True
        for a, b in self._iter_from(start):
            return a <= start and end <= b
        return False

    def finish(self, start: int, work: int) -> int:
        """End of ``work`` units processed from ``start``, pausing over non-working time.

        Raises :class:`CalendarExhausted` when a calendar without ``repeat`` runs out.
        """
        if work <= 0:
            return start
        left = work
        for a, b in self._iter_from(start):
            a = max(a, start)
            if b - a >= left:
                return a + left
            left -= b - a
        raise CalendarExhausted(f"calendar {self.name!r} has too little working time left")

    def earliest_start(self, t: int, work: int, interruptible: bool) -> int | None:
        """The earliest start ``>= t`` of an operation of ``work`` units (None: never).

        A zero-work operation starts at ``t``.  Otherwise the start is working time and,
        unless the operation is interruptible, a whole window must hold it.
        """
        if work <= 0:
            return t
        for a, b in self._iter_from(t):
            s = max(a, t)
            if interruptible:
                try:
                    self.finish(s, work)
                except CalendarExhausted:
                    return None
                return s
            if b - s >= work:
                return s
            if a >= self._pattern_from() and work > self._pattern_longest():
                return None  # past the downtime the pattern only repeats: never
        return None

    def _pattern_from(self) -> int:
        """From this time on the working windows only repeat the pattern."""
        if self.repeat is None:
            return ALWAYS
        return max((b for _a, b in self.downtime), default=0) + self.repeat

    def _pattern_longest(self) -> int:
        if "longest" not in self._cache:
            since = self._pattern_from()
            windows = self.working_windows(self._min_horizon())
            self._cache["longest"] = max((b - a for a, b in windows if a >= since), default=0)
        return int(self._cache["longest"])

    def can_ever_fit(self, work: int, interruptible: bool) -> bool:
        """Whether an operation of ``work`` units fits anywhere at all."""
        return self.earliest_start(0, work, interruptible) is not None

    def longest_window(self) -> int:
        """The longest working window (for messages)."""
        return max((b - a for a, b in self.working_windows(self._min_horizon())), default=0)


@dataclass(frozen=True)
class Clock:
    """Time 0 is ``start``; one time unit is ``unit`` (a key of :data:`UNIT_SECONDS`)."""

    start: dt.datetime
    unit: str

    @property
    def seconds(self) -> int:
        return UNIT_SECONDS[self.unit]

    def to_units(self, value: Any, path: str) -> int:
        """A timestamp as whole time units after ``start`` (InvalidProblem otherwise)."""
        when = _timestamp(value, path)
        if (when.tzinfo is None) != (self.start.tzinfo is None):
            raise InvalidProblem(path, "mixes a time zone with `start`'s (give both or neither)")
        seconds = (when - self.start).total_seconds()
        units = seconds / self.seconds
        if units != int(units):
            raise InvalidProblem(
                path, f"{value} is not a whole number of {self.unit}s after `start`"
            )
        if units < 0:
            raise InvalidProblem(path, f"{value} is before `start`")
        return int(units)

    def _when(self, t: int | float) -> dt.datetime | None:
        try:
            return self.start + dt.timedelta(seconds=float(t) * self.seconds)
        except (OverflowError, ValueError):  # beyond the year 9999
            return None

    def to_time(self, t: int | float) -> str:
        """Time ``t`` as an ISO 8601 timestamp (to the minute when that is exact)."""
        when = self._when(t)
        if when is None:
            return "out of range"
        spec = "minutes" if when.second == 0 and when.microsecond == 0 else "seconds"
        return when.isoformat(timespec=spec)

    def label(self, t: int | float) -> str:
        """``t`` with its clock time, for summaries: ``"1260 (2026-12-07 Mon 15:00)"``."""
        text = str(int(t)) if t == int(t) else f"{t:g}"
        when = self._when(t)
        if when is None:
            return text
        fmt = "%Y-%m-%d %a %H:%M" if self.seconds < 86400 else "%Y-%m-%d %a"
        return f"{text} ({when.strftime(fmt)})"


def _timestamp(value: Any, path: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidProblem(path, f"{value!r} is not an ISO 8601 timestamp such as 2026-12-07T06:00")


def parse_clock(doc: Mapping[str, Any]) -> Clock | None:
    """The document's ``start`` and ``time_unit`` (None without ``start``)."""
    if doc.get("start") is None:
        return None
    start = _timestamp(doc["start"], "start")
    unit = doc.get("time_unit")
    if unit is None:
        raise InvalidProblem("time_unit", "is required with `start` (second, minute, hour, day)")
    if unit not in UNIT_SECONDS:
        raise InvalidProblem(
            "time_unit", f"unknown unit {unit!r} with `start`; use second, minute, hour or day"
        )
    return Clock(start, str(unit))


def time_value(value: Any, path: str, clock: Clock | None) -> int:
    """A time in the document: whole units >= 0, or a timestamp when ``start`` is given."""
    if isinstance(value, str | dt.date):
        if clock is None:
            raise InvalidProblem(path, f"{value} is a timestamp but the document has no `start`")
        return clock.to_units(value, path)
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise InvalidProblem(path, f"must be an integer time or a timestamp, not {value!r}")
    if value < 0:
        raise InvalidProblem(path, "must be >= 0")
    return int(value)


def _spans(items: Any, path: str, clock: Clock | None) -> list[tuple[int, int]]:
    if not isinstance(items, list):
        raise InvalidProblem(path, "must be a list of {start, end}")
    out = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        if not isinstance(item, Mapping) or "start" not in item or "end" not in item:
            raise InvalidProblem(where, "must be {start, end}")
        a = time_value(item["start"], f"{where}.start", clock)
        b = time_value(item["end"], f"{where}.end", clock)
        if b <= a:
            raise InvalidProblem(f"{where}.end", f"must be after start ({b} <= {a})")
        out.append((a, b))
    return out


def parse_calendar(name: str, doc: Any, clock: Clock | None) -> Calendar:
    """One entry of ``calendars`` (``working``, optional ``repeat`` and ``downtime``)."""
    path = f"calendars.{name}"
    if not isinstance(doc, Mapping):
        raise InvalidProblem(path, "must be a mapping with `working` windows")
    if not doc.get("working"):
        raise InvalidProblem(f"{path}.working", "must be a non-empty list of {start, end}")
    working = _spans(doc["working"], f"{path}.working", clock)
    order = sorted(range(len(working)), key=lambda i: working[i])
    for i, j in itertools.pairwise(order):
        if working[j][0] < working[i][1]:
            raise InvalidProblem(
                f"{path}.working[{j}]",
                f"overlaps working[{i}] ({working[j][0]} < {working[i][1]})",
            )
    working.sort()
    repeat = doc.get("repeat")
    if repeat is not None:
        if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat <= 0:
            raise InvalidProblem(f"{path}.repeat", "must be a whole number of time units >= 1")
        if working[-1][1] - working[0][0] > repeat:
            raise InvalidProblem(
                f"{path}.repeat",
                f"the working windows span {working[-1][1] - working[0][0]} units, more than "
                f"the period {repeat}: they would overlap their repetition",
            )
    downtime = sorted(_spans(doc.get("downtime") or [], f"{path}.downtime", clock))
    return Calendar(str(name), tuple(working), repeat, tuple(downtime))


def parse_calendars(
    doc: Mapping[str, Any], machines: Sequence[Mapping[str, Any]], clock: Clock | None
) -> tuple[Calendar | None, ...]:
    """Each machine's calendar (None: always available) from the document's keys."""
    table = doc.get("calendars") or {}
    if not isinstance(table, Mapping):
        raise InvalidProblem("calendars", "must be a mapping name -> {working, repeat, downtime}")
    calendars = {str(name): parse_calendar(str(name), c, clock) for name, c in table.items()}

    def lookup(name: Any, path: str) -> Calendar:
        if str(name) not in calendars:
            known = ", ".join(sorted(calendars)) or "none defined under `calendars`"
            raise InvalidProblem(path, f"unknown calendar {name!r} (known: {known})")
        return calendars[str(name)]

    default = None if doc.get("calendar") is None else lookup(doc["calendar"], "calendar")
    out: list[Calendar | None] = []
    for i, m in enumerate(machines):
        if "calendar" in m:
            name = m["calendar"]
            out.append(None if name is None else lookup(name, f"machines[{i}].calendar"))
        else:
            out.append(default)
    return tuple(out)
