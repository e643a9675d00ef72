"""OR-Tools searches: ``routing``'s own (tuned, route elimination) and ``routing-plain``.

OR-Tools' part of ``routing`` (:mod:`optikit_intralogistics.staged` decides when it runs):
parallel cheapest insertion, then guided local search with a fixed cost per vehicle
(weighted objectives: also from a dispatcher's start, going on from the better of
the two); for lexicographic objectives (vehicles first) it then removes the shortest route
and asks the search to serve its orders with the remaining vehicles (all visits optional
at a prohibitive penalty), keeping each success; the rest of the time polishes distance on
the vehicles left.  ``routing-plain`` is the same model with OR-Tools' default search (the
baseline).  Routing never proves optimality: a plan is ``feasible``.
"""

from __future__ import annotations

from typing import Any

from optikit.types import Outcome, SolveContext, Status
from optikit_intralogistics.backend import RoutingBackend
from optikit_intralogistics.build import Built, build, nodes_of, payload
from optikit_intralogistics.dispatch import dispatch
from optikit_intralogistics.evaluate import value
from optikit_intralogistics.exact import payload_stops, solve_exact
from optikit_intralogistics.model import Plant
from optikit_intralogistics.options import PLAIN_OPTIONS, ROUTING_OPTIONS
from optikit_intralogistics.ruin import ruin_and_recreate
from optikit_intralogistics.spec import RoutingResult, RoutingSearch

ELIMINATION_OPERATORS = ("use_inactive_lns", "use_path_lns", "use_relocate_expensive_chain")
Plan = dict[int, list[int]]  # plant vehicle -> model nodes


def _plan(built: Built, result: RoutingResult) -> Plan:
    assert result.routes is not None
    return {built.vehicles[m]: r for m, r in enumerate(result.routes)}


def _progress(plant: Plant, built: Built) -> Any:
    """Model cost -> objective for progress reports (lexicographic plans report their
    distance after each phase instead: the model cost mixes in vehicle costs).  Only
    improvements over every earlier search of the same run are reported."""
    best: list[int] = []

    def convert(cost: int) -> float | None:
        if plant.objective.lexicographic or (best and cost >= best[0]):
            return None
        best[:] = [cost]
        return cost / built.cost_scale
    return convert


def _outcome(plant: Plant, built: Built, plan: Plan | None, stats: dict[str, Any],
             message: str = "") -> Outcome:
    if plan is None:
        return Outcome(Status.UNKNOWN, message=message or "no plan found", stats=stats)
    val = value(plant, built.nodes, plan)
    stats["vehicles"] = val.vehicles
    return Outcome(Status.FEASIBLE, payload=payload(plant, built.nodes, plan),
                   objective=val.objective(plant),
                   analysis={"vehicles": val.vehicles, "distance": round(val.distance, 6)},
                   stats=stats, message=message)


def _budget(ctx: SolveContext, fallback: float) -> float:
    left = ctx.remaining()
    # a little kept back for writing and checking the plan inside the command's limit
    return fallback if left is None else max(0.05, 0.97 * left - 0.05)


class _Clock:
    """Seconds left of this formulation's budget (the run's deadline, or the fallback)."""

    def __init__(self, ctx: SolveContext, total: float) -> None:
        self.ctx, self.end = ctx, ctx.elapsed() + total

    def left(self) -> float:
        return max(0.0, self.end - self.ctx.elapsed())


def solve_plain(plant: Plant, backend: RoutingBackend, ctx: SolveContext) -> Outcome:
    """The routing model with OR-Tools' default search parameters (the baseline)."""
    opts = ctx.options_for(PLAIN_OPTIONS)
    nodes = nodes_of(plant, opts["charger_slots"])
    built = build(plant, nodes, list(range(len(plant.vehicles))))
    search = RoutingSearch(time_limit=_budget(ctx, opts["no_limit_seconds"]),
                           progress=_progress(plant, built))
    result = backend.solve(built.spec, ctx, search)
    plan = _plan(built, result) if result.routes is not None else None
    return _outcome(plant, built, plan, dict(result.stats), result.message)


def exhaustive(plant: Plant, ctx: SolveContext, opts: dict[str, Any]) -> Outcome | None:
    """Small instances: the exhaustive search's proven answer (None: not small enough)."""
    if len(plant.orders) > opts["exact_orders"] or ctx.expired():
        return None
    found = solve_exact(plant, opts["exact_nodes"], ctx.expired)
    stats = {"exact_nodes": found.nodes, "exact_proven": found.proven}
    if not found.proven:
        return None
    if found.key is None:
        return Outcome(Status.INFEASIBLE, message="no plan serves every order (exhaustive "
                       "search)", stats=stats)
    routes = [{"vehicle": plant.vehicles[v].id, "stops": payload_stops(plant, stops)}
              for v, stops in sorted(found.routes.items())]
    for v, veh in enumerate(plant.vehicles):  # a vehicle that only delivers what it carries
        if veh.on_board and v not in found.routes:
            routes.append({"vehicle": veh.id, "stops": []})
    objective = found.key[1]
    ctx.report(objective, objective, source="exact")
    return Outcome(Status.OPTIMAL, payload={"routes": routes}, objective=objective,
                   bound=objective, analysis={"vehicles": int(found.key[0])} if
                   plant.objective.lexicographic else {}, stats=stats)


