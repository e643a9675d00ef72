"""Built-in plugin: the ``car-sequencing`` problem type (mixed-model assembly line).

The order of cars on a paced line decides whether the option stations (sunroof, air
conditioning...) keep up with their "at most p cars in q" ratings and how often the paint
shop changes colour.  Formulations: ``cpsat`` (greedy start, local search (a numpy best-move
search on long lines with paint rules, ``--option swap_search``), hinted CP-SAT with redundant
remaining-demand constraints, then large-neighbourhood search), ``cpsat-plain`` (the
direct model, the baseline) and ``milp`` (the assignment MILP on any linear backend).
Also reads CSPLib prob001 ``.carseq`` files.  Nothing heavy is imported at module level.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optikit import hookimpl
from optikit.lazy import lazy
from optikit.sheets.export import tables_hook
from optikit.types import Formulation, Paradigm, ProblemType, Reader
from optikit_carseq.options import CPSAT_OPTIONS

NAME = "car-sequencing"
# Samples ship inside the package (wheels too); problems/car-sequencing links here.
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


def _samples() -> tuple[Path, ...]:
    if not SAMPLES_DIR.is_dir():
        return ()
    suffixes = (".yaml", ".yml", ".json", ".carseq")
    return tuple(sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in suffixes))


def problem_type() -> ProblemType:
    """The ``car-sequencing`` problem type as registered with the core."""
    from optikit_carseq.schema import SCHEMA

    return ProblemType(
        name=NAME,
        schema=SCHEMA,
        parse=lazy("optikit_carseq.model:parse"),
        check=lazy("optikit_carseq.checker:check"),
        formulations=[
            Formulation(
                "cpsat",
                Paradigm.CP_SAT,
                lazy("optikit_carseq.cpsat:solve"),
                "greedy start, hinted CP-SAT with remaining-demand constraints, then "
                "large-neighbourhood search over windows and positions",
                options=CPSAT_OPTIONS,
            ),
            Formulation(
                "cpsat-plain",
                Paradigm.CP_SAT,
                lazy("optikit_carseq.plain:solve"),
                "booleans per position and class, window sums with excess variables; one "
                "solver call (the baseline)",
            ),
            Formulation(
                "milp",
                Paradigm.LINEAR,
                lazy("optikit_carseq.milp:solve"),
                "position x class binaries with window-excess variables on any linear "
                "backend (small lines; cross-checks the CP-SAT optimum)",
                needs_integer=lambda problem: True,
            ),
        ],
        description="mixed-model assembly line sequencing: option capacities p/q, paint "
        "batches and colour changes, yesterday's cars, level scheduling",
        sense="min",
        default_solvers=("cpsat",),
        generate=lazy("optikit_carseq.generator:generate"),
        summarize=lazy("optikit_carseq.summary:summarize"),
        plots={"gantt": lazy("optikit_carseq.chart:draw")},
        samples=_samples(),
    )


@hookimpl
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    register(problem_type())


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(
        Reader(
            name="carseq",
            extensions=(".carseq",),
            problem_type=NAME,
            read=lazy("optikit_carseq.reader:read_carseq"),
            description="CSPLib prob001 car sequencing files (options O1.., classes by id)",
        )
    )


# The plant tables for ``optikit export`` and the interactive chart.
export_tables = hookimpl(tables_hook(NAME, "optikit_carseq.export:sequence_tables"))
