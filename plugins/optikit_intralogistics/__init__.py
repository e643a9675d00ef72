"""Built-in plugin: the ``intralogistics`` problem type (AGV and tow-train transport orders).

Transport orders (pickup, delivery, load, time windows, due time, priority) served by a
fleet with capacities, speeds, shifts and batteries, over a plant layout (shortest paths on
the aisle graph), a given matrix or coordinates; re-planning from vehicles under way with
loads on board.  Also reads Li & Lim ``.pdptw`` files (vehicles first, then distance).
Formulations: ``routing`` (the default: small plants proven exactly; else PyVRP's search
where it models the plant and is installed, otherwise OR-Tools routing with a tuned
start, guided local search and route elimination) and ``routing-plain`` (default search,
the baseline), both on this plugin's ``ortools-routing`` backend (paradigm ``routing``);
``pyvrp`` on the ``pyvrp`` backend (paradigm ``routing-ils``, extra ``optikit[pyvrp]``);
``cpsat`` exact.  Nothing heavy is imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optikit import hookimpl
from optikit.lazy import lazy
from optikit.sheets.export import tables_hook
from optikit.types import Backend, Formulation, ProblemType, Reader
from optikit_intralogistics.options import (
    CPSAT_OPTIONS,
    PLAIN_OPTIONS,
    PYVRP_OPTIONS,
    ROUTING_OPTIONS,
)
from optikit_intralogistics.spec import ILS_PARADIGM, PARADIGM

NAME = "intralogistics"
# Samples ship inside the package (wheels too); problems/intralogistics links here.
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


def _samples() -> tuple[Path, ...]:
    if not SAMPLES_DIR.is_dir():
        return ()
    suffixes = (".yaml", ".yml", ".json", ".pdptw")
    return tuple(sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in suffixes))


def problem_type() -> ProblemType:
    """The ``intralogistics`` problem type as registered with the core."""
    from optikit_intralogistics.schema import SCHEMA

    return ProblemType(
        name=NAME,
        schema=SCHEMA,
        parse=lazy("optikit_intralogistics.model:parse"),
        check=lazy("optikit_intralogistics.checker:check"),
        formulations=[
            Formulation(
                "routing", PARADIGM, lazy("optikit_intralogistics.staged:solve"),
                "small plants proven exactly (exhaustive search, then CP-SAT); else "
                "PyVRP's search where it models the plant and optikit[pyvrp] is "
                "installed, otherwise OR-Tools routing: parallel cheapest insertion, "
                "guided local search, route elimination (vehicles first), distance polish",
                options=ROUTING_OPTIONS,
            ),
            Formulation(
                "routing-plain", PARADIGM,
                lazy("optikit_intralogistics.formulation:solve_plain"),
                "the same routing model with OR-Tools' default search (baseline)",
                options=PLAIN_OPTIONS,
            ),
            Formulation(
                "pyvrp", ILS_PARADIGM, lazy("optikit_intralogistics.pyvrp_formulation:solve"),
                "the same routing model solved by PyVRP's iterated local search (extra "
                "optikit[pyvrp]; no batteries, loads on board or lateness costs)",
                options=PYVRP_OPTIONS,
            ),
            Formulation(
                "cpsat", "cp-sat", lazy("optikit_intralogistics.cpsat_exact:solve"),
                "exact CP-SAT model for small plants (up to 10 orders; no batteries): "
                "proves optimality",
                options=CPSAT_OPTIONS,
            ),
        ],
        description="in-plant transport orders: pickup and delivery with windows, AGV "
        "capacity, batteries and shifts over a plant layout; Li & Lim PDPTW files",
        sense="min",
        default_solvers=("ortools-routing",),
        generate=lazy("optikit_intralogistics.generator:generate"),
        summarize=lazy("optikit_intralogistics.summary:summarize"),
        plots={"gantt": lazy("optikit_intralogistics.chart:draw")},
        samples=_samples(),
    )


@hookimpl
def register_problem_types(register: Callable[[ProblemType], None]) -> None:
    register(problem_type())


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    from optikit_intralogistics.backend import RoutingBackend
    from optikit_intralogistics.pyvrp_backend import PyVRPBackend

    register(RoutingBackend())
    register(PyVRPBackend())


@hookimpl
def register_readers(register: Callable[[Reader], None]) -> None:
    register(
        Reader(
            name="pdptw",
            extensions=(".pdptw",),
            problem_type=NAME,
            read=lazy("optikit_intralogistics.reader:read_pdptw"),
            description="Li & Lim pickup-and-delivery files (vehicles V1.., lexicographic "
            "objective)",
        )
    )


# The plant tables for ``optikit export`` and the interactive chart.
export_tables = hookimpl(tables_hook(NAME, "optikit_intralogistics.export:route_tables"))
