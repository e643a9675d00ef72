"""Shift calendars for generated energy-scheduling shops (``--calendars PRESET``).

So that calendars can be benchmarked: machining centres and presses get the preset's
daily shifts (the horizon starts at 06:00, the start of the early shift) as the default
calendar, one of them also a four-hour planned downtime (maintenance) on the last day
from 08:00; ovens keep no calendar (they may run at night, when energy is cheap).  About
30 % of the operations, and any that cannot fit a working window, are interruptible.
Shift times are rounded inwards to the instance's time step (an hourly grid turns a
30-minute break into an hour).  :func:`optikit_energy.generator.generate` scales the work
by the preset's share of working time so that the instance stays about as loaded.
"""

from __future__ import annotations

import math
import random
from typing import Any

DAY = 1440  # minutes
#: Preset -> working windows of one day, in minutes from 06:00.
PRESETS: dict[str, list[tuple[int, int]]] = {
    # 06:00-22:00, 30-minute breaks at 10:00 and 18:00 (the 14:00 handover has none).
    "two-shifts": [(0, 240), (270, 720), (750, 960)],
    "one-shift": [(0, 240), (270, 480)],
    # Around the clock, three 30-minute breaks (10:00, 18:00, 02:00).
    "three-shifts": [(0, 240), (270, 720), (750, 1200), (1230, 1440)],
}
INTERRUPTIBLE_SHARE = 0.3


def working_share(preset: str) -> float:
    """The preset's working time per day as a share of the day."""
    if preset not in PRESETS:
        raise ValueError(f"unknown calendars {preset!r} (known: {', '.join(PRESETS)})")
    return sum(b - a for a, b in PRESETS[preset]) / DAY


def add_calendars(document: dict[str, Any], preset: str, seed: int, step: int,
                  days: int) -> dict[str, Any]:
    """``document`` (a generated shop in ``step``-minute units over ``days`` days) with the
    preset's calendars."""
    working_share(preset)  # validates the name
    rng = random.Random(f"energy-calendars-{preset}-{seed}")
    windows = []
    for a, b in PRESETS[preset]:
        ua, ub = math.ceil(a / step), b // step
        if ub > ua:
            windows.append({"start": ua, "end": ub})
    day = DAY // step
    down_start = (days - 1) * day + 120 // step
    calendar = {"working": windows, "repeat": day}
    document["calendars"] = {
        preset: calendar,
        f"{preset}-maintenance": {**calendar, "downtime": [
            {"start": down_start, "end": down_start + 240 // step, "reason": "maintenance"}]},
    }
    document["calendar"] = preset
    shifted = [m for m in document["machines"] if not m["id"].startswith("O")]
    for m in document["machines"]:
        if m["id"].startswith("O"):
            m["calendar"] = None
    if shifted:
        rng.choice(shifted)["calendar"] = f"{preset}-maintenance"
    longest = max(w["end"] - w["start"] for w in windows)
    on_calendar = {m["id"] for m in shifted}
    for job in document["jobs"]:
        for op in job["operations"]:
            need = max((md["duration"] for md in op["modes"] if md["machine"] in on_calendar),
                       default=0)
            if need > longest or rng.random() < INTERRUPTIBLE_SHARE:
                op["interruptible"] = True
    document["name"] = f"{document['name']}-{preset}"
    document["description"] += f"; {preset} calendars (ovens none), maintenance downtime"
    return document
