"""Convert a Curtois & Qu ``.ros`` XML instance to the ``.roster`` text format optikit reads.

    .venv/bin/python benchmarks/rostering/ros_to_roster.py Instance8.ros -o Instance8.roster \
        --note "source: ..."

For users who hold the benchmark's XML files (``instances1_24/InstanceN.ros``).  The rules are
those of ``../shared/instances/rostering/README.md`` ("Conversion rules"): horizon = EndDate -
StartDate + 1 days; shift u cannot follow s when the rest between them, 1440 + start(u) -
(start(s) + length(s)) minutes, is below the contracts' ``MinRestTime``; MaxShifts of a shift =
its ``MaxTot``, 0 when the shift is not in ``ValidShifts``, else the horizon; ``MaxSeq $`` /
``MinSeq $`` / ``MinSeq -`` -> max / min consecutive shifts / min consecutive days off (a
missing ``MinSeq`` is 1); ``Workload`` max / min minutes; the weekend pattern's max count ->
MaxWeekends; fixed assignments to ``-`` -> days off; cover ``Min`` = ``Max`` -> requirement
with the two weights.  Anything the text format cannot express (a fixed working shift, a
cover whose Min and Max differ, a contract element not listed above, a second rest time) is
refused with a one-line error naming the file and the element, exit code 2: silently dropping
it would change the instance.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

MINUTES_PER_DAY = 1440
#: Contract elements the conversion understands; anything else is refused.
CONTRACT_ELEMENTS = {"MinRestTime", "MaxTot", "MaxSeq", "MinSeq", "Workload", "Patterns",
                     "ValidShifts"}
TOP_ELEMENTS = {"StartDate", "EndDate", "ShiftTypes", "Contracts", "Employees",
                "FixedAssignments", "ShiftOffRequests", "ShiftOnRequests", "CoverRequirements"}


class ConversionError(ValueError):
    """The XML holds something the ``.roster`` format cannot say (or is malformed)."""


@dataclass
class Shift:
    id: str
    start: int  # minutes after midnight
    minutes: int


@dataclass
class Staff:
    """One employee's limits, gathered over all the contracts the employee holds."""

    id: str
    max_tot: dict[str, int] = field(default_factory=dict)
    valid: list[str] | None = None
    max_seq: int | None = None
    min_seq: int = 1
    min_days_off: int = 1
    max_minutes: int | None = None
    min_minutes: int = 0
    max_weekends: int | None = None


def _text(parent: ET.Element, path: str, where: str) -> str:
    node = parent.find(path)
    if node is None or node.text is None or not node.text.strip():
        raise ConversionError(f"{where}: missing {path}")
    return node.text.strip()


def _number(token: str | None, where: str) -> int:
    if token is None or not token.strip().isdigit():
        raise ConversionError(f"{where}: {token!r} is not an integer >= 0")
    return int(token.strip())


def _clock(token: str, where: str) -> int:
    hours, _, minutes = token.partition(":")
    return _number(hours, where) * 60 + _number(minutes or "0", where)


def _date(parent: ET.Element, path: str, where: str) -> date:
    token = _text(parent, path, where)
    try:
        return date.fromisoformat(token)
    except ValueError:
        raise ConversionError(f"{where}/{path}: {token!r} is not a date YYYY-MM-DD") from None


def _day(node: ET.Element, start: date, days: int, where: str) -> int:
    """A ``Day`` index, or a ``Date`` counted from the start date, inside the horizon."""
    if node.find("Day") is not None:
        day = _number(node.findtext("Day"), f"{where}/Day")
    else:
        day = (_date(node, "Date", where) - start).days
    if not 0 <= day < days:
        raise ConversionError(f"{where}: day {day} is outside the horizon 0..{days - 1}")
    return day


def _shifts(root: ET.Element) -> list[Shift]:
    shifts = []
    for node in root.iterfind("ShiftTypes/Shift"):
        sid = node.get("ID") or ""
        where = f"ShiftTypes/Shift[{sid}]"
        if not sid:
            raise ConversionError(f"{where}: missing ID")
        shifts.append(Shift(sid, _clock(_text(node, "StartTime", where), f"{where}/StartTime"),
                            _number(node.findtext("Duration"), f"{where}/Duration")))
    if not shifts:
        raise ConversionError("ShiftTypes: no Shift")
    return shifts


