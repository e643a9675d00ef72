"""The independent checker: every rule broken is listed with employee and day; the penalty."""

from __future__ import annotations

from optikit_rostering.checker import check
from optikit_rostering.model import parse

import optikit
from optikit.types import CheckReport
from tests.rostering.conftest import INSTANCES, plant, rows


def _names(report: CheckReport) -> list[str]:
    return [v.constraint for v in report.violations]


def test_clock_times_give_rest_and_nights_cross_midnight() -> None:
    roster = parse(plant())
    assert roster.shifts[1].minutes == 480 and roster.shifts[1].night
    # N ends 06:00, E starts 06:00 the next day: no rest at all; E -> N leaves 32 h.
    assert (1, 0) in roster.employees[0].forbidden
    assert (0, 1) not in roster.employees[0].forbidden


def test_each_rule_is_reported_with_employee_and_day() -> None:
    roster = parse(plant())
    report = check(roster, rows(
        ("bo", 4, "N"), ("bo", 5, "E"),                       # rest, then a short run
        ("ann", 3, "E"), ("ann", 4, "E"),                     # leave (day 3)
        ("cy", 0, "N"), ("cy", 1, "N"), ("cy", 2, "N"),       # three nights in a row
        ("cy", 5, "E"), ("cy", 6, "E"), ("cy", 12, "E"), ("cy", 13, "E"),  # two weekends
        ("bo", 8, "E"), ("bo", 10, "E"), ("bo", 11, "E"),  # one day on, then one day off
    ))
    names = _names(report)
    for rule in ("rest", "days_off", "max_consecutive_nights", "max_weekends",
                 "min_consecutive_shifts", "min_consecutive_days_off"):
        assert rule in names, (rule, names)
    rest = next(v for v in report.violations if v.constraint == "rest")
    assert "bo" in rest.message and "day 5" in rest.message
    leave = next(v for v in report.violations if v.constraint == "days_off")
    assert "ann" in leave.message and "day 3" in leave.message


def test_runs_touching_the_horizon_edges_are_allowed() -> None:
    roster = parse(plant())
    report = check(roster, rows(("bo", 0, "E"), ("bo", 13, "E")))
    assert "min_consecutive_shifts" not in _names(report)


def test_payload_errors_and_two_shifts_a_day() -> None:
    roster = parse(plant())
    report = check(roster, rows(("bo", 0, "E"), ("bo", 0, "N"), ("zed", 0, "E"),
                                ("bo", 99, "E")))
    names = _names(report)
    assert names.count("payload") == 2 and "one_shift_per_day" in names


def test_penalty_counts_requests_and_cover() -> None:
    roster = parse(plant())
    # ann wants E on day 0 (2) and day 1 off (3); cover E needs 1 (under 10, over 1).
    report = check(roster, rows(("ann", 1, "E"), ("bo", 1, "E"), ("cy", 1, "E")))
    assert report.figures["requests"] == 2 + 3
    assert report.figures["over_cover"] == 2
    assert report.figures["under_cover"] == 13 * 10
    assert report.objective == 5 + 2 + 130


def test_presets_and_safety_rules() -> None:
    doc = plant(rules="korea-lsa", safety=[{"rule": "skill_per_shift", "skill": "first-aid",
                                            "shifts": ["N"]}])
    roster = parse(doc)
    assert roster.employees[1].limits.max_week_minutes == 52 * 60
    week = [("bo", d, "E") for d in range(7)]
    report = check(roster, rows(*week))
    names = _names(report)
    assert "max_weekly_hours" in names and "min_days_off_per_week" in names
    assert names.count("safety") == 14
    eu = parse(plant(rules="eu-wtd"))
    assert eu.employees[1].limits.max_average_week_minutes == 48 * 60


def test_instance1_all_off_roster() -> None:
    roster = optikit.load(INSTANCES / "Instance1.roster").problem
    report = check(roster, {"assignments": []})
    assert _names(report).count("min_total_minutes") == 8
    on_weights = sum(r.weight for r in roster.requests if r.on)
    assert report.objective == on_weights + 100 * sum(c.requirement for c in roster.cover)
