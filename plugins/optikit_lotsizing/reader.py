"""Reader for Trigeiro, Thomas and McClain (1989) ``.clsp`` capacitated lot-sizing files.

Layout (tabs or spaces; empty fields are padding): line 1 ``items periods``; line 2 the
number of machines (must be 1); line 3 the capacity per period; one line per item
``a h st sc`` (capacity per unit, holding cost, setup time, setup cost); then the demand,
one line per period with one value per item, at most 15 items per line: more items
continue in further blocks of period lines.  Lines without numbers after the data are
labels.  Each demand line is read on its own and values past its block's width are
ignored: G73 has a tenth value on the first line of its 9-wide second block, and reading
the numbers as one flat stream would shift every later demand.

Hostile input: the sizes in the header are checked against the number of lines in the
file before anything is allocated, so a short file claiming 10^9 items fails at once.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from optikit.text_formats import read_text_format
from optikit.types import InvalidProblem

#: Items per demand line in the published files.
BLOCK = 15


def _number(token: str, line_no: int) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InvalidProblem(f"line {line_no}", f"{token[:40]!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise InvalidProblem(f"line {line_no}", f"{token[:40]!r} must be a finite number >= 0")
    return value


def _count(token: str, line_no: int, what: str) -> int:
    value = _number(token, line_no)
    if value != int(value) or value < 1:
        raise InvalidProblem(f"line {line_no}", f"{what} must be a whole number >= 1, not "
                                                f"{token[:40]!r}")
    return int(value)


def _is_numeric(tokens: list[str]) -> bool:
    try:
        float(tokens[0])
    except ValueError:
        return False
    return True


def _plain(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _values(lines: list[tuple[int, list[str]]], k: int, need: int, what: str) -> list[float]:
    line_no, tokens = lines[k]
    if len(tokens) < need:
        raise InvalidProblem(f"line {line_no}",
                             f"{what}: expected {need} values, found {len(tokens)}")
    return [_number(tok, line_no) for tok in tokens[:need]]


def parse_clsp(text: str, name: str = "") -> dict[str, Any]:
    """Turn the text of a ``.clsp`` file into a ``lot-sizing`` problem document."""
    lines = [(n, line.split()) for n, line in enumerate(text.splitlines(), start=1)]
    lines = [(n, toks) for n, toks in lines if toks]
    if not lines:
        raise InvalidProblem("line 1", "empty file: expected `items periods`")
    head_no, head = lines[0]
    if len(head) < 2:
        raise InvalidProblem(f"line {head_no}", "the header must be `items periods`")
    items = _count(head[0], head_no, "the number of items")
    periods = _count(head[1], head_no, "the number of periods")
    blocks = -(-items // BLOCK)
    needed = 3 + items + periods * blocks  # plain ints: nothing allocated yet
    numeric = sum(1 for _, toks in lines if _is_numeric(toks))
    if needed > numeric:
        raise InvalidProblem(
            f"line {head_no}",
            f"the header claims {items} items and {periods} periods, which needs {needed} "
            f"lines of numbers; the file has {numeric}",
        )
    machines = _values(lines, 1, 1, "the number of machines")[0]
    if machines != 1:
        raise InvalidProblem(f"line {lines[1][0]}", f"only 1 machine is supported, not "
                                                    f"{_plain(machines)}")
    capacity = _values(lines, 2, 1, "the capacity per period")[0]
    rows = [_values(lines, 3 + i, 4, f"item {i + 1} (a h st sc)") for i in range(items)]
    demand = [[0.0] * periods for _ in range(items)]
    k = 3 + items
    for b in range(blocks):
        first, width = b * BLOCK, min(BLOCK, items - b * BLOCK)
        for t in range(periods):
            values = _values(lines, k, width, f"demand of period {t + 1}")
            for j, value in enumerate(values):
                demand[first + j][t] = value
            k += 1
    for line_no, tokens in lines[k:]:
        if _is_numeric(tokens):
            raise InvalidProblem(f"line {line_no}", "unexpected numbers after the demand")
    document: dict[str, Any] = {"type": "lot-sizing"}
    if name:
        document["name"] = name
    document["periods"] = periods
    document["resources"] = [{"id": "M1", "capacity": _plain(capacity)}]
    document["items"] = [
        {
            "id": f"I{i + 1}",
            "holding_cost": _plain(h),
            "demand": [_plain(d) for d in demand[i]],
            "production": [{"resource": "M1", "time_per_unit": _plain(a),
                            "setup_time": _plain(st), "setup_cost": _plain(sc)}],
        }
        for i, (a, h, st, sc) in enumerate(rows)
    ]
    return document


def read_clsp(path: Path) -> dict[str, Any]:
    """Read a ``.clsp`` file (the registered reader's entry point)."""
    return read_text_format(path, parse_clsp)
