"""Random three-shift plants over four weeks: staff with skills and contracts, leave, requests,
cover per shift and skill, and the safety rules (a first-aider on every shift, at most three
nights in a row); the EU or Korean preset alternates with the seed.

Sizes: ``tiny`` 6 staff over 1 week on two day shifts (tests), ``small`` 10, ``medium``
50 and ``large`` 200 staff over 4 weeks.  Demand is about 70 % of what the staff can work,
and 60 % of the staff (all full-time) hold first aid, so the hard rules leave room.  Same
(seed, size) -> same document.
"""

from __future__ import annotations

import random
from typing import Any

SIZES: dict[str, tuple[int, int]] = {"tiny": (6, 7), "small": (10, 28), "medium": (50, 28),
                                     "large": (200, 28)}
SKILLS = ("press", "assembly", "forklift")
SHIFTS = (("E", "06:00", "14:00"), ("L", "14:00", "22:00"), ("N", "22:00", "06:00"))
LOAD = 0.7


def generate(seed: int, size: str) -> dict[str, Any]:
    """A reproducible ``rostering`` plant document of the given size."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} for rostering (known: {', '.join(SIZES)})")
    n_staff, days = SIZES[size]
    rng = random.Random(f"rostering-{size}-{seed}")
    contracts = [
        {"id": "full-time", "max_weekly_hours": 48, "max_consecutive_shifts": 5,
         "min_consecutive_shifts": 2, "min_consecutive_days_off": 2,
         "max_weekends": max(2, days * 3 // 28), "min_rest_hours": 11,
         "max_shifts": {"N": max(2, days // 4)}},
        {"id": "part-time", "max_weekly_hours": 24, "max_consecutive_shifts": 3,
         "min_consecutive_days_off": 2, "max_weekends": max(1, days // 14),
         "min_rest_hours": 11, "max_shifts": {"N": days // 7}},
    ]
    if size == "tiny":  # day shifts only
        for contract in contracts:
            del contract["max_shifts"]
    employees: list[dict[str, Any]] = []
    capacity = 0.0
    for i in range(n_staff):
        full = i % 5 != 4
        skills = sorted(rng.sample(SKILLS, rng.randint(1, 2)))
        if i % 5 in (0, 1, 3):  # 60 % of the staff, all full-time
            skills.append("first-aid")
        emp: dict[str, Any] = {"id": f"W{i + 1:03d}", "contract": "full-time" if full
                               else "part-time", "skills": skills}
        capacity += days * (5 if full else 3) / 7
        if rng.random() < 0.3:
            first = rng.randrange(days - 3)
            emp["days_off"] = list(range(first, first + rng.randint(1, 3)))
        requests = []
        for _ in range(rng.randint(0, 3)):
            day = rng.randrange(days)
            if rng.random() < 0.6:
                requests.append({"day": day, "type": "off", "weight": rng.choice((1, 2, 3))})
            else:
                requests.append({"day": day, "shift": rng.choice("EL"), "type": "on",
                                 "weight": rng.choice((1, 2))})
        if requests:
            emp["requests"] = requests
        employees.append(emp)
    per_day = capacity * LOAD / days
    shifts = SHIFTS[:2] if size == "tiny" else SHIFTS
    split = {"E": 0.4, "L": 0.35, "N": 0.25} if size != "tiny" else {"E": 0.55, "L": 0.45}
    cover: list[dict[str, Any]] = []
    for sid, share in split.items():
        need = max(1, round(per_day * share))
        cover.append({"shift": sid, "weekdays": ["monday", "tuesday", "wednesday", "thursday",
                                                "friday"], "requirement": need,
                      "under_weight": 100, "over_weight": 1})
        cover.append({"shift": sid, "weekdays": ["saturday", "sunday"],
                      "requirement": max(1, round(need * 0.6)), "under_weight": 100,
                      "over_weight": 1})
        if sid != "N":
            cover.append({"shift": sid, "skill": "press", "requirement":
                          max(1, round(need * 0.3)), "under_weight": 30, "over_weight": 0})
    return {
        "type": "rostering",
        "name": f"generated-{size}-{seed}",
        "description": f"generated three-shift plant: {n_staff} staff over {days} days",
        "days": days,
        "rules": "eu-wtd" if seed % 2 else "korea-lsa",
        "shifts": [{"id": s, "start": a, "end": b} for s, a, b in shifts],
        "contracts": contracts,
        "employees": employees,
        "cover": cover,
        "safety": [{"rule": "skill_per_shift", "skill": "first-aid", "min": 1},
                   {"rule": "max_consecutive_nights", "max": 3}],
    }
