"""``benchmarks/rostering/ros_to_roster.py``: the benchmark's XML (``.ros``) becomes the same
instance as the ``.roster`` text, and what the text cannot express is refused."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from optikit_rostering.reader import parse_roster

from tests.rostering.conftest import INSTANCES, ROOT

DATA = Path(__file__).resolve().parent / "data"

#: Two shifts (a late one ending at 23:00 and an early one at 07:00: 8 h of rest, below the
#: 11 h rest time), two contracts per person, a shift outside one person's valid shifts.
TINY = """<?xml version="1.0" encoding="UTF-8"?>
<SchedulingPeriod>
  <StartDate>2024-01-01</StartDate><EndDate>2024-01-14</EndDate>
  <ShiftTypes>
    <Shift ID="E"><StartTime>7:0</StartTime><Duration>480</Duration></Shift>
    <Shift ID="L"><StartTime>15:00</StartTime><Duration>480</Duration></Shift>
  </ShiftTypes>
  <Contracts>
    <Contract ID="All"><MinRestTime>660</MinRestTime></Contract>
    <Contract ID="full">
      <MaxTot value="3" shift="L"/>
      <MaxSeq value="5" shift="$"/><MinSeq value="2" shift="$"/><MinSeq value="2" shift="-"/>
      <Workload><TimeUnits><Max><Count>4800</Count></Max></TimeUnits>
                <TimeUnits><Min><Count>2400</Count></Min></TimeUnits></Workload>
      <Patterns><Match><Max><Count>1</Count></Max>
        <Pattern><StartDay>Saturday</StartDay><Shift>$</Shift><Shift>-</Shift></Pattern>
      </Match></Patterns>
      <ValidShifts shift="E,L,"/>
    </Contract>
    <Contract ID="early">
      <MaxSeq value="4" shift="$"/><MinSeq value="3" shift="-"/>
      <Workload><TimeUnits><Max><Count>2400</Count></Max></TimeUnits>
                <TimeUnits><Min><Count>960</Count></Min></TimeUnits></Workload>
      <Patterns><Match><Max><Count>2</Count></Max></Match></Patterns>
      <ValidShifts shift="E,"/>
    </Contract>
  </Contracts>
  <Employees>
    <Employee ID="ann"><ContractID>All</ContractID><ContractID>full</ContractID></Employee>
    <Employee ID="bo"><ContractID>All</ContractID><ContractID>early</ContractID></Employee>
  </Employees>
  <FixedAssignments>
    <Employee><EmployeeID>bo</EmployeeID><Assign><Shift>-</Shift><Day>3</Day></Assign></Employee>
    <Employee><EmployeeID>bo</EmployeeID><Assign><Shift>-</Shift><Day>9</Day></Assign></Employee>
  </FixedAssignments>
  <ShiftOffRequests>
    <ShiftOff weight="2"><Shift>L</Shift><EmployeeID>ann</EmployeeID><Day>4</Day></ShiftOff>
  </ShiftOffRequests>
  <ShiftOnRequests>
    <ShiftOn weight="3"><Shift>E</Shift><EmployeeID>bo</EmployeeID><Day>0</Day></ShiftOn>
  </ShiftOnRequests>
  <CoverRequirements>
    <DateSpecificCover><Day>0</Day>
      <Cover><Shift>E</Shift><Min weight="100">1</Min><Max weight="1">1</Max></Cover>
      <Cover><Shift>L</Shift><Min weight="50">2</Min><Max weight="5">2</Max></Cover>
    </DateSpecificCover>
  </CoverRequirements>
