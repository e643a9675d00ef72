"""Problem type ``blend``: minimum-cost raw-material blends with composition limits.

Furnace burdens, sinter feeds, feed mixes and alloy charges: materials with costs and
analyses, product specs in mass %, ratios such as basicity, group shares and counts,
lots, and per-material processing losses.  One ``linear`` formulation (LP, or MILP when
lots or counts are present) solved by any linear backend.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from optikit import hookimpl
from optikit.lazy import lazy
from optikit.types import Formulation, Paradigm, ProblemType
from optikit_blend.checker import check
from optikit_blend.formulation import solve_linear
from optikit_blend.generator import generate
from optikit_blend.model import BlendProblem, parse
from optikit_blend.schema import SCHEMA
from optikit_blend.summary import summarize

# Samples ship inside the package (wheels too); problems/blend links here.
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


def _needs_integer(problem: BlendProblem) -> bool:
    return problem.needs_integer


def _samples() -> tuple[Path, ...]:
    if not SAMPLES_DIR.is_dir():
        return ()
    return tuple(sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in (".yaml", ".yml", ".json")))


def problem_type() -> ProblemType:
    """The ``blend`` problem type as registered with the core."""
    return ProblemType(
        name="blend",
        schema=SCHEMA,
        parse=parse,
        check=check,
        formulations=[
            Formulation(
                name="linear",
                paradigm=Paradigm.LINEAR,
                solve=solve_linear,
                description=(
                    "LP over tonnes charged per tonne of product; binaries for lots and counts"
                ),
                needs_integer=_needs_integer,
            )
        ],
        description="Minimum-cost blend of raw materials meeting composition limits",
        sense="min",
        default_solvers=("highs", "cbc", "scip", "ortools-highs", "glop", "pulp-highs"),
        generate=generate,
        summarize=summarize,
        plots={"gantt": lazy("optikit_blend.chart:draw")},
        samples=_samples(),
    )


@hookimpl
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    register(problem_type())


@hookimpl
def export_tables(
    problem_type: str, problem: Any, document: dict[str, Any]
) -> dict[str, list[dict[str, Any]]] | None:
    """The charge and the composition against specs for ``optikit export``."""
    if problem_type != "blend":
        return None
    from optikit_blend.export import blend_tables

    return blend_tables(problem, document)
