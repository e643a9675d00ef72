"""Re-planning in the core: an old plan plus events -> a task solved like a problem.

The core knows no problem type here either: a type offers re-planning through
:attr:`optikit.types.ProblemType.replan` (a :class:`~optikit.types.Replanning`).  This
module reads the old solution and the events document, checks both (the old plan with
the type's own checker, the events against the capability's schema), lets the type
prepare its task, and wraps the task in a problem of a derived type whose formulations
and checker are the capability's.  Planning, running, Ctrl-C, time limits and the
status rules are then the ordinary ones of :mod:`optikit.plan` and :mod:`optikit.runner`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from optikit.problem_io import LoadedProblem, ProblemFileError, read_data_file
from optikit.types import (
    InputError,
    InvalidProblem,
    Outcome,
    ProblemType,
    Replanning,
    UsageError,
)


def capability(loaded: LoadedProblem) -> Replanning:
    """The type's re-planning capability, or a one-line refusal."""
    found = loaded.ptype.replan
    if found is None:
        raise InputError(loaded.source, "", f"type {loaded.ptype.name} does not support "
                                            "re-planning")
    return found


def read_mapping(value: Any, what: str) -> tuple[dict[str, Any], str]:
    """A document given as a path or a mapping, and the name errors use for it."""
    if isinstance(value, str | Path):
        data = read_data_file(Path(value))
        source = str(value)
    elif isinstance(value, Mapping):
        data, source = dict(value), f"<{what}>"
    else:
        raise InputError(f"<{what}>", "", f"must be a path or a mapping, not "
                                          f"{type(value).__name__}")
    if not isinstance(data, dict):
        raise ProblemFileError(source, "(top level)", f"must be a {what} document (a mapping)")
    return data, source


def old_payload(loaded: LoadedProblem, document: Mapping[str, Any], source: str
                ) -> tuple[dict[str, Any], float | None]:
    """The old plan's payload, after the type's checker accepted it, and its objective."""
    doc_type = document.get("type")
    if doc_type is not None and doc_type != loaded.ptype.name:
        raise ProblemFileError(source, "type", f"is {doc_type!r}, the problem is "
                                               f"{loaded.ptype.name!r}")
    payload = document.get("solution")
    if not isinstance(payload, Mapping):
        raise ProblemFileError(source, "solution", "is missing: re-planning needs a solution "
                                                   "document with a plan")
    try:
        report = loaded.ptype.check(loaded.problem, payload)
    except Exception as exc:
        raise ProblemFileError(source, "solution", f"cannot be checked: {exc}") from None
    if not report.feasible:
        first = report.violations[0]
        raise ProblemFileError(
            source, "solution", f"is not a valid plan of {loaded.source} "
            f"({len(report.violations)} violation(s); first: {first.constraint}: "
            f"{first.message})")
    return dict(payload), report.objective


def prepare(
    loaded: LoadedProblem, solution: Any, events: Any
) -> LoadedProblem:
    """The re-planning task as a loaded problem of a derived type (same name)."""
    from optikit.validation import validate_against

    cap = capability(loaded)
    solution_doc, solution_source = read_mapping(solution, "solution")
    payload, _objective = old_payload(loaded, solution_doc, solution_source)
    events_doc, events_source = read_mapping(events, "events")
    try:
        validate_against(cap.events_schema, events_doc,
                         f"the {loaded.ptype.name} re-planning events schema")
        task = cap.prepare(loaded.problem, loaded.document, payload, events_doc)
    except InvalidProblem as exc:
        raise ProblemFileError(events_source, exc.field, exc.message) from None
    except UsageError as exc:  # the problem itself cannot be re-planned
        raise InputError(loaded.source, exc.field, exc.message) from None
    if cap.repaired is not None:
        # The answer of last resort first, before any model: a run whose time is gone
        # (start-up included) still has it.  A failure here is the solve's to report.
        with contextlib.suppress(Exception):
            cap.repaired(task)
    return replace(loaded, ptype=derived_type(loaded.ptype, cap), problem=task)


def last_resort(loaded: LoadedProblem) -> Outcome | None:
    """The checked repaired old plan of a prepared task as a ``feasible`` outcome; None
    for a plain problem, or when the repair is refused or fails."""
    cap = loaded.ptype.replan
    if cap is None or cap.repaired is None:
        return None
    try:
        found = cap.repaired(loaded.problem)
    except Exception:
        return None
    return found if found.status.has_solution else None


def derived_type(ptype: ProblemType, cap: Replanning) -> ProblemType:
    """The problem type the runner sees: the capability's models, checker, summary."""
    return replace(
        ptype,
        check=cap.check,
        formulations=tuple(cap.formulations),
        summarize=cap.summarize,
        default_solvers=tuple(cap.default_solvers or ptype.default_solvers),
        plots={},
        generate=None,
    )


def problem_document(loaded: LoadedProblem) -> dict[str, Any] | None:
    """The amended problem document of a prepared task, when the type can write it."""
    cap = loaded.ptype.replan
    if cap is None or cap.problem_document is None:
        return None
    return cap.problem_document(loaded.problem)
