"""Built-in plugin: the ``energy-scheduling`` problem type (energy-aware flexible job shop).

A flexible job shop (the shared model of :mod:`optikit_fjsp.shop`) on a time grid with a
time-of-use tariff, carbon intensity per period, power per mode, machine idle power and
switch-on energy, and a plant peak-power cap.  Formulations: ``cpsat`` (CP-SAT, with a
constructive hint and large-neighbourhood search) and ``milp`` (time-indexed, through any
linear backend; small instances only).  Nothing heavy is imported at module level.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from optikit import hookimpl
from optikit.types import Backend, Formulation, Outcome, ProblemType, SolveContext

NAME = "energy-scheduling"
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "problems" / "energy-scheduling"


def _parse(doc: Any) -> Any:
    from optikit_energy.model import parse

    return parse(doc)


def _check(problem: Any, payload: Any) -> Any:
    from optikit_energy.checker import check

    return check(problem, payload)


def _solve_cpsat(problem: Any, backend: Backend, ctx: SolveContext) -> Outcome:
    from optikit_energy.cpsat import solve

    return solve(problem, backend, ctx)


def _solve_milp(problem: Any, backend: Backend, ctx: SolveContext) -> Outcome:
    from optikit_energy.milp import solve

    return solve(problem, backend, ctx)


def _generate(seed: int, size: str) -> dict[str, Any]:
    from optikit_energy.generator import generate

    return generate(seed, size)


def _summarize(problem: Any, document: Any) -> list[tuple[str, str]]:
    from optikit_energy.summary import summarize

    return summarize(problem, document)


def _gantt(problem: Any, document: Any, path: Path) -> None:
    from optikit_energy.gantt import draw

    draw(problem, document, path)


def problem_type() -> ProblemType:
    from optikit_energy.schema import SCHEMA

    samples = sorted(SAMPLES_DIR.glob("*.yaml")) if SAMPLES_DIR.is_dir() else []
    return ProblemType(
        name=NAME,
        schema=SCHEMA,
        parse=_parse,
        check=_check,
        formulations=[
            Formulation(
                "cpsat",
                "cp-sat",
                _solve_cpsat,
                "CP-SAT: per-tariff-period energy cost, cumulative peak cap, circuits for "
                "switch-offs; constructive hint and large-neighbourhood search",
            ),
            Formulation(
                "milp",
                "linear",
                _solve_milp,
                "time-indexed MILP (small instances; no sequence-dependent setups)",
                needs_integer=lambda problem: True,
            ),
        ],
        description="energy-aware flexible job shop: time-of-use tariff, carbon, "
        "power per mode, idle power and switch-ons, peak-power cap",
        sense="min",
        default_solvers=("cpsat",),
        generate=_generate,
        summarize=_summarize,
        plots={"gantt": _gantt},
        samples=samples,
    )


@hookimpl
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    register(problem_type())
