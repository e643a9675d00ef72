"""Re-planning of ``fjsp`` schedules: the type's :class:`~optikit.types.Replanning`.

``prepare`` turns the original problem, the old plan and the events into a
:class:`ReplanTask`: the amended problem (cancelled jobs out, rush jobs in, late
operations longer) and the kernel's :class:`~optikit.scheduling.replan.Situation`
(frozen, interrupted and held operations, blocked windows).  ``check`` is the type's
independent checker on the amended problem plus the kernel's re-planning rules; the
model lives in :mod:`optikit_fjsp.replan_model` (batch machines:
:mod:`optikit_fjsp.replan_batches`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from optikit.lazy import lazy
from optikit.scheduling import replan as kernel
from optikit.scheduling import replan_task
from optikit.types import (
    CheckReport,
    Replanning,
)
from optikit_fjsp import checker, model, summary


@dataclass(frozen=True)
class ReplanTask(replan_task.Task[model.FjspProblem]):
    """The kernel's task plus the old plan's batches."""

    # (job id, operation) -> its batch id in the old plan (operations on batch machines).
    old_batches: Mapping[tuple[str, int], str] = field(default_factory=dict)


def prepare(
    problem: model.FjspProblem, document: Mapping[str, Any], payload: Mapping[str, Any],
    events_doc: Mapping[str, Any],
) -> ReplanTask:
    """Apply the events to the old plan (whose payload passed the checker)."""
    shop = problem.shop
    old_schedule, _ = checker.read_schedule(problem, payload)
    events, amended, new_problem = replan_task.amended_problem(
        document, events_doc, shop, old_schedule, model.parse)
    old_objective = problem.evaluate(old_schedule)[0]
    groups: dict[tuple[str, int], str] = {}
    ends: dict[tuple[str, int], int] = {}
    if problem.batching is not None:
        from optikit_fjsp import replan_batches

        groups = replan_batches.old_batches(shop, payload)
        ends = replan_batches.started_ends(new_problem, old_schedule, shop, groups, events,
                                           events_doc)
    situ = kernel.situation(shop, old_schedule, new_problem.shop, events, old_objective,
                            groups, ends)
    return ReplanTask(new_problem, amended, situ, events.stability, groups)


def check(task: ReplanTask, document: Mapping[str, Any]) -> CheckReport:
    """The fjsp checker on the amended problem, plus the re-planning rules."""
    report = checker.check(task.problem, document)
    payload = checker.payload_of(document)
    schedule, _ = checker.read_schedule(task.problem, payload)
    return replan_task.add_replan_checks(report, task.problem.shop, schedule, task.situation,
                                         payload)


def summarize(task: ReplanTask, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows = summary.summarize(task.problem, document)
    schedule, _ = checker.read_schedule(task.problem, checker.payload_of(document))
    return replan_task.disruption_summary(task.problem.shop, schedule, task.situation,
                                          document, rows)


def capability() -> Replanning:
    from optikit_fjsp.schema import JOB

    return replan_task.cpsat_capability(
        "fjsp", JOB, prepare, lazy("optikit_fjsp.replan_model:solve"),
        "CP-SAT with the started operations frozen and the machines blocked; "
        "hinted with the repaired old plan; objective, then least disruption",
        check, summarize, lazy("optikit_fjsp.replan_model:checked"))
