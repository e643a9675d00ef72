"""Shared helpers for the rostering tests: repository copies of the instances, short limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "benchmarks" / "instances" / "rostering"
SAMPLES = ROOT / "problems" / "rostering"


def plant(**changes: Any) -> dict[str, Any]:
    """A two-week, three-employee plant with clock-time shifts (a night crossing midnight)."""
    doc: dict[str, Any] = {
        "type": "rostering",
        "name": "mini",
        "days": 14,
        "shifts": [{"id": "E", "start": "06:00", "end": "14:00"},
                   {"id": "N", "start": "22:00", "end": "06:00"}],
        "contracts": [{"id": "ft", "min_rest_hours": 11, "max_consecutive_shifts": 5,
                       "min_consecutive_shifts": 2, "min_consecutive_days_off": 2,
                       "max_weekends": 1, "max_consecutive_nights": 2}],
        "employees": [
            {"id": "ann", "contract": "ft", "skills": ["first-aid"], "days_off": [3],
             "requests": [{"day": 0, "shift": "E", "type": "on", "weight": 2},
                          {"day": 1, "type": "off", "weight": 3}]},
            {"id": "bo", "contract": "ft"},
            {"id": "cy", "contract": "ft", "skills": ["first-aid"]},
        ],
        "cover": [{"shift": "E", "requirement": 1, "under_weight": 10, "over_weight": 1}],
    }
    doc.update(changes)
    return doc


def rows(*entries: tuple[str, int, str]) -> dict[str, Any]:
    return {"assignments": [{"employee": e, "day": d, "shift": s} for e, d, s in entries]}


def assert_whole_roster(roster: Any, out: Any, relaxation_bound: float | None) -> None:
    """A dive's roster: one row per employee, every per-employee rule held, its value its
    penalty, and not below the relaxation's integral bound."""
    from optikit_rostering.checker import employee_violations
    from optikit_rostering.colgen import integral_bound
    from optikit_rostering.colgen_master import penalty

    assert out is not None and out.roster is not None
    chosen, value = out.roster
    assert [c.employee for c in chosen] == list(range(roster.num_employees))
    for col in chosen:
        assert employee_violations(roster, col.employee, list(col.row)) == []
    assert value == penalty(roster, chosen)
    bound = integral_bound(relaxation_bound)
    assert bound is not None and value >= bound
