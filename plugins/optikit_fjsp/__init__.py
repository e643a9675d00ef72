"""Built-in plugin: the ``fjsp`` problem type (mixed-model flexible production scheduling).

Jobs of product families run through machines with alternative modes, release and due
dates, tardiness weights and sequence-dependent changeovers; objectives makespan, total
weighted tardiness or a weighted mix.  Formulations: ``cpsat`` (dispatching hint, global
CP-SAT, then large-neighbourhood search), ``cpsat-plain`` (the textbook CP-SAT model, for
comparison) and ``milp`` (disjunctive MILP for any linear backend; small instances).
Also reads Brandimarte-style ``.fjs`` files.  The job-shop model it shares with other
scheduling types is the core's :mod:`optikit.scheduling`.  Nothing heavy is imported at
module level.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optikit import hookimpl
from optikit.lazy import lazy
from optikit.scheduling.export import export_hook
from optikit.types import Formulation, Paradigm, ProblemType, Reader, Replanning
from optikit_fjsp.options import CPSAT_OPTIONS

NAME = "fjsp"
# Samples ship inside the package (wheels too); problems/fjsp links here.
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


def _samples() -> tuple[Path, ...]:
    if not SAMPLES_DIR.is_dir():
        return ()
    return tuple(
        sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in (".yaml", ".yml", ".json", ".fjs"))
    )


def problem_type() -> ProblemType:
    """The ``fjsp`` problem type as registered with the core."""
    from optikit_fjsp.schema import SCHEMA

    return ProblemType(
        name=NAME,
        schema=SCHEMA,
        parse=lazy("optikit_fjsp.model:parse"),
        check=lazy("optikit_fjsp.checker:check"),
        formulations=[
            Formulation(
                "cpsat",
                Paradigm.CP_SAT,
                lazy("optikit_fjsp.cpsat:solve"),
                "CP-SAT with optional intervals per mode, circuits for changeovers; "
                "dispatching hint, then large-neighbourhood search",
                options=CPSAT_OPTIONS,
            ),
            Formulation(
                "cpsat-plain",
                Paradigm.CP_SAT,
                lazy("optikit_fjsp.plain:solve"),
                "the textbook CP-SAT model, one solver call (for comparison)",
            ),
            Formulation(
                "milp",
                Paradigm.LINEAR,
                lazy("optikit_fjsp.milp:solve"),
                "disjunctive big-M MILP with machine choice (small instances)",
                needs_integer=lambda problem: True,
            ),
        ],
        description="mixed-model flexible job shop: modes, releases, due dates, weights, "
        "sequence-dependent changeovers; makespan / weighted tardiness",
        sense="min",
        default_solvers=("cpsat",),
        generate=lazy("optikit_fjsp.generator:generate"),
        summarize=lazy("optikit_fjsp.summary:summarize"),
        plots={"gantt": lazy("optikit_fjsp.gantt:draw")},
        samples=_samples(),
        replan=_replanning(),
    )


def _replanning() -> Replanning:
    from optikit_fjsp.replan import capability

    return capability()


@hookimpl
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    register(problem_type())


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(
        Reader(
            name="fjs",
            extensions=(".fjs",),
            problem_type=NAME,
            read=lazy("optikit_fjsp.reader:read_fjs"),
            description="Brandimarte-style flexible job shop files (jobs J1.., machines M1..)",
        )
    )



# The schedule and the jobs' lateness for ``optikit export``.
export_tables = hookimpl(export_hook(NAME))
