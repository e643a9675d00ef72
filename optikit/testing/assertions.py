"""Assertions about solution documents that every problem type and solver must satisfy.

They restate the contract's status rules so that a failure message says which rule a
plugin broke, not just that two values differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optikit.problem_io import LoadedProblem
    from optikit.types import SolveOptions

STATUSES = ("optimal", "feasible", "infeasible", "unbounded", "unknown", "error")
WITH_SOLUTION = ("optimal", "feasible")
DOCUMENT_KEYS = ("type", "name", "status", "objective", "bound", "gap", "solver", "time_s")
# Bounds may sit on the wrong side of the objective by rounding noise only.
BOUND_RTOL = 1e-6
BOUND_ATOL = 1e-6


def _tolerance(value: float) -> float:
    return BOUND_ATOL + BOUND_RTOL * abs(value)


def assert_status_semantics(
    document: Mapping[str, Any], options: SolveOptions, sense: str = "min"
) -> None:
    """The contract's rules linking ``status``, ``objective``, ``bound``, ``gap``, payload."""
    for key in DOCUMENT_KEYS:
        assert key in document, f"solution document lacks {key!r}"
    status = document["status"]
    assert status in STATUSES, f"unknown status {status!r}"
    message = document.get("message", "")
    if status in WITH_SOLUTION:
        assert isinstance(document.get("solution"), Mapping), f"{status} without a payload"
        objective = document["objective"]
        assert isinstance(objective, int | float), f"{status} without a numeric objective"
        check = document.get("check")
        assert isinstance(check, Mapping) and check.get("feasible") is True, (
            f"{status} answer without a passed independent check: {check}"
        )
        bound = document["bound"]
        if bound is not None:
            slack = _tolerance(objective)
            if sense == "min":
                assert bound <= objective + slack, f"min: bound {bound} > objective {objective}"
            else:
                assert bound >= objective - slack, f"max: bound {bound} < objective {objective}"
        if status == "optimal":
            gap = document["gap"]
            assert gap is not None, "optimal without a gap (no bound proven)"
            assert gap <= options.gap * (1 + 1e-9) + 1e-12, (
                f"optimal claimed with gap {gap} > requested {options.gap}"
            )
    else:
        assert "solution" not in document, f"{status} document carries a payload"
        assert document["objective"] is None, f"{status} document carries an objective"
        if status == "error":
            assert message, "an error document must say what went wrong"


def assert_checked_solution(loaded: LoadedProblem, document: Mapping[str, Any]) -> None:
    """The document's payload passes the checker and its objective is the recomputed one."""
    from optikit.runner import check_solution

    report = check_solution(loaded, document)
    assert report.feasible, (
        "the checker rejects the solver's own answer: "
        + "; ".join(f"{v.constraint}: {v.message}" for v in report.violations[:5])
    )
    if report.objective is not None and document.get("objective") is not None:
        objective = float(document["objective"])
        assert abs(report.objective - objective) <= _tolerance(objective), (
            f"document objective {objective} != recomputed {report.objective}"
        )
