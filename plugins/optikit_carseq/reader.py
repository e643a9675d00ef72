"""Reader for CSPLib prob001 ``.carseq`` files (one instance per file).

Line 1 ``cars options classes``; line 2 the ``p`` of each option; line 3 the ``q``;
then one line per class ``id count o_1 .. o_O``.  Tokens split on any whitespace and
blank lines are skipped.  The result is an ordinary ``car-sequencing`` document: options
``O1..OO`` (all high priority, weight 1), classes keep their ids as strings, and the
objective is the total window excess (weight 1 on the high-priority term, nothing else).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optikit.text_formats import read_text_format
from optikit.types import InvalidProblem

_MAX_TOKEN_CHARS = 12


def _ints(tokens: list[str], line_no: int) -> list[int]:
    out = []
    for tok in tokens:
        if len(tok) > _MAX_TOKEN_CHARS:
            raise InvalidProblem(f"line {line_no}", f"{tok[:20]!r}... is out of range")
        try:
            out.append(int(tok))
        except ValueError:
            raise InvalidProblem(f"line {line_no}", f"{tok!r} is not an integer") from None
    return out


def parse_carseq(text: str, name: str = "") -> dict[str, Any]:
    """Turn the text of a ``.carseq`` file into a ``car-sequencing`` document."""
    raw = [(n, line.split()) for n, line in enumerate(text.splitlines(), start=1)]
    lines: list[tuple[int, list[int]]] = [(n, _ints(toks, n)) for n, toks in raw if toks]
    if len(lines) < 3:
        raise InvalidProblem(f"line {lines[-1][0] + 1}" if lines else "line 1",
                             "expected `cars options classes`, then the p and q lines")
    (h_no, head), (p_no, p), (q_no, q) = lines[:3]
    if len(head) != 3:
        raise InvalidProblem(f"line {h_no}", "header must be `cars options classes`")
    cars, num_options, num_classes = head
    if cars < 1 or num_options < 1 or num_classes < 1:
        raise InvalidProblem(f"line {h_no}", "cars, options and classes must be >= 1")
    if num_classes > len(text) or num_options > len(text):
        raise InvalidProblem(f"line {h_no}", "more classes or options than the file can hold")
    for no, row, label in ((p_no, p, "p (max cars)"), (q_no, q, "q (window)")):
        if len(row) != num_options:
            raise InvalidProblem(f"line {no}", f"expected {num_options} values of {label}, "
                                 f"found {len(row)}")
    for j in range(num_options):
        if q[j] < 1 or not 0 <= p[j] <= q[j]:
            raise InvalidProblem(f"line {p_no}", f"option {j + 1}: need 0 <= p <= q and q >= 1, "
                                 f"got p={p[j]} q={q[j]}")
    body = lines[3:]
    if len(body) != num_classes:
        at = body[num_classes][0] if len(body) > num_classes else (
            body[-1][0] + 1 if body else q_no + 1)
        raise InvalidProblem(f"line {at}", f"expected {num_classes} class lines, "
                             f"found {len(body)}")
    option_ids = [f"O{j + 1}" for j in range(num_options)]
    classes: list[dict[str, Any]] = []
    seen: set[int] = set()
    for no, row in body:
        if len(row) != 2 + num_options:
            raise InvalidProblem(f"line {no}", f"expected `id count` and {num_options} 0/1 "
                                 f"flags, found {len(row)} values")
        cid, count, flags = row[0], row[1], row[2:]
        if cid in seen:
            raise InvalidProblem(f"line {no}", f"duplicate class id {cid}")
        seen.add(cid)
        if count < 0:
            raise InvalidProblem(f"line {no}", f"negative count {count}")
        if any(f not in (0, 1) for f in flags):
            raise InvalidProblem(f"line {no}", "option flags must be 0 or 1")
        classes.append({"id": str(cid), "count": count,
                        "options": [option_ids[j] for j, f in enumerate(flags) if f]})
    total = sum(int(c["count"]) for c in classes)
    if total != cars:
        raise InvalidProblem(f"line {h_no}", f"the class counts sum to {total}, not {cars} cars")
    document: dict[str, Any] = {"type": "car-sequencing"}
    if name:
        document["name"] = name
    document["options"] = [
        {"id": option_ids[j], "max": p[j], "window": q[j]} for j in range(num_options)
    ]
    document["classes"] = classes
    document["objective"] = {"weights": {"high": 1}}
    return document


def read_carseq(path: Path) -> dict[str, Any]:
    """Read a ``.carseq`` file (the registered reader's entry point)."""
    return read_text_format(path, parse_carseq)
