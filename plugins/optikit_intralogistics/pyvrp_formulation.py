"""Formulation ``pyvrp``: the routing model solved whole by PyVRP (``pyvrp`` backend).

The model is the one ``routing`` builds (same nodes, scaled matrices and windows, a
vehicle cost above any set of arcs for lexicographic objectives); PyVRP's iterated local
search runs on it to the time limit.  Plants PyVRP cannot represent are refused up front,
naming the field: batteries and charging, loads already on board, and lateness costs.
A plan is ``feasible``, never ``optimal``.
"""

from __future__ import annotations

from optikit.types import InvalidProblem, Outcome, SolveContext
from optikit_intralogistics.build import build, nodes_of
from optikit_intralogistics.evaluate import value
from optikit_intralogistics.formulation import _budget, _outcome, _plan
from optikit_intralogistics.model import Plant
from optikit_intralogistics.options import PYVRP_OPTIONS
from optikit_intralogistics.pyvrp_backend import PyVRPBackend
from optikit_intralogistics.spec import RoutingSearch


def refuse_unrepresentable(plant: Plant) -> None:
    """InvalidProblem naming the first field PyVRP cannot model (exit 2)."""
    for veh in plant.vehicles:
        where = f"vehicles[{veh.source}]"
        if veh.battery is not None:
            raise InvalidProblem(f"{where}.battery", "the pyvrp formulation cannot model "
                                 "batteries and charging (use --formulation routing)")
        if veh.on_board:
            raise InvalidProblem(f"{where}.state.on_board", "the pyvrp formulation cannot "
                                 "model loads already on board (use --formulation routing)")
    weights = plant.objective
    if not weights.lexicographic and (weights.lateness > 0 or weights.priority > 0):
        for k, order in enumerate(plant.orders):
            if order.due is not None:
                raise InvalidProblem(f"orders[{k}].due", "the pyvrp formulation cannot "
                                     "model lateness costs (use --formulation routing)")


def solve(plant: Plant, backend: PyVRPBackend, ctx: SolveContext) -> Outcome:
    """Build the routing model, run PyVRP to the deadline, keep the best plan."""
    refuse_unrepresentable(plant)
    opts = ctx.options_for(PYVRP_OPTIONS)
    nodes = nodes_of(plant, 1)
    fleet = list(range(len(plant.vehicles)))
    cost = opts["vehicle_cost"]
    built = build(plant, nodes, fleet, vehicle_cost=cost if cost > 0 else None)

    def on_routes(routes: list[list[int]]) -> None:
        plan = {built.vehicles[m]: r for m, r in enumerate(routes)}
        ctx.report(value(plant, nodes, plan).objective(plant), source="pyvrp")

    search = RoutingSearch(time_limit=_budget(ctx, opts["no_limit_seconds"]),
                           on_routes=on_routes, seed=ctx.options.seed)
    result = backend.solve(built.spec, ctx, search)
    plan = _plan(built, result) if result.routes is not None else None
    return _outcome(plant, built, plan, dict(result.stats), result.message)
