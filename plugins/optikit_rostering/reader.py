"""Reader for the ``.roster`` text files of the Employee Shift Scheduling benchmark (Curtois & Qu).

Sections ``SECTION_HORIZON``, ``SECTION_SHIFTS``, ``SECTION_STAFF``, ``SECTION_DAYS_OFF``,
``SECTION_SHIFT_ON_REQUESTS``, ``SECTION_SHIFT_OFF_REQUESTS`` and ``SECTION_COVER``; lines
starting with ``#`` are comments.  The result is an ordinary ``rostering`` document in which
every employee carries the file's limits inline, so the one parser serves both formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optikit.text_formats import read_text_format
from optikit.types import InvalidProblem

SECTIONS = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_DAYS_OFF",
            "SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS", "SECTION_COVER")
_MAX_VALUE = 10_000_000  # the schema's bound on counts, minutes and weights


def _int(token: str, line: int, what: str) -> int:
    token = token.strip()
    if not token.isdigit():
        raise InvalidProblem(f"line {line}", f"{what} {token[:20]!r} is not an integer >= 0")
    if len(token) > 8 or int(token) > _MAX_VALUE:
        raise InvalidProblem(f"line {line}", f"{what} {token[:20]} is above {_MAX_VALUE:,}")
    return int(token)


def _fields(text: str, line: int, count: int, section: str) -> list[str]:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) < count:
        raise InvalidProblem(f"line {line}",
                             f"{section} expects {count} comma-separated fields, got {len(parts)}")
    return parts


def parse_roster(text: str, name: str = "") -> dict[str, Any]:
    """Turn the text of a ``.roster`` file into a ``rostering`` document."""
    body: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise InvalidProblem(f"line {number}", f"unknown section {line!r}")
            current = line
            body.setdefault(current, [])
            continue
        if current is None:
            raise InvalidProblem(f"line {number}", "data before the first SECTION_ header")
        body[current].append((number, line))
    for section in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF"):
        if not body.get(section):
            raise InvalidProblem(section, "missing or empty section")
    h_line, h_text = body["SECTION_HORIZON"][0]
    days = _int(h_text, h_line, "horizon")
    if not 1 <= days <= 3660:
        raise InvalidProblem(f"line {h_line}", f"horizon {days} is not in 1..3660 days")

    shifts: list[dict[str, Any]] = []
    shift_ids: set[str] = set()
    for number, line in body["SECTION_SHIFTS"]:
        sid, minutes, *rest = _fields(line, number, 2, "SECTION_SHIFTS")
        if not sid or sid in shift_ids:
            raise InvalidProblem(f"line {number}", f"missing or duplicate shift id {sid!r}")
        shift_ids.add(sid)
        follow = [u for u in (rest[0].split("|") if rest else []) if u]
        shifts.append({"id": sid, "minutes": _int(minutes, number, "shift length"),
                       "not_followed_by": follow})
    for (number, _line), shift in zip(body["SECTION_SHIFTS"], shifts, strict=True):
        for u in shift["not_followed_by"]:
            if u not in shift_ids:
                raise InvalidProblem(f"line {number}", f"unknown shift {u!r}")

    employees: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for number, line in body["SECTION_STAFF"]:
        parts = _fields(line, number, 8, "SECTION_STAFF")
        eid = parts[0]
        if not eid or eid in by_id:
            raise InvalidProblem(f"line {number}", f"missing or duplicate employee id {eid!r}")
        max_shifts: dict[str, int] = {}
        for item in (p for p in parts[1].split("|") if p):
            sid, _sep, n = item.partition("=")
            if sid not in shift_ids:
                raise InvalidProblem(f"line {number}", f"unknown shift {sid!r} in MaxShifts")
            max_shifts[sid] = _int(n, number, "MaxShifts")
        keys = ("max_total_minutes", "min_total_minutes", "max_consecutive_shifts",
                "min_consecutive_shifts", "min_consecutive_days_off", "max_weekends")
        employee: dict[str, Any] = {"id": eid, "max_shifts": max_shifts}
        for key, token in zip(keys, parts[2:8], strict=True):
            employee[key] = _int(token, number, key)
        employee["days_off"] = []
        employee["requests"] = []
        by_id[eid] = employee
        employees.append(employee)

    def who(eid: str, number: int) -> dict[str, Any]:
        if eid not in by_id:
            raise InvalidProblem(f"line {number}", f"unknown employee {eid!r}")
        return by_id[eid]

    def day_of(token: str, number: int) -> int:
        d = _int(token, number, "day")
        if not 0 <= d < days:
            raise InvalidProblem(f"line {number}", f"day {d} is outside 0..{days - 1}")
        return d

    for number, line in body.get("SECTION_DAYS_OFF", []):
        eid, *rest = [p.strip() for p in line.split(",")]
        who(eid, number)["days_off"].extend(day_of(t, number) for t in rest if t)
    for section, kind in (("SECTION_SHIFT_ON_REQUESTS", "on"),
                          ("SECTION_SHIFT_OFF_REQUESTS", "off")):
        for number, line in body.get(section, []):
            eid, d, sid, w = _fields(line, number, 4, section)[:4]
            if sid not in shift_ids:
                raise InvalidProblem(f"line {number}", f"unknown shift {sid!r}")
            who(eid, number)["requests"].append(
                {"day": day_of(d, number), "shift": sid, "type": kind,
                 "weight": _int(w, number, "weight")})
    cover: list[dict[str, Any]] = []
    for number, line in body.get("SECTION_COVER", []):
        d, sid, req, under, over = _fields(line, number, 5, "SECTION_COVER")[:5]
        if sid not in shift_ids:
            raise InvalidProblem(f"line {number}", f"unknown shift {sid!r}")
        cover.append({"day": day_of(d, number), "shift": sid,
                      "requirement": _int(req, number, "requirement"),
                      "under_weight": _int(under, number, "under weight"),
                      "over_weight": _int(over, number, "over weight")})
    document: dict[str, Any] = {"type": "rostering"}
    if name:
        document["name"] = name
    document.update(days=days, shifts=shifts, employees=employees, cover=cover)
    return document


def read_roster(path: Path) -> dict[str, Any]:
    """Read a ``.roster`` file (the registered reader's entry point)."""
    return read_text_format(path, parse_roster)
