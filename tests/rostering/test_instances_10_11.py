"""The repository's Instances 10 and 11 (converted from the benchmark XML) keep the source's
shape: a truncated or hand-edited copy would change a count asserted here."""

from __future__ import annotations

import pytest
from optikit_rostering.reader import parse_roster

from tests.rostering.conftest import INSTANCES


@pytest.mark.parametrize(("name", "shifts", "staff", "on", "off"), [
    ("Instance10", ["E", "d1", "d2", "L", "N"], 40, 210, 74),
    ("Instance11", ["a1", "a2", "d1", "d2", "p1", "p2"], 50, 197, 139),
])
def test_counts_match_the_source(name: str, shifts: list[str], staff: int, on: int,
                                 off: int) -> None:
    """28 days, the source's shift types in order, two fixed days off each, the source's
    counts of on- and off-requests and one cover entry per day and shift."""
    document = parse_roster((INSTANCES / f"{name}.roster").read_text())
    people = document["employees"]
    assert document["days"] == 28
    assert [s["id"] for s in document["shifts"]] == shifts
    assert len(people) == staff
    assert all(len(e["days_off"]) == 2 for e in people)
    kinds = [r["type"] for e in people for r in e["requests"]]
    assert (kinds.count("on"), kinds.count("off")) == (on, off)
    assert sorted((c["day"], c["shift"]) for c in document["cover"]) == sorted(
        (day, s) for day in range(28) for s in shifts)


def test_instance10_keeps_its_long_night_and_shift_caps() -> None:
    """N lasts 600 minutes and bars every day shift the next morning (840-minute rest); the
    d2 and N caps of the contracts (9 or 8, and 5) survive the conversion."""
    document = parse_roster((INSTANCES / "Instance10.roster").read_text())
    night = next(s for s in document["shifts"] if s["id"] == "N")
    assert night["minutes"] == 600
    assert sorted(night["not_followed_by"]) == ["E", "L", "d1", "d2"]
    caps = {e["id"]: e["max_shifts"] for e in document["employees"]}
    assert caps["L"] == {"E": 28, "d1": 28, "d2": 9, "L": 28, "N": 5}
    assert caps["AN"] == {"E": 28, "d1": 28, "d2": 8, "L": 28, "N": 5}
    assert caps["AG"] == {"E": 28, "d1": 0, "d2": 0, "L": 0, "N": 0}


def test_instance11_last_ten_staff_have_the_longer_rhythm() -> None:
    """Staff AO..AX work up to 6 days in a row and rest at least 3; the other 40 keep 5 and 2."""
    people = parse_roster((INSTANCES / "Instance11.roster").read_text())["employees"]
    rhythm = {(e["max_consecutive_shifts"], e["min_consecutive_days_off"]) for e in people[40:]}
    assert [e["id"] for e in people[40:]] == ["AO", "AP", "AQ", "AR", "AS", "AT", "AU", "AV",
                                             "AW", "AX"]
    assert rhythm == {(6, 3)}
    assert {(e["max_consecutive_shifts"], e["min_consecutive_days_off"])
            for e in people[:40]} == {(5, 2)}
