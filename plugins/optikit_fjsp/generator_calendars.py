"""Working-time calendars for generated fjsp shops (``optikit generate fjsp --calendars``).

So that calendars can be benchmarked at scale: the generated shop gets a clock (minutes
from Monday 06:00), a shift pattern as the default calendar of every machine, a weekend
off, and a share of interruptible operations (they may pause over a break).  Releases
and due dates, drawn by the generator in working time, are stretched by the ratio of
calendar time to working time so that the due-date tightness stays about the same.
"""

from __future__ import annotations

import random
from typing import Any

DAY = 1440  # minutes
#: Preset -> working windows of one day, in minutes from 06:00.
PRESETS: dict[str, list[tuple[int, int]]] = {
    # 06:00-14:00 and 14:00-22:00, a 30-minute break in each shift.
    "two-shifts": [(0, 240), (270, 480), (480, 720), (750, 960)],
    "one-shift": [(0, 240), (270, 480)],
    # Around the clock with three 30-minute breaks (shift handovers).
    "three-shifts": [(0, 450), (480, 930), (960, 1410)],
}
INTERRUPTIBLE_SHARE = 0.3
WEEK = 7 * DAY


def add_calendars(document: dict[str, Any], preset: str, seed: int) -> dict[str, Any]:
    """``document`` (a generated fjsp shop) with the ``preset`` shift calendar."""
    if preset not in PRESETS:
        raise ValueError(f"unknown calendars {preset!r} (known: {', '.join(PRESETS)})")
    rng = random.Random(f"fjsp-calendars-{preset}-{seed}")
    working = PRESETS[preset]
    per_day = sum(b - a for a, b in working)
    stretch = DAY / per_day * 7 / 5  # five working days a week
    weekends = [
        {"start": week * WEEK + 5 * DAY - 360, "end": (week + 1) * WEEK - 360,
         "reason": "weekend"}
        for week in range(8)
    ]
    document["start"] = "2026-12-07T06:00:00"
    document["time_unit"] = "minute"
    document["calendars"] = {preset: {
        "working": [{"start": a, "end": b} for a, b in working],
        "repeat": DAY,
        "downtime": weekends,
    }}
    document["calendar"] = preset
    longest = max(b - a for a, b in working)
    for job in document["jobs"]:
        for op in job["operations"]:
            if max(m["duration"] for m in op["modes"]) > longest or (
                    rng.random() < INTERRUPTIBLE_SHARE):
                op["interruptible"] = True
        if "release" in job:
            job["release"] = round(job["release"] * stretch)
        job["due"] = round(job["due"] * stretch)
    document["name"] = f"{document['name']}-{preset}"
    document["description"] += f"; {preset} calendar, weekends off, from Monday 06:00"
    return document
