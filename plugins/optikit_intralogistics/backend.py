"""The ``ortools-routing`` backend: a :class:`RoutingSpec` solved by OR-Tools' routing library.

It builds the pickup-and-delivery model (time, load and energy dimensions), honours the
run's shared deadline (the search's time limit is the smaller of the request and what is
left) and Ctrl-C (a watcher thread cancels the search; the best routes so far are kept),
and streams improving costs to ``ctx.report``.  Routing search is single-threaded and
deterministic for given limits.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from optikit.types import Availability, Backend, SolveContext, Status
from optikit_intralogistics.spec import PARADIGM, RoutingResult, RoutingSearch, RoutingSpec

_STOP_POLL_S = 0.05


class RoutingBackend(Backend):
    name = "ortools-routing"
    paradigm = PARADIGM
    description = "OR-Tools vehicle routing library (constraint-programming local search)"
    supports_integer = True

    def availability(self) -> Availability:
        return _probe()

    def solve(self, spec: RoutingSpec, ctx: SolveContext, search: RoutingSearch
              ) -> RoutingResult:
        from ortools.constraint_solver import pywrapcp

        if ctx.stop.is_set():
            return RoutingResult(Status.UNKNOWN, message="stopped before the search started")
        began = ctx.elapsed()
        limits = [t for t in (search.time_limit, ctx.remaining()) if t is not None]
        limit = min(limits) if limits else None
        if limit is not None and limit <= 0:
            return RoutingResult(Status.UNKNOWN, message="no time left")
        manager = pywrapcp.RoutingIndexManager(spec.num_nodes, spec.num_vehicles,
                                               spec.starts, spec.ends)
        routing = pywrapcp.RoutingModel(manager)
        time_dim = _build(spec, manager, routing)
        # the model took time to build: the search gets what is left of both limits
        built_in = ctx.elapsed() - began
        left = [t for t in (None if limit is None else limit - built_in, ctx.remaining())
                if t is not None]
        params = _parameters(search, max(0.01, min(left)) if left else None)
        best: list[int] = []
        first: list[float] = []
        progress = search.progress

        def on_solution() -> None:
            if not first:
                first.append(ctx.elapsed())
            cost = routing.CostVar().Max()
            if progress is not None and (not best or cost < best[0]):
                best[:] = [cost]
                value = progress(cost)
                if value is not None:
                    ctx.report(value, source="routing")

        routing.AddAtSolutionCallback(on_solution)
        with _cancelled_on_stop(ctx.stop, routing) as fired:
            if search.initial_routes is not None:
                routing.CloseModelWithParameters(params)
                # routes name model nodes; the routing library reads variable indices
                # (they differ once vehicles start or end at different depots)
                start = routing.ReadAssignmentFromRoutes(
                    [[manager.NodeToIndex(i) for i in r] for r in search.initial_routes], True)
                if start is None:
                    return RoutingResult(Status.ERROR, message="initial routes rejected")
                solution = routing.SolveFromAssignmentWithParameters(start, params)
                if solution is None:  # out of time before the search improved the start
                    solution = start
            else:
                solution = routing.SolveWithParameters(params)
        del time_dim
        stats: dict[str, float | int | str] = {"routing_status": int(routing.status())}
        if fired:
            stats["stopped_by_user"] = 1
        if first:
            stats["first_plan_s"] = round(first[0], 3)
        if solution is None:
            message = "stopped by the user" if fired else "no routes found"
            return RoutingResult(Status.UNKNOWN, message=message, stats=stats)
        routes = []
        for v in range(spec.num_vehicles):
            route = []
            index = solution.Value(routing.NextVar(routing.Start(v)))
            while not routing.IsEnd(index):
                route.append(manager.IndexToNode(index))
                index = solution.Value(routing.NextVar(index))
            routes.append(route)
        return RoutingResult(Status.FEASIBLE, routes, int(solution.ObjectiveValue()),
                             stats=stats)


def _parameters(search: RoutingSearch, limit: float | None) -> Any:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    params = pywrapcp.DefaultRoutingSearchParameters()
    if search.first_solution is not None:
        params.first_solution_strategy = getattr(
            routing_enums_pb2.FirstSolutionStrategy, search.first_solution)
    if search.metaheuristic is not None:
        params.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, search.metaheuristic)
    for name in search.operators:
        setattr(params.local_search_operators, name, 3)  # OptionalBoolean BOOL_TRUE
    if limit is not None:
        params.time_limit.FromMilliseconds(max(1, int(limit * 1000)))
    return params


def _build(spec: RoutingSpec, manager: Any, routing: Any) -> Any:
    """Costs, time windows, loads, pairs, energy; returns the time dimension."""
    classes = len(spec.arc_cost)
    cost_cb = [routing.RegisterTransitMatrix(m) for m in spec.arc_cost]
    time_cb = [routing.RegisterTransitMatrix(m) for m in spec.time]
    if len(cost_cb) == 1:  # homogeneous costs: guided local search penalises arcs plainly
        routing.SetArcCostEvaluatorOfAllVehicles(cost_cb[0])
    else:
        for v in range(spec.num_vehicles):
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[spec.class_of_vehicle[v]], v)
    for v in range(spec.num_vehicles):
        if spec.fixed_cost:
            routing.SetFixedCostOfVehicle(spec.fixed_cost[v], v)
    del classes
    routing.AddDimensionWithVehicleTransits(
        [time_cb[c] for c in spec.class_of_vehicle], spec.horizon, spec.horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node, (lo, hi) in enumerate(spec.windows):
        if node in spec.starts or node in spec.ends:
            continue
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(lo, hi)
    for v, (lo, hi) in enumerate(spec.shifts):
        time_dim.CumulVar(routing.Start(v)).SetMin(lo)
        time_dim.CumulVar(routing.End(v)).SetMax(hi)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
    demand_cb = routing.RegisterUnaryTransitVector(spec.demand)
    routing.AddDimensionWithVehicleCapacity(demand_cb, 0, spec.capacity, False, "load")
    load_dim = routing.GetDimensionOrDie("load")
    for v, amount in enumerate(spec.start_load):
        load_dim.CumulVar(routing.Start(v)).SetValue(amount)
    for p, d in spec.pairs:
        pi, di = manager.NodeToIndex(p), manager.NodeToIndex(d)
        routing.AddPickupAndDelivery(pi, di)
        # (same vehicle and pickup first are part of AddPickupAndDelivery; extra solver
        # constraints would make every local-search move go through full propagation)
    for node, vehicles in spec.allowed.items():
        # (SetAllowedVehiclesForIndex does not take Python lists in this binding)
        routing.VehicleVar(manager.NodeToIndex(node)).SetValues([-1, *vehicles])
    for node, due, coef in spec.soft_due:
        time_dim.SetCumulVarSoftUpperBound(manager.NodeToIndex(node), due, coef)
    for node, penalty in spec.optional.items():
        routing.AddDisjunction([manager.NodeToIndex(node)], penalty)
    if spec.energy is not None:
        _energy(spec, manager, routing)
    return time_dim


def _energy(spec: RoutingSpec, manager: Any, routing: Any) -> None:
    energy = spec.energy
    assert energy is not None
    callbacks = [routing.RegisterTransitMatrix(m) for m in energy.transit]
    top = max(energy.capacity) if energy.capacity else 0
    routing.AddDimensionWithVehicleTransitAndCapacity(
        [callbacks[g] for g in energy.group_of_vehicle], top, energy.capacity, False, "energy")
    dim = routing.GetDimensionOrDie("energy")
    chargers = set(energy.charger_nodes)
    for node in range(spec.num_nodes):
        if node in spec.starts or node in spec.ends or node in chargers:
            continue
        dim.SlackVar(manager.NodeToIndex(node)).SetValue(0)
    for v in range(spec.num_vehicles):
        dim.SlackVar(routing.Start(v)).SetValue(0)
        dim.CumulVar(routing.Start(v)).SetValue(energy.start_used[v])


@contextmanager
def _cancelled_on_stop(stop: threading.Event, routing: Any) -> Iterator[list[bool]]:
    """While the block runs, a thread cancels the routing search once ``stop`` is set
    (polling: the routing library has no stop event of its own).  The yielded list
    becomes non-empty when it fired."""
    finished = threading.Event()
    fired: list[bool] = []

    def poll() -> None:
        while not finished.wait(_STOP_POLL_S):
            if stop.is_set():
                fired.append(True)
                routing.CancelSearch()

    thread = threading.Thread(target=poll, name="routing-stop", daemon=True)
    thread.start()
    try:
        yield fired
    finally:
        finished.set()
        thread.join()


@functools.cache
def _probe() -> Availability:
    try:
        import ortools
        from ortools.constraint_solver import pywrapcp

        manager = pywrapcp.RoutingIndexManager(2, 1, 0)
        routing = pywrapcp.RoutingModel(manager)
        if routing.Solve() is None:
            return Availability(False, "OR-Tools routing probe found no route")
        return Availability(True, "", str(getattr(ortools, "__version__", "")))
    except Exception as exc:  # any failure means "not available here", with the reason
        return Availability(False, f"OR-Tools routing unusable: {type(exc).__name__}: {exc}")

