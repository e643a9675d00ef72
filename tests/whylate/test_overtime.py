"""The overtime what-if on a tiny calendar instance, re-solved and checked (CP-SAT)."""

from __future__ import annotations

from typing import Any

import optikit
from optikit.whylate import overtime_whatif, why_late


def day_shift_doc() -> dict[str, Any]:
    """One machine working 0-8 h every day; J1 (5 h) fits, J2 (4 h) waits for tomorrow.

    Best without overtime: J1 [0,5], J2 [24,28]: J2 late by 18 (J2 first makes J1 late by
    21).  With the shift one hour longer (0-9) J2 runs [5,9]: nothing is late.
    """
    return {
        "type": "fjsp", "name": "day-shift", "time_unit": "hour",
        "calendars": {"day": {"working": [{"start": 0, "end": 8}], "repeat": 24}},
        "machines": [{"id": M, "calendar": "day"} for M in ("M1",)],
        "jobs": [
            {"id": "J1", "due": 8, "operations": [{"modes": [{"machine": "M1", "duration": 5}]}]},
            {"id": "J2", "due": 10, "operations": [{"modes": [{"machine": "M1", "duration": 4}]}]},
        ],
        "objective": "total_weighted_tardiness",
    }


GIVEN = {"solution": {"operations": [
    {"job": "J1", "operation": 0, "mode": 0, "machine": "M1", "start": 0, "end": 5},
    {"job": "J2", "operation": 0, "mode": 0, "machine": "M1", "start": 24, "end": 28},
]}}


def test_chain_waits_for_the_shift() -> None:
    (entry,) = why_late(day_shift_doc(), GIVEN)
    assert (entry["job"], entry["lateness"], entry["bottleneck"]) == ("J2", 18, "M1")
    assert entry["chain"][-1]["link"] == "calendar" and entry["chain"][-1]["wait"] == 19
    assert entry["text"] == "M1 (J1, closed 19, J2)"


def test_one_hour_of_overtime_saves_the_lateness() -> None:
    result = overtime_whatif(day_shift_doc(), GIVEN, time_limit=8, threads=1)
    assert result["machine"] == "M1" and result["amount"] == 1  # 1 h in hour units
    assert result["extended_windows"] == [{"start": 0, "end": 8, "new_end": 9}]
    assert result["given_valid_with_overtime"] and result["before"]["valid_with_overtime"]
    before, after = result["before"], result["after"]
    assert before["checked"] and after["checked"]
    assert before["weighted_tardiness"] == 18 and after["weighted_tardiness"] == 0
    assert result["saved"] == 18
    # the schedule with overtime passes the checker of the problem with overtime only
    doc = day_shift_doc()
    assert not optikit.check(doc, {"solution": after["payload"]}).ok


def test_overtime_before_the_opening_the_chain_waited_for() -> None:
    result = overtime_whatif(day_shift_doc(), GIVEN, at="start", time_limit=8, threads=1)
    assert result["extended_windows"] == [{"start": 24, "end": 32, "new_start": 23}]
    assert result["after"]["checked"] and result["after"]["weighted_tardiness"] == 17
    assert result["saved"] == 1
