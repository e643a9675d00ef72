"""The ``.roster`` reader: the benchmark's sections, and one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from optikit_rostering.model import Roster
from optikit_rostering.reader import parse_roster

import optikit
from optikit.types import InputError
from tests.rostering.conftest import INSTANCES


def test_instance1_reads_as_published() -> None:
    roster = optikit.load(INSTANCES / "Instance1.roster").problem
    assert isinstance(roster, Roster)
    assert (roster.days, roster.num_employees, roster.num_shifts) == (14, 8, 1)
    a = roster.employees[0]
    assert a.days_off == frozenset({0})
    assert a.limits.max_minutes == 4320 and a.limits.min_minutes == 3360
    assert (a.limits.max_consecutive, a.limits.min_consecutive, a.limits.min_days_off_run,
            a.limits.max_weekends) == (5, 2, 2, 1)
    assert len(roster.requests) == 21 + 5
    assert roster.cover[0].requirement == 5 and roster.cover[0].under_weight == 100


def test_instance3_cannot_follow_pairs() -> None:
    roster = optikit.load(INSTANCES / "Instance3.roster").problem
    ids = [s.id for s in roster.shifts]
    pairs = {(ids[s], ids[u]) for s, u in roster.employees[0].forbidden}
    assert pairs  # three shifts with rotation rules
    text = (INSTANCES / "Instance3.roster").read_text()
    line = next(x for x in text.splitlines() if x.startswith(ids[-1] + ","))
    for u in filter(None, line.split(",")[2].split("|")):
        assert (ids[-1], u) in pairs


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("SECTION_HORIZON\nx\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,D=7,9,0,5,1,1,1\n",
         "line 2"),
        ("SECTION_HORIZON\n7\nSECTION_FOO\n", "line 3"),
        ("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,D=7,1,0,5\n", "line 6"),
        ("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,Q\nSECTION_STAFF\nA,D=7,9,0,5,1,1,1\n",
         "line 4"),
        ("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,D=7,9,0,5,1,1,1\n"
         "SECTION_DAYS_OFF\nB,1\n", "line 8"),
        ("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,D=7,9,0,5,1,1,1\n"
         "SECTION_COVER\n9,D,1,1,1\n", "line 8"),
        ("SECTION_HORIZON\n7\n", "SECTION_SHIFTS"),
    ],
)
def test_bad_files_name_the_line(text: str, where: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.roster"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        optikit.load(path)
    assert where in str(info.value) and "bad.roster" in str(info.value)
    assert "\n" not in str(info.value)


def test_comments_and_blank_lines_are_skipped() -> None:
    doc = parse_roster("# c\nSECTION_HORIZON\n# x\n7\n\nSECTION_SHIFTS\nD,480,\n"
                       "SECTION_STAFF\nA,D=7,4000,0,5,1,1,1\n")
    assert doc["days"] == 7 and doc["employees"][0]["id"] == "A"
