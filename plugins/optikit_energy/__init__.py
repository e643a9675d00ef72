"""Built-in plugin: the ``energy-scheduling`` problem type (energy-aware flexible job shop).

A flexible job shop (the shared model of :mod:`optikit.scheduling`) on a time grid with a
time-of-use tariff, carbon intensity per period, power per mode, machine idle power and
switch-on energy, and a plant peak-power cap.  Formulations: ``cpsat`` (CP-SAT, with a
constructive hint and large-neighbourhood search) and ``milp`` (time-indexed, through any
linear backend; small instances only); both model machine calendars (shifts, downtime,
interruptible operations).  Nothing heavy is imported at module level.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from optikit import hookimpl
from optikit.lazy import lazy
from optikit.types import Formulation, Paradigm, ProblemType, Replanning
from optikit_energy.options import CPSAT_OPTIONS, MILP_OPTIONS

NAME = "energy-scheduling"
# Samples ship inside the package (wheels too); problems/energy-scheduling links here.
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


def problem_type() -> ProblemType:
    from optikit_energy.schema import SCHEMA

    samples = sorted(SAMPLES_DIR.glob("*.yaml")) if SAMPLES_DIR.is_dir() else []
    return ProblemType(
        name=NAME,
        schema=SCHEMA,
        parse=lazy("optikit_energy.model:parse"),
        check=lazy("optikit_energy.checker:check"),
        formulations=[
            Formulation(
                "cpsat",
                Paradigm.CP_SAT,
                lazy("optikit_energy.cpsat:solve"),
                "CP-SAT: per-tariff-period energy cost, cumulative peak cap, circuits for "
                "switch-offs; constructive hint and large-neighbourhood search",
                options=CPSAT_OPTIONS,
            ),
            Formulation(
                "milp",
                Paradigm.LINEAR,
                lazy("optikit_energy.milp:solve"),
                "time-indexed MILP (small instances; no sequence-dependent setups)",
                needs_integer=lambda problem: True,
                options=MILP_OPTIONS,
            ),
        ],
        description="energy-aware flexible job shop: time-of-use tariff, carbon, "
        "power per mode, idle power and switch-ons, peak-power cap",
        sense="min",
        default_solvers=("cpsat",),
        generate=lazy("optikit_energy.generator:generate"),
        summarize=lazy("optikit_energy.summary:summarize"),
        plots={"gantt": lazy("optikit_energy.gantt:draw")},
        samples=samples,
        replan=_replanning(),
    )


def _replanning() -> Replanning:
    from optikit_energy.replan import capability

    return capability()


@hookimpl
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    register(problem_type())



@hookimpl
def export_tables(
    problem_type: str, problem: Any, document: dict[str, Any]
) -> dict[str, list[dict[str, Any]]] | None:
    """The schedule and the jobs' lateness, the tariff and the switch-ons."""
    if problem_type != NAME:
        return None
    from optikit_energy.export import energy_tables

    return energy_tables(problem, document)