</SchedulingPeriod>
"""


def _converter() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ros_to_roster", ROOT / "benchmarks" / "rostering" / "ros_to_roster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _data_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_tiny_instance_follows_the_conversion_rules() -> None:
    lines = _data_lines(_converter().convert(TINY, ("made by hand",)))
    assert lines == [
        "SECTION_HORIZON", "14",
        # E after L leaves 1440 + 420 - 1380 = 480 min of rest (< 660); L after E leaves 960
        "SECTION_SHIFTS", "E,480,", "L,480,E",
        "SECTION_STAFF",
        "ann,E=14|L=3,4800,2400,5,2,2,1",  # L capped by MaxTot, E by the horizon
        "bo,E=14|L=0,2400,960,4,1,3,2",  # L not valid -> 0; no MinSeq $ -> 1
        "SECTION_DAYS_OFF", "bo,3,9",
        "SECTION_SHIFT_ON_REQUESTS", "bo,0,E,3",
        "SECTION_SHIFT_OFF_REQUESTS", "ann,4,L,2",
        "SECTION_COVER", "0,E,1,100,1", "0,L,2,50,5",
    ]
    document = parse_roster(_converter().convert(TINY))
    assert [e["id"] for e in document["employees"]] == ["ann", "bo"]


def test_instance1_xml_gives_the_repository_instance() -> None:
    """A transcription of Instance1.ros (Q-Nurse, labels dropped) against the repository's
    Instance1.roster: the same text apart from comments, hence the same parsed instance."""
    converted = _converter().convert((DATA / "Instance1.ros").read_text())
    ours = (INSTANCES / "Instance1.roster").read_text()
    assert _data_lines(converted) == _data_lines(ours)
    assert parse_roster(converted) == parse_roster(ours)


@pytest.mark.parametrize(("old", "new", "named"), [
    ("<Assign><Shift>-</Shift><Day>3</Day>", "<Assign><Shift>E</Shift><Day>3</Day>",
     "Assign/Shift"),
    ('<Max weight="5">2</Max>', '<Max weight="5">3</Max>', "Min and Max differ"),
    ('<ValidShifts shift="E,"/>', '<MaxWeekendDays value="1"/>', "MaxWeekendDays"),
    ("<Day>9</Day>", "<Day>14</Day>", "outside the horizon"),
    ("2024-01-01", "2024-01-02", "not a Monday"),
    ('<MinRestTime>660</MinRestTime>',
     '<MinRestTime>660</MinRestTime></Contract><Contract ID="x"', "not well-formed"),
])
def test_what_the_text_cannot_say_is_refused(old: str, new: str, named: str) -> None:
    converter = _converter()
    assert old in TINY
    with pytest.raises(converter.ConversionError, match=named):
        converter.convert(TINY.replace(old, new, 1))


def test_command_line_error_is_one_line_with_the_file_and_exit_code_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    converter = _converter()
    source = tmp_path / "bad.ros"
    source.write_text(TINY.replace('<Max weight="5">2</Max>', '<Max weight="5">3</Max>'))
    assert converter.main([str(source), "-o", str(tmp_path / "out.roster")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(source) in err and "Cover" in err
    good = tmp_path / "good.ros"
    good.write_text(TINY)
    assert converter.main([str(good), "-o", str(tmp_path / "out.roster"), "--note", "n"]) == 0
    assert (tmp_path / "out.roster").read_text().startswith("# n\nSECTION_HORIZON")


@pytest.mark.parametrize(("name", "staff", "shifts", "on", "off"),
                         [("Instance8", 30, 4, 139, 86), ("Instance9", 36, 4, 144, 88),
                          ("Instance12", 60, 10, 294, 128)])
def test_converted_copies_have_the_benchmark_dimensions(
        name: str, staff: int, shifts: int, on: int, off: int) -> None:
    """The repository's Instances 8, 9 and 12 (converted from the XML): 28 days, the source's
    staff and shift types, two days off each, its counts of on- and off-requests, cover for
    every day and shift."""
    document = parse_roster((INSTANCES / f"{name}.roster").read_text())
    people = document["employees"]
    assert (document["days"], len(document["shifts"]), len(people)) == (28, shifts, staff)
    assert all(len(e["days_off"]) == 2 for e in people)
    kinds = [r["type"] for e in people for r in e["requests"]]
    assert (kinds.count("on"), kinds.count("off")) == (on, off)
    assert len({(c["day"], c["shift"]) for c in document["cover"]}) == 28 * shifts
