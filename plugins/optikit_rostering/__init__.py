"""Built-in plugin: the ``rostering`` problem type (shift rostering with safety and fatigue rules).

Employees get at most one shift a day over a horizon of days; hard rules are rest between
shifts (explicit or computed from clock times), caps per shift type, total and weekly hours,
runs of shifts, nights and days off, weekends, leave and safety rules (a skill on every shift);
the penalty sums unmet on/off requests and weighted under- and over-cover (cover by skill
counts people placed at that station, one station per person on a shift).  Reads the
``.roster`` files of the Curtois & Qu benchmark and a native plant document with ``rules``
presets (Korea LSA, EU WTD).  Formulations: ``cpsat`` (sliding windows, symmetry breaking,
neighbourhood search), ``cpsat-plain`` (the baseline) and ``milp`` (any linear solver).
Nothing heavy is imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optikit import hookimpl
from optikit.lazy import lazy
from optikit.types import Formulation, Paradigm, ProblemType, Reader
from optikit_rostering.options import CPSAT_OPTIONS

NAME = "rostering"
# Samples ship inside the package; problems/rostering links here.
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


def _samples() -> tuple[Path, ...]:
    if not SAMPLES_DIR.is_dir():
        return ()
    return tuple(sorted(p for p in SAMPLES_DIR.iterdir()
                        if p.suffix in (".yaml", ".yml", ".json", ".roster")))


def problem_type() -> ProblemType:
    """The ``rostering`` problem type as registered with the core."""
    from optikit_rostering.schema import SCHEMA

    return ProblemType(
        name=NAME,
        schema=SCHEMA,
        parse=lazy("optikit_rostering.model:parse"),
        check=lazy("optikit_rostering.checker:check"),
        formulations=[
            Formulation(
                "cpsat",
                Paradigm.CP_SAT,
                lazy("optikit_rostering.cpsat:solve"),
                "CP-SAT with sliding-window rules and symmetry breaking over identical staff; "
                "column generation over employee rows first (LP bound, first roster), "
                "whole-model solve, then neighbourhood search by employee and by time block",
                options=CPSAT_OPTIONS,
            ),
            Formulation(
                "cpsat-plain",
                Paradigm.CP_SAT,
                lazy("optikit_rostering.plain:solve"),
                "the plain boolean x[e,d,s] model, one CP-SAT call (the baseline)",
            ),
            Formulation(
                "milp",
                Paradigm.LINEAR,
                lazy("optikit_rostering.milp:solve"),
                "the rules as a MILP for any linear solver (small instances; a cross-check)",
                needs_integer=lambda problem: True,
            ),
        ],
        description="shift rostering: rest, runs, weekends, weekly hours, leave, skills and "
        "safety rules; penalty for unmet requests and under/over cover",
        sense="min",
        default_solvers=("cpsat",),
        generate=lazy("optikit_rostering.generator:generate"),
        summarize=lazy("optikit_rostering.summary:summarize"),
        plots={"gantt": lazy("optikit_rostering.chart:draw")},
        samples=_samples(),
    )


@hookimpl
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    register(problem_type())


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(
        Reader(
            name="roster",
            extensions=(".roster",),
            problem_type=NAME,
            read=lazy("optikit_rostering.reader:read_roster"),
            description="Employee Shift Scheduling benchmark files (Curtois & Qu)",
        )
    )
