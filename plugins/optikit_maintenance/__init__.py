"""Built-in plugin: the ``maintenance`` problem type.

Predictive maintenance scheduled jointly with production: machines with breakdown risk
or remaining-useful-life (RUL) estimates, maintenance tasks with durations, crews and
windows, production jobs sharing the machines; minimise the expected downtime cost
(planned maintenance, expected breakdowns, skipped tasks) plus weighted tardiness.

Started from ``optikit plugin new maintenance``; it uses only the plugin API (including
the scheduling kernel :mod:`optikit.scheduling`) and is registered through its entry point
(group ``optikit``) like every built-in.  Nothing heavy is imported here: ortools and
matplotlib are imported inside the formulations and the Gantt chart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from optikit import hookimpl
from optikit.scheduling.export import export_hook
from optikit.types import Formulation, Paradigm, ProblemType, Replanning
from optikit_maintenance import cp, milp
from optikit_maintenance.checker import check
from optikit_maintenance.gantt import draw
from optikit_maintenance.generator import generate
from optikit_maintenance.model import parse
from optikit_maintenance.options import MILP_OPTIONS
from optikit_maintenance.schema import SCHEMA
from optikit_maintenance.summary import summarize

SAMPLES = tuple(sorted((Path(__file__).parent / "samples").glob("*.yaml")))


def _always(problem: Any) -> bool:
    return True


@hookimpl
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    register(
        ProblemType(
            name="maintenance",
            description="predictive maintenance with production: expected downtime cost "
            "plus weighted tardiness (machines with RUL/breakdown risk, crews, windows)",
            schema=SCHEMA,
            parse=parse,
            check=check,
            formulations=[
                Formulation(
                    "cp", Paradigm.CP_SAT, cp.solve,
                    description="intervals with no-overlap per machine, cumulative crews, "
                    "element tables for the breakdown cost",
                    needs_integer=_always,
                ),
                Formulation(
                    "time-indexed", Paradigm.LINEAR, milp.solve,
                    description="time-indexed MILP (start-time binaries); small horizons only",
                    needs_integer=_always,
                    options=MILP_OPTIONS,
                ),
            ],
            sense="min",
            default_solvers=("cpsat",),
            generate=generate,
            summarize=summarize,
            plots={"gantt": draw},
            samples=SAMPLES,
            replan=_replanning(),
        )
    )


def _replanning() -> Replanning:
    from optikit_maintenance.replan import capability

    return capability()



# The schedule, the jobs' lateness and the maintenance tasks (clock times with `start`)
# for ``optikit export``.
export_tables = hookimpl(export_hook("maintenance", timed=("maintenance",)))
