"""The human summary of a solution document."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import click

from optikit.numbers import number

_STATUS_STYLE = {
    "optimal": ("green", "proven optimal"),
    "feasible": ("yellow", "feasible (not proven optimal)"),
    "infeasible": ("red", "infeasible: no solution satisfies all constraints"),
    "unbounded": ("red", "unbounded: the objective can improve without limit"),
    "unknown": ("red", "no solution found within the limits"),
    "error": ("red", "error"),
}


def fmt_number(value: Any) -> str:
    """The core's number format (see :mod:`optikit.numbers`)."""
    return number(value)


def colour_enabled() -> bool:
    """Colours unless NO_COLOR is set (https://no-color.org); click drops them anyway
    when the output is not a terminal."""
    return not os.environ.get("NO_COLOR")


def render_summary(document: Mapping[str, Any], rows: list[tuple[str, str]]) -> str:
    status = str(document.get("status"))
    colour, words = _STATUS_STYLE.get(status, ("white", status))
    lines = [
        f"{document.get('name')} ({document.get('type')}): "
        + (click.style(status.upper(), fg=colour, bold=True) if colour_enabled()
           else status.upper())
        + f"  {words}"
    ]
    core: list[tuple[str, str]] = [
        ("objective", fmt_number(document.get("objective"))),
        ("bound", fmt_number(document.get("bound"))),
    ]
    gap = document.get("gap")
    core.append(("gap", "-" if gap is None else f"{100 * gap:.4g}%"))
    solver = str(document.get("solver"))
    details = [str(document["formulation"])] if document.get("formulation") else []
    stats = document.get("stats")
    engine = stats.get("engine") if isinstance(stats, Mapping) else None
    if isinstance(engine, str) and engine not in solver:
        details.append(f"search by {engine}")  # another backend did the search
    if details:
        solver += f" ({', '.join(details)})"
    core.append(("solver", solver))
    core.append(("time", f"{document.get('time_s', 0):.2f} s"))
    check = document.get("check")
    if isinstance(check, Mapping):
        core.append(
            ("check", "passed (independent checker)" if check.get("feasible")
             else f"FAILED: {check.get('violations_total')} violation(s)")
        )
    all_rows = core + list(rows)
    width = max(len(label) for label, _ in all_rows)
    for label, text in all_rows:
        if label == "":
            lines.append(f"  {text}")
            continue
        lines.append(f"  {label.ljust(width)}  {text}")
    if document.get("message"):
        lines.append(f"  note: {document['message']}")
    analysis = document.get("analysis")
    diagnosis = analysis.get("diagnosis") if isinstance(analysis, Mapping) else None
    if isinstance(diagnosis, Mapping):
        lines.extend(render_diagnosis(diagnosis))
    if isinstance(check, Mapping) and not check.get("feasible"):
        for v in check.get("violations", [])[:10]:
            lines.append(f"    - {v['constraint']}: {v['message']}")
    return "\n".join(lines)


def render_diagnosis(diagnosis: Mapping[str, Any]) -> list[str]:
    """Why a problem is infeasible: the conflicting constraints and the cheapest relaxation.

    Shape (filled by each type's formulation, see docs/contract.md): ``summary``,
    ``conflicts`` (each with ``constraint``, ``message`` and optionally ``relaxation``: how
    far that limit must move), ``method``.
    """
    lines = [f"  why: {diagnosis.get('summary', 'the constraints below conflict')}"]
    for conflict in diagnosis.get("conflicts", [])[:20]:
        text = f"    - {conflict.get('constraint')}: {conflict.get('message', '')}"
        relax = conflict.get("relaxation")
        if relax is not None:
            text += f" (relax by {fmt_number(relax)})"
        lines.append(text)
    if diagnosis.get("method"):
        lines.append(f"    (found by {diagnosis['method']})")
    return lines
