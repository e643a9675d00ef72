"""The human summary of a maintenance solution: where the cost comes from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit import scheduling
from optikit.numbers import number
from optikit.scheduling.critical import payload_busy
from optikit.scheduling.critical import summary_rows as why_late_rows
from optikit.units import money, time_units
from optikit_maintenance.model import Problem


def summarize(problem: Problem, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    solution = document["solution"]

    def _money(value: float) -> str:
        return money(value, problem.currency)

    costs = solution["costs"]
    clock = problem.clock

    def when(t: float) -> str:  # a time with its clock time when the file gives `start`
        return clock.label(t) if clock else number(t)

    unit = f" {time_units(problem.time_unit)}" if problem.time_unit and not clock else ""
    rows = [
        ("downtime cost", f"{_money(costs['downtime_cost'])} = planned "
                          f"{_money(costs['planned_downtime'])} + expected breakdowns "
                          f"{_money(costs['expected_failure'])} + skipped "
                          f"{_money(costs['skipped'])}"),
        ("weighted tardiness", number(costs["tardiness"])),
        ("production makespan", f"{when(int(costs['makespan']))}{unit}"),
    ]
    due = {j.id: j.due for j in problem.jobs}
    last: dict[str, int] = {}
    for op in solution["operations"]:
        last[op["job"]] = max(last.get(op["job"], 0), op["end"])
    late = sorted(j for j, end in last.items() if (d := due[j]) is not None and end > d)
    rows.append(("late jobs", f"{len(late)} of {len(problem.jobs)}"
                              + (f" ({', '.join(late[:8])}{'...' if len(late) > 8 else ''})"
                                 if late else "")))
    if late:  # each late job's chain, with the maintenance tasks its machines waited for
        shop = problem.shop
        schedule, _ = scheduling.schedule_from_payload(shop, solution)
        rows.extend(why_late_rows(shop, schedule, problem.time_unit or None,
                                  payload_busy(shop, solution)))
    for entry in solution["maintenance"]:
        machine = next(m for m in problem.machines if m.id == entry["machine"])
        note = ""
        if machine.failure is not None:
            p = float(machine.failure.probability.at(entry["start"]))
            note = f", breakdown risk before it {100 * p:.0f}%"
        rows.append((f"  {entry['task']}", f"{entry['machine']} [{when(entry['start'])}, "
                                           f"{when(entry['end'])}) crew {entry['crew']}{note}"))
    if solution.get("skipped"):
        rows.append(("skipped tasks", ", ".join(solution["skipped"])))
    return rows
