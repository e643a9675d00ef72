"""Problem type ``pooling``: refinery pooling and blending, solved to proven global optima.

Inputs (crude fractions, components) flow through pools (tanks) into products with
quality specs; a pool's quality is the flow-weighted mean of what entered it, which makes
the model bilinear and non-convex.  Formulations:

- ``pq`` (default; quadratic paradigm, SCIP): the pq-formulation with its redundant rows,
  started from optikit's alternating-LP multi-start, proven globally optimal by SCIP;
- ``mccormick`` (linear, MILP): a piecewise McCormick relaxation on any MILP backend for a
  certified bound, with a repair LP for a feasible answer (one period or several);
- ``slp`` (linear): successive linear programming, as refinery LP tools do; local only,
  never reported optimal (one period or several);
- ``p-plain`` (quadratic, SCIP): the p-formulation without heuristic, the baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optikit import hookimpl, lazy
from optikit.options import OptionSpec
from optikit.types import Formulation, Paradigm, ProblemType
from optikit_pooling.checker import check
from optikit_pooling.model import PoolingProblem, parse
from optikit_pooling.schema import SCHEMA

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"

_STARTS = OptionSpec("starts", int, 10, "alternating-LP multi-start: number of starts",
                     minimum=1, maximum=100000)


def _needs_integer(problem: PoolingProblem) -> bool:
    return problem.needs_integer


def _always_integer(problem: PoolingProblem) -> bool:
    return True


def _samples() -> tuple[Path, ...]:
    if not SAMPLES_DIR.is_dir():
        return ()
    return tuple(sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in (".yaml", ".json")))


def formulations() -> list[Formulation]:
    return [
        Formulation(
            "pq", Paradigm.QUADRATIC, lazy("optikit_pooling.global_pq:solve_pq"),
            description="pq-formulation with redundant rows; alternating-LP multi-start "
                        "as SCIP's hint; proven global optimum",
            needs_integer=_needs_integer,
            options=(
                OptionSpec("heuristic", bool, True,
                           "run optikit's multi-start before the global solve (alternating "
                           "LP; over several periods SLP from the LP relaxation)"),
                _STARTS,
            ),
        ),
        Formulation(
            "mccormick", Paradigm.LINEAR, lazy("optikit_pooling.mccormick:solve_mccormick"),
            description="piecewise McCormick MILP relaxation: certified upper bound; repair "
                        "LP and alternating LP (several periods: SLP, and pieces refined "
                        "round by round) for a feasible answer",
            needs_integer=_always_integer,
            options=(
                OptionSpec("segments", int, 4, "pieces per composition variable",
                           minimum=1, maximum=64),
                _STARTS,
            ),
        ),
        Formulation(
            "slp", Paradigm.LINEAR, lazy("optikit_pooling.slp:solve_slp"),
            description="successive linear programming from one start: a local optimum, "
                        "never reported optimal",
            needs_integer=_needs_integer,
            options=(
                OptionSpec("start", str, "uniform", "starting pool compositions",
                           choices=("uniform", "first", "random")),
                OptionSpec("iterations", int, 100, "most LPs to solve", minimum=1,
                           maximum=100000),
            ),
        ),
        Formulation(
            "p-plain", Paradigm.QUADRATIC, lazy("optikit_pooling.global_pq:solve_p_plain"),
            description="baseline: p-formulation (pool qualities as variables) on SCIP, "
                        "no heuristic, no redundant rows",
            needs_integer=_needs_integer,
        ),
    ]


def problem_type() -> ProblemType:
    """The ``pooling`` problem type as registered with the core."""
    return ProblemType(
        name="pooling",
        schema=SCHEMA,
        parse=parse,
        check=check,
        formulations=formulations(),
        description="Refinery pooling: blend inputs through tanks into products with "
                    "quality specs, maximum profit, proven global optimum",
        sense="max",
        default_solvers=("scip", "highs", "cbc", "ortools-highs", "pulp-highs"),
        generate=lazy("optikit_pooling.generator:generate"),
        summarize=lazy("optikit_pooling.summary:summarize"),
        plots={"gantt": lazy("optikit_pooling.chart:draw")},
        samples=_samples(),
    )


@hookimpl
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    register(problem_type())
