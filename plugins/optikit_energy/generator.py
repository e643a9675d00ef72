"""Seeded random energy-scheduling instances (``optikit generate energy-scheduling``).

Sizes:

- ``tiny``: 3 jobs x 2 operations, 2 machines, one day in hourly units (24).
- ``small``: 5 jobs x 3 operations, 3 machines, one day in 30-minute units (48).
- ``medium``: 10 jobs x 4 operations, 5 machines, one day in 10-minute units (144).
- ``large``: 25 jobs x 4-6 operations (about 120), 8 machines, two days in 1-minute units
  (2,880).

Design choices (not data from a real plant, documented so results can be interpreted):

- The horizon starts at 06:00, the start of a working day, so that the energy-unaware
  plan (everything as early as possible) runs in the expensive day-time periods.
- A three-band time-of-use tariff (off-peak 22:00-08:00, peak 11:00-12:00 and
  13:00-18:00, mid otherwise) with illustrative prices 0.09 / 0.14 / 0.20 per kWh, and
  carbon intensities 0.36 / 0.42 / 0.47 kg/kWh.
- Machines of three kinds: machining centres (idle 2-5 kW, always on within their span),
  ovens (idle 12-25 kW, 15-40 kWh to switch on, may be switched off), presses (idle
  4-8 kW, 4-10 kWh to switch on).
- Each operation has one or two eligible machines and on each a ``normal`` mode plus a
  ``slow`` (x1.35 time, x0.6 power: less energy) or ``fast`` (x0.75 time, x1.4 power) one.
- Peak cap: 55 % of the sum of the machines' largest powers (never below the largest
  single mode, so every operation can run).
- Objective: energy cost plus carbon at 0.05 per kg, and a small makespan weight so ties
  prefer earlier finishes.
"""

from __future__ import annotations

import random
from typing import Any

SIZES: dict[str, dict[str, Any]] = {
    "tiny": {"jobs": 3, "ops": (2, 2), "machines": 2, "days": 1, "step": 60},
    "small": {"jobs": 5, "ops": (3, 3), "machines": 3, "days": 1, "step": 30},
    "medium": {"jobs": 10, "ops": (4, 4), "machines": 5, "days": 1, "step": 10},
    "large": {"jobs": 25, "ops": (4, 6), "machines": 8, "days": 2, "step": 1},
}

# (start hour, end hour, band) over a day that starts at 06:00 (hours 6..30).
_BANDS = {"off-peak": (0.09, 0.36), "mid": (0.14, 0.42), "peak": (0.20, 0.47)}
_DAY = [(6, 8, "off-peak"), (8, 11, "mid"), (11, 12, "peak"), (12, 13, "mid"),
        (13, 18, "peak"), (18, 22, "mid"), (22, 30, "off-peak")]


def tariff(days: int, step: int) -> list[dict[str, Any]]:
    """The three-band tariff over ``days`` days from 06:00, in units of ``step`` minutes."""
    per_hour = 60 // step
    periods: list[dict[str, Any]] = []
    for day in range(days):
        for a, b, band in _DAY:
            start = (day * 24 + a - 6) * per_hour
            end = (day * 24 + b - 6) * per_hour
            price, carbon = _BANDS[band]
            if periods and periods[-1]["name"] == band:
                periods[-1]["end"] = end
                continue
            periods.append(
                {"start": start, "end": end, "price": price, "carbon": carbon, "name": band}
            )
    return periods


def _machines(rng: random.Random, count: int) -> list[dict[str, Any]]:
    kinds = ["machining", "oven", "press"]
    out = []
    for i in range(count):
        kind = kinds[i % 3]
        m: dict[str, Any] = {"id": f"{kind[0].upper()}{i + 1}", "name": f"{kind} {i + 1}"}
        if kind == "machining":
            m["idle_power"] = rng.randint(2, 5)
        elif kind == "oven":
            m["idle_power"] = rng.randint(12, 25)
            m["startup_energy"] = rng.randint(15, 40)
        else:
            m["idle_power"] = rng.randint(4, 8)
            m["startup_energy"] = rng.randint(4, 10)
        m["_kind"] = kind
        out.append(m)
    return out


def generate(seed: int, size: str = "small", calendars: str | None = None) -> dict[str, Any]:
    """A reproducible instance (``calendars``: a shift preset of
    :mod:`optikit_energy.generator_calendars`, which also scales the work to it)."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; use one of {', '.join(SIZES)}")
    share = 1.0
    if calendars is not None:
        from optikit_energy.generator_calendars import working_share

        share = working_share(calendars)
    spec = SIZES[size]
    rng = random.Random(f"energy-scheduling/{size}/{seed}")
    step = spec["step"]
    horizon = spec["days"] * 24 * 60 // step
    machines = _machines(rng, spec["machines"])
    base_power = {"machining": (15, 40), "oven": (30, 60), "press": (20, 45)}
    # Work per job in minutes, sized so the machines are busy about 40% of the horizon.
    n_jobs = spec["jobs"]
    lo_ops, hi_ops = spec["ops"]
    total_minutes = spec["days"] * 24 * 60 * len(machines) * 0.4 * share
    mean_op = total_minutes / (n_jobs * (lo_ops + hi_ops) / 2)
    jobs: list[dict[str, Any]] = []
    for j in range(n_jobs):
        ops: list[dict[str, Any]] = []
        for _ in range(rng.randint(lo_ops, hi_ops)):
            eligible = rng.sample(machines, k=min(len(machines), rng.choice((1, 2, 2))))
            minutes = rng.uniform(0.5, 1.5) * mean_op
            modes = []
            for m in eligible:
                plo, phi = base_power[m["_kind"]]
                power = rng.randint(plo, phi) + m["idle_power"]
                d = max(1, round(minutes * rng.uniform(0.85, 1.15) / step))
                modes.append({"machine": m["id"], "duration": d, "power": power, "name": "normal"})
                if rng.random() < 0.5:
                    modes.append({"machine": m["id"], "duration": max(1, round(d * 1.35)),
                                  "power": max(m["idle_power"], round(power * 0.6, 1)),
                                  "name": "slow"})
                else:
                    modes.append({"machine": m["id"], "duration": max(1, round(d * 0.75)),
                                  "power": round(power * 1.4, 1), "name": "fast"})
            ops.append({"modes": modes})
        jobs.append({"id": f"J{j + 1}", "operations": ops})
    biggest = {m["id"]: 0.0 for m in machines}
    largest_mode = 0.0
    for job in jobs:
        for op in job["operations"]:
            for md in op["modes"]:
                biggest[md["machine"]] = max(biggest[md["machine"]], md["power"])
                largest_mode = max(largest_mode, md["power"])
    peak = max(largest_mode, round(0.55 * sum(biggest.values())))
    for m in machines:
        del m["_kind"]
    document = {
        "type": "energy-scheduling",
        "name": f"energy-{size}-{seed}",
        "description": f"generated (seed {seed}, size {size}): {n_jobs} jobs, "
        f"{len(machines)} machines, {spec['days']} day(s) from 06:00 in {step}-minute units",
        "time_step": step,
        "horizon": horizon,
        "tariff": tariff(spec["days"], step),
        "peak_power": peak,
        "machines": machines,
        "jobs": jobs,
        "objective": {"energy_cost": 1, "carbon": 0.05, "makespan": 0.001},
    }
    if calendars is not None:
        from optikit_energy.generator_calendars import add_calendars

        add_calendars(document, calendars, seed, step, spec["days"])
    return document
