"""Key figures of an ``fjsp`` solution for the CLI's human summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.numbers import number
from optikit.units import time_units
from optikit_fjsp.checker import payload_of, read_schedule, schedule_figures
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.whylate import summary_rows as why_late_rows


def summarize(problem: FjspProblem, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Makespan, tardiness, late jobs, changeovers and machine utilisation."""
    payload = payload_of(document)
    schedule, _violations = read_schedule(problem, payload)
    if not schedule:
        return []
    fig = schedule_figures(problem, schedule, payload)
    clock = problem.shop.clock
    unit = time_units(clock.unit if clock else problem.time_unit)
    rows = [("makespan", clock.label(fig["makespan"]) if clock
             else f"{number(fig['makespan'])} {unit}")]
    if any(job.due is not None for job in problem.shop.jobs):
        rows.append(("total weighted tardiness",
                     f"{number(fig['total_weighted_tardiness'])} ({unit} x weight)"))
        late = fig["late_job_ids"]
        shown = ", ".join(late[:8]) + (", ..." if len(late) > 8 else "")
        rows.append(
            (
                "late jobs",
                f"{len(late)} of {len(problem.shop.jobs)}" + (f" ({shown})" if late else ""),
            )
        )
        rows.extend(why_late_rows(problem, schedule))
    if problem.has_setups:
        rows.append(("changeovers", f"{fig['setups']} ({number(fig['setup_time'])} {unit})"))
    util = fig["machine_utilisation"]
    if util:
        mean = sum(util.values()) / len(util)
        busiest = max(util, key=lambda m: util[m])
        rows.append(
            ("machine utilisation", f"mean {mean:.0%}, busiest {busiest} {util[busiest]:.0%}")
        )
    for machine, b in fig.get("batches", {}).items():
        rows.append(
            (f"batches {machine}", f"{b['batches']} batches of {b['operations']} operations, "
             f"{b['fill']:.0%} filled")
        )
    rows.append(("operations", str(len(schedule))))
    return rows
