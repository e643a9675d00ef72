"""Built-in plugin: the ``fjsp`` problem type (mixed-model flexible production scheduling).

Jobs of product families run through machines with alternative modes, release and due
dates, tardiness weights and sequence-dependent changeovers; objectives makespan, total
weighted tardiness or a weighted mix.  Formulations: ``cpsat`` (dispatching hint, global
CP-SAT, then large-neighbourhood search), ``cpsat-plain`` (the textbook CP-SAT model, for
comparison) and ``milp`` (disjunctive MILP for any linear backend; small instances).
Also reads Brandimarte-style ``.fjs`` files.  :mod:`optikit_fjsp.shop` is the job-shop
model shared with other scheduling types.  Nothing heavy is imported at module level.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from optikit import hookimpl
from optikit.types import Backend, Formulation, Outcome, ProblemType, Reader, SolveContext

NAME = "fjsp"
# Sample files live in the repository's problems/fjsp/ (present in source checkouts).
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "problems" / "fjsp"


def _parse(document: Any) -> Any:
    from optikit_fjsp.model import parse

    return parse(document)


def _check(problem: Any, payload: Any) -> Any:
    from optikit_fjsp.checker import check

    return check(problem, payload)


def _solve_cpsat(problem: Any, backend: Backend, ctx: SolveContext) -> Outcome:
    from optikit_fjsp.cpsat import solve

    return solve(problem, backend, ctx)


def _solve_plain(problem: Any, backend: Backend, ctx: SolveContext) -> Outcome:
    from optikit_fjsp.plain import solve

    return solve(problem, backend, ctx)


def _solve_milp(problem: Any, backend: Backend, ctx: SolveContext) -> Outcome:
    from optikit_fjsp.milp import solve

    return solve(problem, backend, ctx)


def _generate(seed: int, size: str) -> dict[str, Any]:
    from optikit_fjsp.generator import generate

    return generate(seed, size)


def _summarize(problem: Any, document: Any) -> list[tuple[str, str]]:
    from optikit_fjsp.summary import summarize

    return summarize(problem, document)


def _gantt(problem: Any, document: Any, path: Path) -> None:
    from optikit_fjsp.gantt import draw

    draw(problem, document, path)


def _read_fjs(path: Path) -> dict[str, Any]:
    from optikit_fjsp.reader import read_fjs

    return read_fjs(path)


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
        parse=_parse,
        check=_check,
        formulations=[
            Formulation(
                "cpsat",
                "cp-sat",
                _solve_cpsat,
                "CP-SAT with optional intervals per mode, circuits for changeovers; "
                "dispatching hint, then large-neighbourhood search",
            ),
            Formulation(
                "cpsat-plain",
                "cp-sat",
                _solve_plain,
                "the textbook CP-SAT model, one solver call (for comparison)",
            ),
            Formulation(
                "milp",
                "linear",
                _solve_milp,
                "disjunctive big-M MILP with machine choice (small instances)",
                needs_integer=lambda problem: True,
            ),
        ],
        description="mixed-model flexible job shop: modes, releases, due dates, weights, "
        "sequence-dependent changeovers; makespan / weighted tardiness",
        sense="min",
        default_solvers=("cpsat",),
        generate=_generate,
        summarize=_summarize,
        plots={"gantt": _gantt},
        samples=_samples(),
    )


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
            read=_read_fjs,
            description="Brandimarte-style flexible job shop files (jobs J1.., machines M1..)",
        )
    )
