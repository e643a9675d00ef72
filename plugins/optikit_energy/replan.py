"""Re-planning of ``energy-scheduling`` plans: the type's :class:`~optikit.types.Replanning`.

The kernel's rules (:mod:`optikit.scheduling.replan`: started operations frozen, nothing
new before ``now``, machine-down and interrupted-work windows blocked, cancelled jobs
out, rush jobs in, late operations longer) plus one rule of this type: the past cannot
change, so a switch-on before ``now`` in the new plan must be one of the old plan's
(a machine that must start again after ``now`` is switched on again, from ``now`` on).
``check`` is the type's independent checker on the amended problem plus these rules;
the model lives in :mod:`optikit_energy.replan_model`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from optikit.lazy import lazy
from optikit.scheduling import replan_task, schedule_from_payload
from optikit.types import CheckReport, Replanning, Violation
from optikit_energy import NAME, checker, model, summary


@dataclass(frozen=True)
class ReplanTask(replan_task.Task[model.EnergyProblem]):
    """The kernel's task plus the old plan's switch-ons before ``now``."""

    # machine id -> the old plan's switch-on times before ``now`` (switchable machines)
    past_switch_on: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


def prepare(
    problem: model.EnergyProblem, document: Mapping[str, Any], payload: Mapping[str, Any],
    events_doc: Mapping[str, Any],
) -> ReplanTask:
    """Apply the events to the old plan (whose payload passed the checker)."""
    shop = problem.shop
    old_schedule, _ = schedule_from_payload(shop, payload)
    events, amended, new_problem, situ = replan_task.situation_after(
        document, events_doc, shop, old_schedule, model.parse, lambda p: p.shop,
        checker.check(problem, payload).objective)
    switch_on, _ = checker.switch_on_from_payload(problem, payload)
    past = {shop.machines[m].id: tuple(sorted(t for t in times if t < events.now))
            for m, times in switch_on.items()}
    return ReplanTask(new_problem, amended, situ, events.stability, past)


def past_switch_on_violations(
    task: ReplanTask, payload: Mapping[str, Any]
) -> list[Violation]:
    """Switch-ons before ``now`` that the old plan did not have."""
    switch_on, _ = checker.switch_on_from_payload(task.problem, payload)
    out = []
    now = task.situation.now
    for m, times in switch_on.items():
        mid = task.problem.shop.machines[m].id
        old = set(task.past_switch_on.get(mid, ()))
        for t in times:
            if t < now and t not in old:
                out.append(Violation(
                    "switch_on", f"machine {mid} is switched on at {t}, before now ({now}), "
                    "which the old plan did not do"))
    return out


def check(task: ReplanTask, payload: Mapping[str, Any]) -> CheckReport:
    """The energy checker on the amended problem, plus the re-planning rules."""
    report = checker.check(task.problem, payload)
    schedule, _ = schedule_from_payload(task.problem.shop, payload)
    report.violations.extend(past_switch_on_violations(task, payload))
    return replan_task.add_replan_checks(report, task.problem.shop, schedule, task.situation,
                                         payload)


def summarize(task: ReplanTask, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The disruption rows, then the energy summary."""
    payload = document.get("solution")
    schedule = (schedule_from_payload(task.problem.shop, payload)[0]
                if isinstance(payload, Mapping) else [])
    return replan_task.disruption_summary(task.problem.shop, schedule, task.situation,
                                          document, summary.summarize(task.problem, document))


MODEL = ("the CP-SAT interval model with the started operations and past switch-ons frozen "
         "and the machines blocked; energy objective, then least disruption")


def capability() -> Replanning:
    from optikit_energy.schema import JOB

    solve = lazy("optikit_energy.replan_model:solve")
    return replan_task.cpsat_capability(NAME, JOB, prepare, solve, MODEL, check, summarize,
                                        lazy("optikit_energy.replan_repair:checked"))