def _apply(staff: Staff, contract: ET.Element, rests: set[int]) -> None:
    """Fold one contract's elements into ``staff`` (refusing what the format cannot hold)."""
    where = f"Contract[{contract.get('ID')}]"
    for item in contract:
        tag, shift = item.tag, item.get("shift")
        if tag not in CONTRACT_ELEMENTS:
            raise ConversionError(f"{where}/{tag}: not expressible in the .roster format")
        if tag == "MinRestTime":
            rests.add(_number(item.text, f"{where}/MinRestTime"))
        elif tag == "MaxTot":
            staff.max_tot[shift or ""] = _number(item.get("value"), f"{where}/MaxTot")
        elif tag == "ValidShifts":
            staff.valid = [s for s in (shift or "").split(",") if s]
        elif tag in ("MaxSeq", "MinSeq") and shift in ("$", "-"):
            value = _number(item.get("value"), f"{where}/{tag}")
            if tag == "MaxSeq" and shift == "$":
                staff.max_seq = value
            elif tag == "MinSeq" and shift == "$":
                staff.min_seq = value
            elif tag == "MinSeq":
                staff.min_days_off = value
            else:
                raise ConversionError(f"{where}/MaxSeq shift='-': not expressible")
        elif tag == "Workload":
            for limit in item.iterfind("TimeUnits/*"):
                count = _number(limit.findtext("Count"), f"{where}/Workload/{limit.tag}")
                if limit.tag == "Max":
                    staff.max_minutes = count
                elif limit.tag == "Min":
                    staff.min_minutes = count
        elif tag == "Patterns":
            _weekends(staff, item, where)
        else:
            raise ConversionError(f"{where}/{tag} shift={shift!r}: not expressible")


def _weekends(staff: Staff, patterns: ET.Element, where: str) -> None:
    """The weekend rule: a max count over patterns that start on Saturday and span two days."""
    for match in patterns.iterfind("Match"):
        for pattern in match.iterfind("Pattern"):
            if pattern.findtext("StartDay") != "Saturday" or len(pattern.findall("Shift")) != 2:
                raise ConversionError(f"{where}/Patterns: only the Saturday-Sunday weekend "
                                      "pattern is expressible")
        if match.find("Min") is not None:
            raise ConversionError(f"{where}/Patterns/Match/Min: not expressible")
        staff.max_weekends = _number(match.findtext("Max/Count"), f"{where}/Patterns/Max/Count")


