"""Formulation ``routing``, the type's default: the strongest method the plant allows.

1. At most ``exact_orders`` orders: the exhaustive search, proven optimal.
2. At most ``cpsat_orders`` orders and no batteries: the exact CP-SAT model (``cpsat``
   backend) for ``cpsat_share`` of the time; a proof (optimal or infeasible) ends the run,
   an unproven plan is kept for the end.
3. ``engine=auto`` (default), a plant PyVRP models (no batteries, no loads on board, no
   lateness costs) and the ``pyvrp`` extra installed: PyVRP's search on the same routing
   model, which reaches the Li & Lim best-known vehicle counts far more often than
   OR-Tools' guided local search (benchmarks/intralogistics/README.md).
4. Otherwise, or when PyVRP found no plan: OR-Tools routing with route elimination.

The better of a step-2 plan and the search's plan is returned; the core's independent
checker verifies whichever it is, like any other answer.
"""

from __future__ import annotations

from typing import Any

from optikit.paradigms import CpSatBackend
from optikit.types import Outcome, SolveContext, Status
from optikit_intralogistics import cpsat_exact
from optikit_intralogistics.backend import RoutingBackend
from optikit_intralogistics.formulation import _budget, exhaustive, solve_ortools
from optikit_intralogistics.model import Plant
from optikit_intralogistics.options import PYVRP_OPTIONS, ROUTING_OPTIONS

CPSAT_BACKEND, PYVRP_BACKEND = "cpsat", "pyvrp"


def solve(plant: Plant, backend: RoutingBackend, ctx: SolveContext) -> Outcome:
    """Exhaustive search, exact CP-SAT model, then PyVRP or OR-Tools (module docstring)."""
    opts = ctx.options_for(ROUTING_OPTIONS)
    proven = exhaustive(plant, ctx, opts)
    if proven is not None:
        return proven
    exact = _cpsat_first(plant, ctx, opts)
    if exact is not None and exact.status in (Status.OPTIMAL, Status.INFEASIBLE):
        return exact
    searched = _search(plant, backend, ctx, opts)
    return _better(plant, exact, searched, ctx.options.gap)


def _search(plant: Plant, backend: RoutingBackend, ctx: SolveContext, opts: dict[str, Any]
            ) -> Outcome:
    """PyVRP where it models the plant and is installed (``engine=auto``), else OR-Tools."""
    engine, why = _engine(plant, ctx, opts)
    if engine is not None:
        from optikit_intralogistics.pyvrp_formulation import search

        defaults = {o.name: o.default for o in PYVRP_OPTIONS}
        defaults["no_limit_seconds"] = opts["no_limit_seconds"]
        found = search(plant, engine, ctx, defaults)
        found.stats["engine"] = "pyvrp"
        if found.payload is not None or ctx.expired():
            return found
        why = f"PyVRP found no plan ({found.message})"
    out = solve_ortools(plant, backend, ctx)
    out.stats["engine"] = "ortools"
    out.stats["engine_reason"] = why
    return out


def _engine(plant: Plant, ctx: SolveContext, opts: dict[str, Any]) -> tuple[Any, str]:
    """(the PyVRP backend to search with, or None; why not, for the stats)."""
    if opts["engine"] != "auto":
        return None, f"engine={opts['engine']}"
    from optikit_intralogistics.pyvrp_backend import PyVRPBackend
    from optikit_intralogistics.pyvrp_formulation import unrepresentable

    field = unrepresentable(plant)
    if field is not None:
        return None, f"PyVRP cannot model {field}"
    found = ctx.backend_of(PYVRP_BACKEND, PyVRPBackend)
    if found is None:
        return None, "the pyvrp backend is unavailable (pip install 'optikit[pyvrp]')"
    return found, ""


def _cpsat_first(plant: Plant, ctx: SolveContext, opts: dict[str, Any]) -> Outcome | None:
    """The exact CP-SAT model on a small plant for a share of the time (None: not run)."""
    cap = opts["cpsat_orders"]
    if cpsat_exact.unsuited(plant, cap) is not None or ctx.expired():
        return None
    cpsat = ctx.backend_of(CPSAT_BACKEND, CpSatBackend)
    if cpsat is None:
        return None
    seconds = _budget(ctx, opts["no_limit_seconds"]) * opts["cpsat_share"]
    out = cpsat_exact.solve_capped(plant, cpsat, ctx.narrowed(seconds, progress=True), cap)
    out.stats["engine"] = "cpsat"
    return out


def _key(plant: Plant, out: Outcome) -> tuple[float, float]:
    if out.payload is None or out.objective is None:
        return (float("inf"), float("inf"))
    vehicles = out.analysis.get("vehicles", 0) if plant.objective.lexicographic else 0
    return (float(vehicles), out.objective)


def _better(plant: Plant, exact: Outcome | None, searched: Outcome, gap: float) -> Outcome:
    """The search's plan unless the CP-SAT stage's is better; CP-SAT's bound carries over
    (a lexicographic bound only at its vehicle count) and may prove the search's plan."""
    if exact is None:
        return searched
    stats = {**exact.stats, **searched.stats}
    if _key(plant, exact) < _key(plant, searched):
        exact.stats = {**stats, "plan_from": "cpsat"}
        return exact
    searched.stats = stats
    same_fleet = _key(plant, exact)[0] == _key(plant, searched)[0]
    if exact.payload is None or exact.bound is None or not same_fleet:
        return searched
    assert searched.objective is not None
    searched.bound = min(exact.bound, searched.objective)
    if searched.objective - searched.bound <= gap * max(abs(searched.objective), 1e-9):
        searched.status = Status.OPTIMAL
    return searched
