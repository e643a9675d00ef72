"""The steps every scheduling type's re-planning shares around its own model.

A type's :class:`~optikit.types.Replanning` reads the old plan with its own checker,
then :func:`amended_problem` applies the events to the problem document and parses the
result with the type's parser (errors in a rush job point into the events document);
:func:`add_replan_checks` adds the kernel's re-planning rules and the disruption figures
to the type's check report; :func:`disruption_summary` puts the disruption rows in front
of the type's summary.  What stays with the type: its model, its checker, its payload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from optikit.scheduling import replan as kernel
from optikit.scheduling import replan_events
from optikit.scheduling.model import ScheduledOperation, Shop
from optikit.types import (
    CheckReport,
    Formulation,
    InvalidProblem,
    Outcome,
    Paradigm,
    Replanning,
)

P = TypeVar("P")


@dataclass(frozen=True)
class Task(Generic[P]):
    """What a type's re-planning task holds at least: the amended problem, its document,
    the situation and the stability settings."""

    problem: P
    document: dict[str, Any]
    situation: kernel.Situation
    stability: replan_events.Stability
    # what is worked out once per task (the repaired old plan), by name
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False,
                                 kw_only=True)


R = TypeVar("R")


def remembered(task: Task[Any], name: str, compute: Callable[[], R]) -> R:
    """``compute()`` once per task (the core asks for the repaired plan before the run,
    the formulation again in it)."""
    if name not in task.memo:
        task.memo[name] = compute()
    found: R = task.memo[name]
    return found


def amended_problem(
    document: Mapping[str, Any], events_doc: Mapping[str, Any], shop: Shop,
    old_schedule: Sequence[ScheduledOperation], parse: Callable[[dict[str, Any]], P],
) -> tuple[replan_events.Events, dict[str, Any], P]:
    """The parsed events, the amended problem document and the amended problem (event
    times may be clock times when ``shop`` has a clock)."""
    events = replan_events.parse_events(document, events_doc, shop.clock)
    started = kernel.started_modes(shop, old_schedule, events.now)
    amended = replan_events.amend_document(document, events, started)
    kernel.overrun_interruptible(shop, old_schedule, events, amended)
    if not amended["jobs"]:
        raise InvalidProblem("events", "every job is cancelled: nothing left to plan")
    kept = len(amended["jobs"]) - len(events.rush)
    try:
        new_problem = parse(amended)
    except InvalidProblem as exc:
        raise InvalidProblem(replan_events.rush_field(exc.field, kept, events),
                             exc.message) from None
    return events, amended, new_problem


def situation_after(
    document: Mapping[str, Any], events_doc: Mapping[str, Any], shop: Shop,
    old_schedule: Sequence[ScheduledOperation], parse: Callable[[dict[str, Any]], P],
    shop_of: Callable[[P], Shop], old_objective: float | None,
) -> tuple[replan_events.Events, dict[str, Any], P, kernel.Situation]:
    """:func:`amended_problem` and the kernel's situation of the old plan after the events
    (``shop_of`` gives a parsed problem's shop)."""
    events, amended, new_problem = amended_problem(document, events_doc, shop, old_schedule,
                                                   parse)
    situ = kernel.situation(shop, old_schedule, shop_of(new_problem), events, old_objective)
    return events, amended, new_problem, situ


def named_jobs(payload: Mapping[str, Any]) -> set[str]:
    """Every job id the payload's operations name (a cancelled job may be among them)."""
    entries = payload.get("operations")
    if not isinstance(entries, list):
        return set()
    return {str(e.get("job")) for e in entries if isinstance(e, Mapping)}


def add_replan_checks(
    report: CheckReport, shop: Shop, schedule: Sequence[ScheduledOperation],
    situ: kernel.Situation, payload: Mapping[str, Any],
) -> CheckReport:
    """The kernel's re-planning rules and the disruption figures (``figures["replan"]``)."""
    report.violations.extend(kernel.check_replan(shop, schedule, situ, named_jobs(payload)))
    report.figures["replan"] = kernel.disruption(shop, schedule, situ, report.objective)
    return report


def disruption_summary(
    shop: Shop, schedule: Sequence[ScheduledOperation], situ: kernel.Situation,
    document: Mapping[str, Any], rows: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    """The disruption rows, then the type's own summary ``rows``."""
    if not schedule:
        return rows
    reported = document.get("objective")
    objective = float(reported) if isinstance(reported, int | float) else None
    figures = kernel.disruption(shop, schedule, situ, objective)
    return kernel.disruption_rows(figures, shop.clock) + rows


def task_document(task: Any) -> dict[str, Any]:
    """The amended problem document of a task that keeps it as ``document``."""
    return dict(task.document)


def cpsat_capability(
    type_name: str, job_schema: Mapping[str, Any], prepare: Callable[..., Any],
    solve: Callable[..., Any], description: str,
    check: Callable[[Any, Mapping[str, Any]], CheckReport],
    summarize: Callable[[Any, Mapping[str, Any]], list[tuple[str, str]]],
    checked: Callable[[Any], Any] | None = None,
) -> Replanning:
    """A type's :class:`Replanning` with one CP-SAT formulation ``cpsat-replan``;
    ``checked(task)``: the checked repaired old plan (a
    :class:`~optikit.scheduling.replan_cpsat.Repaired`) or why there is none, the
    answer of last resort."""
    return Replanning(
        events_schema=replan_events.events_schema(job_schema, type_name),
        prepare=prepare,
        formulations=[Formulation("cpsat-replan", Paradigm.CP_SAT, solve, description)],
        check=check,
        summarize=summarize,
        problem_document=task_document,
        default_solvers=("cpsat",),
        repaired=None if checked is None else _LastResort(checked),
    )


@dataclass(frozen=True)
class _LastResort:
    """:attr:`Replanning.repaired` from a type's ``checked(task)``."""

    checked: Callable[[Any], Any]

    def __call__(self, task: Any) -> Outcome:
        from optikit.scheduling.replan_cpsat import last_resort

        return last_resort(self.checked(task))