def convert(xml_text: str, notes: tuple[str, ...] = ()) -> str:
    """The ``.roster`` text of one ``.ros`` document; ``notes`` become leading comments."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise ConversionError(f"not well-formed XML ({exc})") from None
    for child in root:
        if child.tag not in TOP_ELEMENTS:
            raise ConversionError(f"{child.tag}: not expressible in the .roster format")
    start = _date(root, "StartDate", "SchedulingPeriod")
    if start.weekday() != 0:
        raise ConversionError(f"StartDate: {start} is not a Monday (day 0 must be a Monday)")
    days = (_date(root, "EndDate", "SchedulingPeriod") - start).days + 1
    if days < 1:
        raise ConversionError("EndDate: before StartDate")
    shifts = _shifts(root)
    shift_ids = [s.id for s in shifts]
    contracts = {c.get("ID"): c for c in root.iterfind("Contracts/Contract")}
    staff: list[Staff] = []
    rests: set[int] = set()
    for node in root.iterfind("Employees/Employee"):
        member = Staff(node.get("ID") or "")
        for ref in node.iterfind("ContractID"):
            if ref.text not in contracts:
                raise ConversionError(f"Employee[{member.id}]/ContractID: unknown {ref.text!r}")
            _apply(member, contracts[ref.text], rests)
        staff.append(member)
    if len(rests) > 1:
        raise ConversionError(f"Contracts/MinRestTime: several values {sorted(rests)}, the "
                              ".roster format has one shift succession for everyone")
    rest = rests.pop() if rests else 0
    known = {p.id for p in staff}

    def employee_of(node: ET.Element, where: str) -> str:
        eid = _text(node, "EmployeeID", where)
        if eid not in known:
            raise ConversionError(f"{where}/EmployeeID: unknown employee {eid!r}")
        return eid

    def shift_of(node: ET.Element, where: str, allow_off: bool = False) -> str:
        sid = _text(node, "Shift", where)
        if sid not in shift_ids and not (allow_off and sid == "-"):
            raise ConversionError(f"{where}/Shift: unknown shift {sid!r}")
        return sid

    lines = [f"# {note}" for note in notes]
    lines += ["SECTION_HORIZON", "# days (day 0 is a Monday)", str(days), "",
              "SECTION_SHIFTS", "# id, minutes, shifts that may not follow it (|-separated)"]
    for s in shifts:
        barred = [u.id for u in shifts
                  if MINUTES_PER_DAY + u.start - (s.start + s.minutes) < rest]
        lines.append(f"{s.id},{s.minutes},{'|'.join(barred)}")
    lines += ["", "SECTION_STAFF", "# id, MaxShifts, MaxTotalMinutes, MinTotalMinutes, "
              "MaxConsecutiveShifts, MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends"]
    longest = max(s.minutes for s in shifts)
    for p in staff:
        if unknown := sorted(set(p.max_tot) - set(shift_ids)):
            raise ConversionError(f"Employee[{p.id}] MaxTot: unknown shift {unknown[0]!r}")
        valid = shift_ids if p.valid is None else p.valid
        caps = "|".join(f"{sid}={p.max_tot.get(sid, days) if sid in valid else 0}"
                        for sid in shift_ids)
        limits = (p.max_minutes if p.max_minutes is not None else days * longest,
                  p.min_minutes, p.max_seq if p.max_seq is not None else days, p.min_seq,
                  p.min_days_off, p.max_weekends if p.max_weekends is not None else days // 7)
        lines.append(f"{p.id},{caps}," + ",".join(str(v) for v in limits))

    off: dict[str, list[int]] = {}
    for node in root.iterfind("FixedAssignments/Employee"):
        eid = employee_of(node, "FixedAssignments/Employee")
        for assign in node.iterfind("Assign"):
            where = f"FixedAssignments/Employee[{eid}]/Assign"
            if shift_of(assign, where, allow_off=True) != "-":
                raise ConversionError(f"{where}/Shift: a fixed working shift is not "
                                      "expressible (only days off)")
            off.setdefault(eid, []).append(_day(assign, start, days, where))
    lines += ["", "SECTION_DAYS_OFF", "# employee, days off"]
    lines += [f"{p.id}," + ",".join(str(d) for d in off[p.id]) for p in staff if p.id in off]

    for section, path in (("SECTION_SHIFT_ON_REQUESTS", "ShiftOnRequests/ShiftOn"),
                          ("SECTION_SHIFT_OFF_REQUESTS", "ShiftOffRequests/ShiftOff")):
        lines += ["", section, "# employee, day, shift, weight"]
        for node in root.iterfind(path):
            eid = employee_of(node, path)
            where = f"{path}[{eid}]"
            lines.append(f"{eid},{_day(node, start, days, where)},{shift_of(node, where)},"
                         f"{_number(node.get('weight'), where + '/@weight')}")

    lines += ["", "SECTION_COVER", "# day, shift, requirement, under weight, over weight"]
    for block in root.iterfind("CoverRequirements/*"):
        if block.tag != "DateSpecificCover":
            raise ConversionError(f"CoverRequirements/{block.tag}: not expressible")
        day = _day(block, start, days, "DateSpecificCover")
        for cover in block.iterfind("Cover"):
            where = f"DateSpecificCover[{day}]/Cover"
            sid = shift_of(cover, where)
            low, high = cover.find("Min"), cover.find("Max")
            need = {_number(n.text, f"{where}/{n.tag}") for n in (low, high) if n is not None}
            if len(need) != 1:
                raise ConversionError(f"{where}[{sid}]: Min and Max differ (or both missing)")
            under = 0 if low is None else _number(low.get("weight"), f"{where}/Min/@weight")
            over = 0 if high is None else _number(high.get("weight"), f"{where}/Max/@weight")
            lines.append(f"{day},{sid},{need.pop()},{under},{over}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the .ros XML file")
    parser.add_argument("-o", "--output", type=Path, help="the .roster file (default: stdout)")
    parser.add_argument("--note", action="append", default=[],
                        help="a comment line for the top of the output (repeatable)")
    args = parser.parse_args(argv)
    try:
        text = convert(args.source.read_text(encoding="utf-8"), tuple(args.note))
    except (ConversionError, OSError) as exc:
        print(f"error: {args.source}: {exc}", file=sys.stderr)
        return 2
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
