"""Calendar variants of Brandimarte instances, for benchmarks/fjsp-calendars.yaml.

Each machine works two shifts a day, [0, 8) and [9, 16) of every 24 time units (a break
and a night off), one machine has a planned downtime [30, 40), and every other
operation (and every one longer than a shift) may pause over breaks.  Deterministic:

    .venv/bin/python benchmarks/calendars/make_instances.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

from optikit import api

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "instances" / "fjsp" / "brandimarte"
TARGET = HERE.parent / "instances" / "fjsp-calendars"
NAMES = ("mk01", "mk02", "mk03")


def variant(name: str) -> dict:
    doc = dict(api.load(SOURCE / f"{name}.fjs").document)
    doc["name"] = f"{name}-shifts"
    doc["calendars"] = {
        "two-shifts": {"working": [{"start": 0, "end": 8}, {"start": 9, "end": 16}],
                       "repeat": 24},
        "serviced": {"working": [{"start": 0, "end": 8}, {"start": 9, "end": 16}],
                     "repeat": 24, "downtime": [{"start": 30, "end": 40,
                                                 "reason": "planned service"}]},
    }
    doc["calendar"] = "two-shifts"
    doc["machines"] = [dict(m) for m in doc["machines"]]
    doc["machines"][0]["calendar"] = "serviced"
    n = 0
    for job in doc["jobs"]:
        for op in job["operations"]:
            if n % 2 == 1 or max(m["duration"] for m in op["modes"]) > 8:
                op["interruptible"] = True
            n += 1
    return doc


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        path = TARGET / f"{name}-shifts.yaml"
        header = f"# {name} (Brandimarte 1993) on two-shift calendars; see {Path(__file__).name}\n"
        path.write_text(header + yaml.safe_dump(variant(name), sort_keys=False))
        print("wrote", path)


if __name__ == "__main__":
    main()
