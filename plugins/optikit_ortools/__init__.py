"""Built-in plugin: the OR-Tools backends.

``cpsat`` (paradigm ``cp-sat``) and the MathOpt linear backends ``glop``, ``pdlp``
(LP only), ``scip`` and ``ortools-highs`` (MILP); ``scip`` also takes the ``quadratic``
paradigm (bilinear models, solved to global optimality).  Nothing here imports OR-Tools at
module level: the solvers are imported when a backend is probed or used.
"""

from __future__ import annotations

from collections.abc import Callable

from optikit import hookimpl
from optikit.types import Backend
from optikit_ortools.cpsat import CpSatBackend
from optikit_ortools.mathopt_backend import GLOP, GSCIP, HIGHS, PDLP, MathOptBackend
from optikit_ortools.mathopt_quadratic import MathOptGlobalBackend


def mathopt_backends() -> list[MathOptBackend]:
    """The linear backends this plugin offers (also used directly by tests)."""
    return [
        MathOptBackend("glop", GLOP, "Google GLOP primal/dual simplex through MathOpt (LP only)"),
        MathOptBackend("pdlp", PDLP, "Google PDLP first-order LP solver through MathOpt (LP only)"),
        MathOptGlobalBackend(
            "scip", GSCIP,
            "SCIP branch-and-cut through MathOpt (LP/MILP, and bilinear models to global "
            "optimality)",
        ),
        MathOptBackend(
            "ortools-highs",
            HIGHS,
            "HiGHS bundled in OR-Tools, through MathOpt (LP/MILP; stops only at its time limit)",
        ),
    ]


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    register(CpSatBackend())
    for backend in mathopt_backends():
        register(backend)
