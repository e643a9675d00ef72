"""Built-in plugin: the ``lot-sizing`` problem type (capacitated lot sizing and purchasing).

How much to make or buy of which item in which period: setups cost time and money,
stock costs holding, resources have a capacity per period (and optional overtime), a
multi-level bill of materials with lead times links items, purchased parts come from
suppliers with lead times, minimum order quantities, order multiples, all-units price
breaks and fixed order costs; demand may be backlogged at a cost.  Formulations on any
linear backend: ``fl`` (facility-location reformulation, default), ``rf`` (relax-and-fix
and fix-and-optimise on top of ``fl``, for large instances) and ``bigm`` (the plain
aggregate model, the baseline).  Also reads Trigeiro-Thomas-McClain ``.clsp`` files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optikit import hookimpl
from optikit.lazy import lazy
from optikit.options import OptionSpec
from optikit.types import Formulation, ProblemType, Reader

NAME = "lot-sizing"
# Samples ship inside the package (wheels too); problems/lot-sizing links here.
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


def _samples() -> tuple[Path, ...]:
    if not SAMPLES_DIR.is_dir():
        return ()
    suffixes = (".yaml", ".yml", ".json", ".clsp")
    return tuple(sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in suffixes))


def _integer(problem: object) -> bool:
    return bool(getattr(problem, "needs_integer", True))


RF_OPTIONS = (
    OptionSpec("window", int, 6, "periods with integer setups per relax-and-fix step",
               minimum=1),
    OptionSpec("step", int, 4, "periods fixed after each relax-and-fix step", minimum=1),
    OptionSpec("share", float, 0.5, "share of the time limit for the heuristic; the rest "
               "goes to the full model for a bound", minimum=0.05, maximum=0.95),
)


#: ``fl``'s option: the share of the time left after fix-and-optimise that large models
#: give the product-structure Lagrangian (:mod:`optikit_lotsizing.lagrange`) before the
#: MILP; 0 (off) by default: in 60 s it stays below the MILP's own bound (README, "The
#: scale gap: multi-level moves and bound (branch lot-s15)").
FL_OPTIONS = (
    OptionSpec("lagrangian", float, 0.0, "share of the time after fix-and-optimise that "
               "large models give the product-structure Lagrangian bound before the MILP "
               "(0: off)", minimum=0.0, maximum=0.9),
)


def problem_type() -> ProblemType:
    """The ``lot-sizing`` problem type as registered with the core."""
    from optikit_lotsizing.schema import SCHEMA

    return ProblemType(
        name=NAME,
        schema=SCHEMA,
        parse=lazy("optikit_lotsizing.model:parse"),
        check=lazy("optikit_lotsizing.checker:check"),
        formulations=[
            Formulation(
                "fl", "linear", lazy("optikit_lotsizing.heuristic:solve_fl"),
                "facility-location bound in projected form: (l,S) inequalities on echelon "
                "requirements separated at the root for the bound, a rounded-LP start plan "
                "as the MIP start, then the MILP; with HiGHS on small models (up to 300 "
                "setup columns) the start fixes the facility-location LP's closed and open "
                "setups and the MILP has per-period setup counts, RINS and RENS off; "
                "on large models (and with HiGHS multi-level ones from 400 columns) the "
                "constructed plan, its purchases re-planned by a dynamic programme, "
                "improved by fix-and-optimise windows (with HiGHS instead of the cut loop)",
                needs_integer=_integer, options=FL_OPTIONS,
            ),
            Formulation(
                "fl-extended", "linear",
                lazy("optikit_lotsizing.formulation:solve_fl_extended"),
                "facility-location MILP with its z variables written out (large LPs)",
                needs_integer=_integer,
            ),
            Formulation(
                "rf", "linear", lazy("optikit_lotsizing.heuristic:solve_rf"),
                "relax-and-fix, then fix-and-optimise, on the facility-location model; "
                "then the full model for the bound", needs_integer=_integer,
                options=RF_OPTIONS,
            ),
            Formulation(
                "bigm", "linear", lazy("optikit_lotsizing.formulation:solve_bigm"),
                "plain aggregate big-M MILP (baseline)", needs_integer=_integer,
            ),
        ],
        description="capacitated multi-level lot sizing and purchasing: setups, stock, "
        "capacity and overtime, BOM lead times, suppliers with MOQ and price breaks",
        sense="min",
        default_solvers=("highs", "cbc", "scip", "ortools-highs", "pulp-highs"),
        generate=lazy("optikit_lotsizing.generator:generate"),
        summarize=lazy("optikit_lotsizing.summary:summarize"),
        plots={"gantt": lazy("optikit_lotsizing.chart:draw")},
        samples=_samples(),
    )


@hookimpl
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    register(problem_type())


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(
        Reader(
            name="clsp",
            extensions=(".clsp",),
            problem_type=NAME,
            read=lazy("optikit_lotsizing.reader:read_clsp"),
            description="Trigeiro-Thomas-McClain capacitated lot-sizing files "
            "(items I1.., machine M1)",
        )
    )
