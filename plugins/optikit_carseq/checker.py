"""The independent checker of ``car-sequencing`` solutions.

It reads only the problem and the payload's ``sequence`` of class ids and recomputes
everything by direct counting over the line (yesterday's cars in front): each class
built exactly ``count`` times, no colour run longer than ``max_batch`` (the one hard
paint rule), then the objective terms window by window.  It shares no code with the
formulations, which keep their own incremental evaluator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from optikit.types import CheckReport, Violation
from optikit_carseq.model import CarSeqProblem


def payload_of(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """Accept a whole solution document or the bare payload."""
    solution = document.get("solution")
    return solution if isinstance(solution, Mapping) else document


def _read_sequence(problem: CarSeqProblem, payload: Mapping[str, Any]
                   ) -> tuple[list[int], list[Violation]]:
    raw = payload.get("sequence")
    if not isinstance(raw, list):
        return [], [Violation("sequence", "the payload has no `sequence` list")]
    ids = {c.id: k for k, c in enumerate(problem.classes)}
    seq: list[int] = []
    bad: list[Violation] = []
    for i, cid in enumerate(raw):
        if not isinstance(cid, str | int) or isinstance(cid, bool) or str(cid) not in ids:
            bad.append(Violation("sequence", f"position {i}: unknown class {cid!r}"))
        else:
            seq.append(ids[str(cid)])
    built = Counter(seq)
    for k, c in enumerate(problem.classes):
        if built[k] != c.count:
            bad.append(Violation("class count", f"class {c.id!r}: {built[k]} cars in the "
                                 f"sequence, {c.count} ordered", abs(built[k] - c.count)))
    return seq, bad


def window_excess(problem: CarSeqProblem, line: list[int], first_today: int
                  ) -> list[list[tuple[int, int]]]:
    """Per option, ``(start, excess)`` of every counted window with a positive excess.

    ``line`` is yesterday's cars followed by today's; a window counts when it lies wholly
    inside the line and holds at least one of today's cars.
    """
    out: list[list[tuple[int, int]]] = []
    for j, opt in enumerate(problem.options):
        rows = []
        first = max(0, first_today - opt.window + 1)
        for s in range(first, len(line) - opt.window + 1):
            cars = sum(1 for k in line[s:s + opt.window] if j in problem.classes[k].options)
            if cars > opt.max:
                rows.append((s - first_today, cars - opt.max))
        out.append(rows)
    return out


def colour_runs(problem: CarSeqProblem, line: list[int]) -> list[tuple[int, int, int]]:
    """Maximal runs ``(colour, first index in line, length)`` of painted cars."""
    runs: list[tuple[int, int, int]] = []
    for i, k in enumerate(line):
        col = problem.classes[k].colour
        if col < 0:
            continue
        if runs and runs[-1][0] == col and runs[-1][1] + runs[-1][2] == i:
            runs[-1] = (col, runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((col, i, 1))
    return runs


def figures_of(problem: CarSeqProblem, seq: list[int]) -> dict[str, Any]:
    """Every objective term and plant figure of a complete sequence."""
    line = list(problem.previous) + seq
    p0 = len(problem.previous)
    excess = window_excess(problem, line, p0)
    per_option = {o.id: sum(e for _s, e in excess[j]) for j, o in enumerate(problem.options)}
    high = sum(o.weight * per_option[o.id] for o in problem.options if o.high)
    low = sum(o.weight * per_option[o.id] for o in problem.options if not o.high)
    changes = 0
    previous_colour = -1
    for i, k in enumerate(line):
        col = problem.classes[k].colour
        if col < 0:
            continue
        if previous_colour >= 0 and col != previous_colour and i >= p0:
            changes += 1
        previous_colour = col
    runs = [r for r in colour_runs(problem, line) if r[1] + r[2] > p0]
    n = len(seq)
    level = 0.0
    for k, c in enumerate(problem.classes):
        built = 0
        for t in range(n):
            built += seq[t] == k
            level += abs(built - (t + 1) * c.count / n)
    w = problem.weights
    objective = float(w.high * high + w.colour * problem.change_cost * changes + w.low * low)
    objective += w.level * level
    return {
        "objective": objective,
        "high_priority_excess": high,
        "low_priority_excess": low,
        "colour_changes": changes,
        "level_deviation": round(level, 6),
        "excess_per_option": per_option,
        "violated_windows": {
            o.id: [[s, e] for s, e in excess[j]] for j, o in enumerate(problem.options)
        },
        "longest_run": max((r[2] for r in runs), default=0),
        "runs": len(runs),
    }


def check(problem: CarSeqProblem, document: Mapping[str, Any]) -> CheckReport:
    """Verify a payload against the problem and recompute its objective."""
    seq, violations = _read_sequence(problem, payload_of(document))
    if violations:
        return CheckReport(objective=None, violations=violations, figures={})
    figures = figures_of(problem, seq)
    line = list(problem.previous) + seq
    p0 = len(problem.previous)
    if problem.max_batch is not None:
        for col, start, length in colour_runs(problem, line):
            if length > problem.max_batch and start + length > p0:
                violations.append(Violation(
                    "paint batch",
                    f"{length} {problem.colours[col]} cars in a row from position "
                    f"{start - p0} (at most {problem.max_batch})",
                    length - problem.max_batch))
    return CheckReport(objective=figures.pop("objective"), violations=violations,
                       figures=figures)
