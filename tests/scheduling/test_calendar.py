"""The kernel's working-time calendars and clock: queries, parsing, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from optikit.scheduling import ScheduledOperation, check_calendars, parse_shop
from optikit.scheduling.calendar import Calendar, CalendarExhausted, parse_clock
from optikit.types import InvalidProblem

# Two shifts with a break, daily; Sunday (day 2) off.
SHIFTS = Calendar("two", ((0, 480), (510, 960)), 1440, ((2880, 4320),))


def test_windows_repeat_minus_downtime() -> None:
    assert SHIFTS.working_windows(4500) == [
        (0, 480), (510, 960), (1440, 1920), (1950, 2400), (4320, 4500)
    ]


def test_fits_and_finish() -> None:
    assert SHIFTS.fits(0, 480) and not SHIFTS.fits(400, 520)
    assert SHIFTS.finish(400, 100) == 530  # pauses over the 30-unit break
    assert SHIFTS.finish(900, 100) == 1480  # and over the night
    assert SHIFTS.finish(2300, 200) == 4420  # and over the day off
    assert SHIFTS.earliest_start(470, 30, interruptible=False) == 510
    assert SHIFTS.earliest_start(470, 30, interruptible=True) == 470
    assert SHIFTS.earliest_start(0, 500, interruptible=False) is None


def test_night_shift_across_midnight_and_always_on() -> None:
    night = Calendar("night", ((1320, 1800),), 1440)
    assert night.working_windows(3000)[:2] == [(0, 360), (1320, 1800)]
    always = Calendar("24/7", ((0, 1440),), 1440, ((100, 200),))
    assert always.working_windows(1000) == [(0, 100), (200, 1000)]
    assert always.earliest_start(0, 10_000, interruptible=False) == 200


def test_finite_calendar_runs_out() -> None:
    once = Calendar("once", ((0, 10), (20, 30)))
    assert once.can_ever_fit(20, interruptible=True)
    assert not once.can_ever_fit(21, interruptible=True)
    with pytest.raises(CalendarExhausted):
        once.finish(25, 10)


def doc(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "start": "2026-12-07T06:00:00",
        "time_unit": "minute",
        "calendars": {"shift": {"working": [{"start": 0, "end": 480}], "repeat": 1440}},
        "calendar": "shift",
        "machines": [{"id": "A"}, {"id": "B", "calendar": None}],
        "jobs": [{"id": "J", "release": "2026-12-07T07:00", "due": "2026-12-08T06:00",
                  "operations": [{"modes": [{"machine": "A", "duration": 100}]},
                                 {"interruptible": True,
                                  "modes": [{"machine": "A", "duration": 600}]}]}],
    }
    base.update(extra)
    return base


def test_parse_clock_times_and_machine_calendars() -> None:
    shop = parse_shop(doc())
    assert shop.jobs[0].release == 60 and shop.jobs[0].due == 1440
    assert shop.calendar(0) is not None and shop.calendar(1) is None
    assert shop.jobs[0].operations[1].interruptible
    assert shop.clock is not None and shop.clock.to_time(90) == "2026-12-07T07:30"


def test_check_calendars() -> None:
    shop = parse_shop(doc())
    good = [ScheduledOperation(0, 0, 0, 0, 60, 160), ScheduledOperation(0, 1, 0, 0, 160, 1720)]
    assert check_calendars(shop, good) == []
    across = [ScheduledOperation(0, 0, 0, 0, 400, 500)]
    assert [v.constraint for v in check_calendars(shop, across)] == ["calendar"]
    wrong_end = [ScheduledOperation(0, 1, 0, 0, 160, 760)]
    assert "end at 1720" in check_calendars(shop, wrong_end)[0].message
    off_shift = [ScheduledOperation(0, 1, 0, 0, 500, 1640)]
    assert "outside the working time" in check_calendars(shop, off_shift)[0].message


BAD = [
    ("overlapping windows", {"calendars": {"shift": {"working": [
        {"start": 0, "end": 480}, {"start": 400, "end": 600}]}}},
     "calendars.shift.working[1]"),
    ("unknown default", {"calendar": "nights"}, "calendar"),
    ("unknown machine calendar", {"machines": [{"id": "A", "calendar": "x"}]},
     "machines[0].calendar"),
    ("timestamp without start", {"start": None}, "jobs[0].release"),
    ("start without unit", {"time_unit": None}, "time_unit"),
    ("not a timestamp", {"start": "monday"}, "start"),
    ("before start", {"jobs": [{"id": "J", "release": "2026-12-06T06:00", "operations": [
        {"modes": [{"machine": "A", "duration": 1}]}]}]}, "jobs[0].release"),
    ("repeat too short", {"calendars": {"shift": {"working": [{"start": 0, "end": 480}],
                                                  "repeat": 400}}}, "calendars.shift.repeat"),
    ("never fits", {"jobs": [{"id": "J", "operations": [
        {"modes": [{"machine": "A", "duration": 500}]}]}]}, "jobs[0].operations[0]"),
]


@pytest.mark.parametrize(("what", "change", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_field(what: str, change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidProblem) as err:
        parse_shop(doc(**change))
    assert err.value.field == field, what
    assert "\n" not in str(err.value)


def test_clock_is_optional() -> None:
    assert parse_clock({"time_unit": "hour"}) is None


def test_calendar_too_fine_for_the_horizon() -> None:
    fine = doc(calendars={"shift": {"working": [{"start": 0, "end": 1}], "repeat": 2}})
    fine["jobs"][0]["operations"][0]["interruptible"] = True
    fine["jobs"][0]["operations"][1]["modes"][0]["duration"] = 1_000_000
    with pytest.raises(InvalidProblem, match="coarser time unit"):
        parse_shop(fine)


def test_model_pieces_agree_with_the_checkers_calendar() -> None:
    """The CP-SAT helper's start ranges (from windows) against Calendar.fits/finish."""
    import random

    from optikit.scheduling.calendar_cpsat import pieces

    rng = random.Random(7)
    for _trial in range(300):
        n = rng.randint(1, 3)
        points = sorted(rng.sample(range(40), 2 * n))
        working = tuple((points[2 * i], points[2 * i + 1]) for i in range(n))
        repeat = rng.choice([None, working[-1][1] - working[0][0] + rng.randint(0, 9)])
        a = rng.randint(0, 60)
        cal = Calendar("x", working, repeat, ((a, a + rng.randint(1, 15)),))
        horizon, d = rng.randint(20, 120), rng.randint(1, 20)
        for interruptible in (False, True):
            allowed = {s: s + d + extra
                       for lo, hi, extra in pieces(cal.working_windows(horizon), d,
                                                   interruptible, 0, horizon)
                       for s in range(lo, hi + 1)}
            for s in range(horizon + 1):
                if not cal.is_working(s):
                    assert s not in allowed
                    continue
                try:
                    end = cal.finish(s, d) if interruptible else s + d
                except CalendarExhausted:
                    end = horizon + 1
                ok = end <= horizon and (interruptible or cal.fits(s, end))
                assert allowed.get(s) == (end if ok else None)
