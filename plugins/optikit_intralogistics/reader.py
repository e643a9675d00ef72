"""Reader for Li & Lim pickup-and-delivery ``.pdptw`` files.

Line 1 is ``vehicles capacity speed`` (the speed is not used); then one line per location
``id x y demand earliest latest service pickup delivery``, location 0 the depot.  A pickup
names its delivery, a delivery its pickup.  Travel time = distance = Euclidean, unrounded.
The result is an ordinary document: locations by file id, one order per pair (id = the
pickup's location id), vehicles ``V1..Vn`` at the depot with shift ``[0, depot latest]``,
and the literature's lexicographic objective (vehicles, then distance).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from optikit.types import InvalidProblem

_MAX_LINES = 20000


def _numbers(line: str, line_no: int, count: int) -> list[float]:
    tokens = line.split()
    if len(tokens) < count:
        raise InvalidProblem(f"line {line_no}", f"expected {count} numbers, found {len(tokens)}")
    out = []
    for tok in tokens[:count]:
        try:
            value = float(tok) if len(tok) <= 30 else math.nan
        except ValueError:
            raise InvalidProblem(f"line {line_no}", f"{tok!r} is not a number") from None
        if not math.isfinite(value):
            raise InvalidProblem(f"line {line_no}", f"{tok[:20]!r} is not a finite number")
        out.append(value)
    return out


def _int(value: float, line_no: int, what: str) -> int:
    if value != int(value):
        raise InvalidProblem(f"line {line_no}", f"{what} must be an integer, not {value:g}")
    return int(value)


def _num(value: float) -> int | float:
    return int(value) if value == int(value) else value


def read_pdptw(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = [(n + 1, ln) for n, ln in enumerate(text.splitlines()) if ln.strip()]
    if lines and lines[-1][1].split() == ["-1"]:
        lines.pop()  # some published copies of the 200+ sets end with a "-1" sentinel line
    if not lines:
        raise InvalidProblem("line 1", "empty file")
    if len(lines) > _MAX_LINES:
        raise InvalidProblem("file", f"more than {_MAX_LINES} lines")
    head_no, head = lines[0]
    fleet_raw, capacity, _speed = _numbers(head, head_no, 3)
    fleet = _int(fleet_raw, head_no, "the number of vehicles")
    if fleet < 1:
        raise InvalidProblem(f"line {head_no}", "needs at least one vehicle")
    rows: dict[int, tuple[int, list[float]]] = {}
    for line_no, line in lines[1:]:
        values = _numbers(line, line_no, 9)
        ident = _int(values[0], line_no, "the location id")
        if ident in rows:
            raise InvalidProblem(f"line {line_no}", f"duplicate location id {ident}")
        rows[ident] = (line_no, values)
    if 0 not in rows:
        raise InvalidProblem("line 2", "no depot (location 0)")
    locations = [{"id": i, "x": _num(rows[i][1][1]), "y": _num(rows[i][1][2])}
                 for i in sorted(rows)]
    orders = []
    for i in sorted(rows):
        line_no, (_, _, _, demand, early, late, service, pickup, delivery) = rows[i]
        if i == 0 or demand < 0 or (demand == 0 and pickup != 0):
            continue
        d = _int(delivery, line_no, "the delivery id")
        if d not in rows or d == 0:
            raise InvalidProblem(f"line {line_no}", f"delivery {d} is not a location")
        d_line, d_values = rows[d]
        if _int(d_values[7], d_line, "the pickup id") != i:
            raise InvalidProblem(f"line {d_line}", f"delivery {d} does not name pickup {i}")
        if d_values[3] != -demand:
            raise InvalidProblem(f"line {d_line}", f"demand {d_values[3]:g} is not -{demand:g}")
        orders.append({
            "id": i, "pickup": i, "delivery": d, "load": _num(demand),
            "pickup_window": [_num(early), _num(late)], "pickup_service": _num(service),
            "delivery_window": [_num(d_values[4]), _num(d_values[5])],
            "delivery_service": _num(d_values[6])})
    paired = {o["pickup"] for o in orders} | {o["delivery"] for o in orders}
    for i in sorted(rows):
        if i != 0 and i not in paired:
            raise InvalidProblem(f"line {rows[i][0]}", f"location {i} is in no pickup-delivery "
                                 "pair")
    depot = rows[0][1]
    return {
        "type": "intralogistics",
        "name": path.stem,
        "locations": locations,
        "orders": orders,
        "vehicles": [{"id": "V", "count": fleet, "start": 0, "capacity": _num(capacity),
                      "shift": [_num(depot[4]), _num(depot[5])]}],
        "objective": {"lexicographic": True},
    }