def solve_ortools(plant: Plant, backend: RoutingBackend, ctx: SolveContext) -> Outcome:
    """Tuned first plan, guided local search, route elimination, polish (OR-Tools)."""
    opts = ctx.options_for(ROUTING_OPTIONS)
    total = _budget(ctx, opts["no_limit_seconds"])
    clock = _Clock(ctx, total)
    nodes = nodes_of(plant, opts["charger_slots"])
    fleet = list(range(len(plant.vehicles)))
    built = build(plant, nodes, fleet, vehicle_cost=opts["vehicle_cost"])
    eliminate = opts["eliminate"] and plant.objective.lexicographic
    share = opts["start_share"] if eliminate else 1.0
    start = None if plant.objective.lexicographic else dispatch(plant, nodes, fleet)
    search = RoutingSearch(time_limit=total * share, first_solution=opts["first_solution"],
                           metaheuristic=opts["metaheuristic"], initial_routes=start,
                           progress=_progress(plant, built))
    own = None
    if start is not None and len(plant.orders) < opts["own_start_orders"]:
        own, search.initial_routes = _own_start(plant, backend, ctx, built, start, search,
                                                total * opts["own_share"])
        search.time_limit = clock.left()
    result = backend.solve(built.spec, ctx, search)
    if search.initial_routes is not None and result.status is Status.ERROR:
        search.initial_routes = None  # the model refused the start
        result = backend.solve(built.spec, ctx, search)
    stats: dict[str, Any] = dict(result.stats)
    if own is not None and own.routes is not None and (
            result.routes is None or _cost(plant, built, own) < _cost(plant, built, result)):
        result = own  # the later search did not beat the plan it did not start from
    if own is not None:
        stats["first_plan_s"] = own.stats.get("first_plan_s", stats.get("first_plan_s"))
        stats["own_start_kept"] = result is own or search.initial_routes is own.routes
    if "first_plan_s" not in stats and result.routes is not None:
        stats["first_plan_s"] = round(ctx.elapsed(), 3)
    stats["dispatch_start"] = start is not None and search.initial_routes is start
    if result.routes is None:
        return _outcome(plant, built, None, stats, result.message)
    best = _plan(built, result)
    _report(plant, nodes, best, ctx)
    if not eliminate or ctx.expired():
        return _outcome(plant, built, best, stats)
    best, eliminated = _eliminate(plant, backend, ctx, best, nodes, opts, clock)
    stats["routes_eliminated"] = eliminated
    if ctx.expired():
        return _outcome(plant, built, best, stats)
    best, stats["ruin_improvements"] = ruin_and_recreate(plant, backend, ctx, best, nodes,
                                                         opts, clock.left)
    return _outcome(plant, built, best, stats)


def _cost(plant: Plant, built: Built, result: RoutingResult) -> float:
    return value(plant, built.nodes, _plan(built, result)).objective(plant)


def _own_start(plant: Plant, backend: RoutingBackend, ctx: SolveContext, built: Built,
               start: list[list[int]], search: RoutingSearch, seconds: float
               ) -> tuple[RoutingResult, list[list[int]]]:
    """Weighted objectives: the same search from OR-Tools' own first plan for ``seconds``.

    The dispatcher's start spreads orders over many vehicles and guided local search
    rarely closes a route again, so with a high cost per vehicle and little lateness it
    can end above the plain model; OR-Tools' insertion start packs orders onto few
    vehicles.  Returns that search's result and the routes to go on from: its plan when it
    already beats the dispatcher's, else the dispatcher's.
    """
    own = backend.solve(built.spec, ctx, RoutingSearch(
        time_limit=seconds, first_solution=search.first_solution,
        metaheuristic=search.metaheuristic, progress=search.progress))
    if own.routes is None:
        return own, start
    dispatched = value(plant, built.nodes, dict(zip(built.vehicles, start, strict=True)))
    if _cost(plant, built, own) <= dispatched.objective(plant):
        return own, own.routes
    return own, start


def _report(plant: Plant, nodes: Any, plan: Plan, ctx: SolveContext) -> None:
    if plant.objective.lexicographic:
        ctx.report(value(plant, nodes, plan).objective(plant), source="routing")


def _busy(plant: Plant, nodes: Any, v: int, seq: list[int]) -> bool:
    return bool(plant.vehicles[v].on_board) or any(nodes.kind[i] != "depot" for i in seq)


def _eliminate(plant: Plant, backend: RoutingBackend, ctx: SolveContext, best: Plan,
               nodes: Any, opts: dict[str, Any], clock: _Clock) -> tuple[Plan, int]:
    """Remove the shortest route while the orders fit on one vehicle less."""
    eliminated, failures = 0, 0
    tried: set[frozenset[int]] = set()
    total = clock.left()
    reserve = total * opts["polish_share"]
    visits = sum(1 for k in nodes.kind if k in ("pickup", "delivery"))
    while failures < opts["failures"] and not ctx.expired():
        left = clock.left()
        if left <= reserve:
            break
        used = sorted((v for v, seq in best.items() if _busy(plant, nodes, v, seq)),
                      key=lambda v: (len(best[v]), v))
        candidates = [v for v in used if not plant.vehicles[v].on_board]
        victim = next((v for v in candidates if frozenset([v, *best[v]]) not in tried), None)
        if victim is None or len(used) <= 1:
            break
        tried.add(frozenset([victim, *best[victim]]))
        keep = [v for v in used if v != victim]
        built = build(plant, nodes, keep, optional_penalty=opts["drop_penalty"],
                      vehicle_cost=opts["vehicle_cost"])
        slice_s = min(total * opts["attempt_share"], left - reserve)
        result = backend.solve(built.spec, ctx, RoutingSearch(
            time_limit=slice_s, metaheuristic=opts["metaheuristic"],
            initial_routes=[best[v] for v in keep], operators=ELIMINATION_OPERATORS))
        if result.routes is not None:
            served = sum(1 for r in result.routes for i in r
                         if nodes.kind[i] in ("pickup", "delivery"))
            if served == visits:
                best = _plan(built, result)
                _report(plant, nodes, best, ctx)
                eliminated += 1
                tried.clear()
                continue
        failures += 1
    return best, eliminated
