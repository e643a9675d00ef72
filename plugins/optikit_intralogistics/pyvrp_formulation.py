"""Formulation ``pyvrp``: the routing model solved whole by PyVRP (``pyvrp`` backend).

The model is the one ``routing`` builds (same nodes, scaled matrices and windows, a
vehicle cost above any set of arcs for lexicographic objectives); PyVRP's iterated local
search runs on it to the time limit.  Plants PyVRP cannot represent are refused up front,
naming the field: batteries and charging, loads already on board, and lateness costs.
A plan is ``feasible``, never ``optimal``.
"""

from __future__ import annotations

from typing import Any

from optikit.types import InvalidProblem, Outcome, SolveContext
from optikit_intralogistics.build import Built, Nodes, build, nodes_of
from optikit_intralogistics.dispatch import dispatch
from optikit_intralogistics.evaluate import value
from optikit_intralogistics.formulation import _budget, _Clock, _outcome, _plan
from optikit_intralogistics.model import Plant
from optikit_intralogistics.options import PYVRP_OPTIONS
from optikit_intralogistics.pyvrp_backend import PyVRPBackend
from optikit_intralogistics.spec import RoutingResult, RoutingSearch


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


def unrepresentable(plant: Plant) -> str | None:
    """The first plant field PyVRP cannot model, or None when it models the whole plant."""
    try:
        refuse_unrepresentable(plant)
    except InvalidProblem as err:
        return err.field or "?"
    return None


def solve(plant: Plant, backend: PyVRPBackend, ctx: SolveContext) -> Outcome:
    """The ``pyvrp`` formulation: refuse what PyVRP cannot model, else :func:`search`."""
    refuse_unrepresentable(plant)
    return search(plant, backend, ctx, ctx.options_for(PYVRP_OPTIONS))


def search(plant: Plant, backend: PyVRPBackend, ctx: SolveContext, opts: dict[str, Any]
           ) -> Outcome:
    """Build the routing model, run PyVRP to the deadline, keep the best plan; with
    ``fleet_share`` < 1 (lexicographic objectives) the rest of the time searches with one
    vehicle less, the shortest route's, and keeps a plan it finds.  ``opts``: the
    ``PYVRP_OPTIONS`` values (the ``routing`` formulation hands in their defaults)."""
    nodes = nodes_of(plant, 1)
    total = _budget(ctx, opts["no_limit_seconds"])
    clock = _Clock(ctx, total)
    reduce = plant.objective.lexicographic and opts["fleet_share"] < 1.0
    share = opts["fleet_share"] if reduce else 1.0
    fleet = list(range(len(plant.vehicles)))
    built, result = _search(plant, nodes, fleet, backend, ctx, opts, total * share, clock)
    stats = dict(result.stats)
    if result.routes is None:
        return _outcome(plant, built, None, stats, result.message)
    best = _plan(built, result)
    used = sorted((v for v, seq in best.items() if seq), key=lambda v: (len(best[v]), v))
    if reduce and len(used) > 1 and clock.left() > 0.1 and not ctx.stop.is_set():
        fewer, reduced = _search(plant, nodes, used[1:], backend, ctx, opts, clock.left(),
                                  clock)
        stats["fleet_reduced"] = reduced.routes is not None
        if "stopped_by_user" in reduced.stats:
            stats["stopped_by_user"] = reduced.stats["stopped_by_user"]
        if reduced.routes is not None:
            built, best = fewer, _plan(fewer, reduced)
    return _outcome(plant, built, best, stats)


def _search(plant: Plant, nodes: Nodes, fleet: list[int], backend: PyVRPBackend,
            ctx: SolveContext, opts: dict[str, Any], seconds: float, clock: _Clock
            ) -> tuple[Built, RoutingResult]:
    """One PyVRP run on the plant vehicles ``fleet``, reporting each better plan."""
    cost = opts["vehicle_cost"]
    built = build(plant, nodes, fleet, vehicle_cost=cost if cost > 0 else None)

    def on_routes(routes: list[list[int]]) -> None:
        plan = {built.vehicles[m]: r for m, r in enumerate(routes)}
        ctx.report(value(plant, nodes, plan).objective(plant), source="pyvrp")

    # (building the model took time: the search gets no more than is left)
    # large plants with weighted objectives start from the dispatcher's plan: there PyVRP's
    # own start (random, then local search) takes long to become feasible (500 orders: no
    # plan in 30 s), while on 100 orders it ends better than from the dispatcher's plan
    start = None
    if not plant.objective.lexicographic and len(plant.orders) >= opts["dispatch_orders"]:
        start = dispatch(plant, nodes, fleet)
    search = RoutingSearch(time_limit=min(seconds, clock.left()), on_routes=on_routes,
                           seed=ctx.options.seed, initial_routes=start)
    return built, backend.solve(built.spec, ctx, search)
