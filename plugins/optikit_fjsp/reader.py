"""Reader for Brandimarte-style ``.fjs`` flexible job shop files.

Format: the first line is ``jobs machines [average flexibility]`` (the third value is
nominal and ignored); then one line per job: the number of operations, then per
operation the number of alternatives ``k`` followed by ``k`` pairs ``machine time``
(machines 1-based).  Tokens are split on any whitespace, so tabs and CRLF line endings
(both common in the published files) are fine; blank lines are skipped.  The result is
an ordinary ``fjsp`` document with jobs ``J1..Jn``, machines ``M1..Mm`` and objective
makespan.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from optikit.text_formats import read_text_format
from optikit.types import InvalidProblem

#: A header may declare machines no operation uses, but not more than this many beyond
#: what the file's own length could describe (a 22-byte file claiming 10**9 machines).
_SPARE_MACHINES = 1000
_MAX_TOKEN_CHARS = 18  # below 10**18: a longer count or time is out of any range


def _ints(tokens: list[str], line_no: int) -> list[int]:
    out: list[int] = []
    for tok in tokens:
        if len(tok) > _MAX_TOKEN_CHARS:
            raise InvalidProblem(f"line {line_no}", f"{tok[:20]!r}... is out of range")
        try:
            value = int(tok)
        except ValueError:
            try:
                number = float(tok)
            except ValueError:
                raise InvalidProblem(f"line {line_no}", f"{tok!r} is not a number") from None
            if not math.isfinite(number) or number != int(number):
                raise InvalidProblem(f"line {line_no}", f"{tok!r} is not an integer") from None
            value = int(number)
        out.append(value)
    return out


def _job_operations(values: list[int], line_no: int, num_machines: int) -> list[dict[str, Any]]:
    where = f"line {line_no}"
    if not values:
        raise InvalidProblem(where, "empty job line")
    num_ops, pos = values[0], 1
    if num_ops < 1:
        raise InvalidProblem(where, f"a job needs at least one operation, not {num_ops}")
    operations: list[dict[str, Any]] = []
    for o in range(num_ops):
        if pos >= len(values):
            raise InvalidProblem(where, f"operation {o + 1} of {num_ops} is missing")
        k = values[pos]
        pos += 1
        if k < 1:
            raise InvalidProblem(where, f"operation {o + 1} has {k} alternatives (needs >= 1)")
        if pos + 2 * k > len(values):
            raise InvalidProblem(
                where, f"operation {o + 1} lists {k} alternatives but the line ends early"
            )
        modes = []
        for a in range(k):
            machine, duration = values[pos + 2 * a], values[pos + 2 * a + 1]
            if not 1 <= machine <= num_machines:
                raise InvalidProblem(
                    where, f"operation {o + 1}: machine {machine} is not in 1..{num_machines}"
                )
            if duration < 0:
                raise InvalidProblem(where, f"operation {o + 1}: negative time {duration}")
            modes.append({"machine": f"M{machine}", "duration": duration})
        pos += 2 * k
        operations.append({"modes": modes})
    if pos != len(values):
        raise InvalidProblem(
            where, f"{len(values) - pos} unexpected value(s) after the last operation"
        )
    return operations


def parse_fjs(text: str, name: str = "") -> dict[str, Any]:
    """Turn the text of an ``.fjs`` file into an ``fjsp`` problem document."""
    lines = [(n, line.split()) for n, line in enumerate(text.splitlines(), start=1)]
    lines = [(n, toks) for n, toks in lines if toks]
    if not lines:
        raise InvalidProblem("line 1", "empty file: expected `jobs machines [flexibility]`")
    head_no, head = lines[0]
    if len(head) not in (2, 3):
        raise InvalidProblem(f"line {head_no}", "header must be `jobs machines [flexibility]`")
    try:
        num_jobs, num_machines = _ints(head[:2], head_no)
    except InvalidProblem:
        raise InvalidProblem(f"line {head_no}", "header must start with two integers") from None
    if len(head) == 3:
        try:
            float(head[2])
        except ValueError:
            raise InvalidProblem(f"line {head_no}", f"{head[2]!r} is not a number") from None
    if num_jobs < 1 or num_machines < 1:
        raise InvalidProblem(f"line {head_no}", "jobs and machines must be >= 1")
    if num_machines > len(text) + _SPARE_MACHINES:
        raise InvalidProblem(
            f"line {head_no}",
            f"{num_machines:,} machines is more than a {len(text):,}-character file can use",
        )
    if num_jobs > len(text):
        raise InvalidProblem(
            f"line {head_no}", f"{num_jobs:,} jobs cannot fit in a {len(text):,}-character file"
        )
    body = lines[1:]
    if len(body) < num_jobs:
        last = body[-1][0] if body else head_no
        raise InvalidProblem(
            f"line {last + 1}", f"expected {num_jobs} job lines, found {len(body)}"
        )
    if len(body) > num_jobs:
        raise InvalidProblem(
            f"line {body[num_jobs][0]}", f"more job lines than the {num_jobs} in the header"
        )
    jobs = []
    for j, (line_no, tokens) in enumerate(body):
        operations = _job_operations(_ints(tokens, line_no), line_no, num_machines)
        jobs.append({"id": f"J{j + 1}", "operations": operations})
    document: dict[str, Any] = {"type": "fjsp"}
    if name:
        document["name"] = name
    document["machines"] = [{"id": f"M{m + 1}"} for m in range(num_machines)]
    document["jobs"] = jobs
    document["objective"] = "makespan"
    return document


def read_fjs(path: Path) -> dict[str, Any]:
    """Read an ``.fjs`` file (the registered reader's entry point)."""
    return read_text_format(path, parse_fjs)
