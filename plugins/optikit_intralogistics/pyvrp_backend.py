"""The ``pyvrp`` backend: a :class:`RoutingSpec` solved by PyVRP's iterated local search.

Every model node becomes a PyVRP location of its own, so the node-indexed matrices carry
over unchanged (service at the tail is already in the time matrix: steps get no service
of their own).  Pickup-and-delivery pairs are PyVRP shipments, fleets of identical
vehicles are vehicle types, speed classes are routing profiles.  What a spec may hold
beyond that (batteries, pinned vehicles, soft due times, optional visits) PyVRP cannot
represent: the formulation refuses such plants before they get here.

The search stops at the run's deadline or on Ctrl-C: PyVRP asks its stopping criterion
before every iteration (milliseconds each), and the best feasible plan seen is kept by a
callback, so a stop during a long native step still answers with it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from optikit.types import Availability, Backend, SolveContext, Status, UsageError
from optikit_intralogistics.spec import ILS_PARADIGM, RoutingResult, RoutingSearch, RoutingSpec

EXTRA = "pip install 'optikit[pyvrp]'"


class PyVRPBackend(Backend):
    """Registered always; available once the ``pyvrp`` extra is installed."""

    name, paradigm = "pyvrp", ILS_PARADIGM
    description = "PyVRP iterated local search (pickup and delivery, time windows)"

    def availability(self) -> Availability:
        return _probe()

    def solve(self, spec: RoutingSpec, ctx: SolveContext, search: RoutingSearch
              ) -> RoutingResult:
        import pyvrp
        from pyvrp.exceptions import PenaltyBoundWarning
        from pyvrp.IteratedLocalSearch import (  # (no top-level import: registration stays cheap)
            IteratedLocalSearchCallbacks,
            IteratedLocalSearchParams,
        )

        from optikit.native import call_stoppable

        _refuse(spec)
        if ctx.stop.is_set():
            return RoutingResult(Status.UNKNOWN, message="stopped before the search started")
        data, vehicles_of_type = to_problem_data(spec)
        began = ctx.elapsed()
        limit = search.time_limit
        best: list[Any] = []
        stats: dict[str, float | int | str] = {}

        def routes_of(solution: Any) -> list[list[int]]:
            return _routes(spec, vehicles_of_type, solution)

        class Watch(IteratedLocalSearchCallbacks):
            def on_start(self, ils: Any) -> None:  # the constructed start may be feasible
                self.on_best(ils.initial_solution)

            def on_best(self, solution: Any) -> None:
                if not solution.is_feasible():
                    return
                if not best:
                    stats["first_plan_s"] = round(ctx.elapsed(), 3)
                best[:] = [solution]
                if search.on_routes is not None:
                    search.on_routes(routes_of(solution))

        def stop(best_cost: int) -> bool:  # PyVRP's stopping criterion, every iteration
            del best_cost
            if ctx.stop.is_set():
                stats["stopped_by_user"] = 1
                return True
            left = ctx.remaining()
            spent = ctx.elapsed() - began
            return (left is not None and left <= 0) or (limit is not None and spent >= limit)

        params = pyvrp.SolveParams(ils=IteratedLocalSearchParams(callbacks=Watch()))

        start = None
        if search.initial_routes is not None:
            start = _solution(spec, data, vehicles_of_type, search.initial_routes)

        def run() -> Any:
            with warnings.catch_warnings():  # "no feasible solution yet": the outcome says
                warnings.simplefilter("ignore", PenaltyBoundWarning)
                return pyvrp.solve(data, stop, seed=search.seed, collect_stats=False,
                                   params=params, initial_solution=start)

        finished, result = call_stoppable(run, ctx)
        if finished and result is not None and result.best.is_feasible():
            if not best or _cost(result.best) <= _cost(best[0]):
                best[:] = [result.best]
            stats["iterations"] = int(result.num_iterations)
        if not best:
            message = "stopped before a feasible plan" if ctx.stop.is_set() else (
                "no feasible plan found in time")
            return RoutingResult(Status.UNKNOWN, message=message, stats=stats)
        solution = best[0]
        return RoutingResult(Status.FEASIBLE, routes_of(solution), _cost(solution),
                             stats=stats)


def _cost(solution: Any) -> int:
    """The model cost of a plan: arcs plus vehicles (no duration costs are set)."""
    return int(solution.distance_cost() + solution.fixed_vehicle_cost())


def _refuse(spec: RoutingSpec) -> None:
    """What PyVRP cannot represent (the formulation names the plant field first)."""
    if spec.energy is not None:
        raise UsageError("solver 'pyvrp' cannot model batteries")
    if spec.allowed:
        raise UsageError("solver 'pyvrp' cannot pin a visit to a vehicle")
    if spec.soft_due:
        raise UsageError("solver 'pyvrp' cannot model soft due times")
    if any(p for p in spec.optional.values()):
        raise UsageError("solver 'pyvrp' cannot model optional visits")


def _type_key(spec: RoutingSpec, v: int) -> tuple[int, ...]:
    return (spec.starts[v], spec.ends[v], spec.class_of_vehicle[v], *spec.shifts[v],
            spec.capacity[v], spec.start_load[v],
            spec.fixed_cost[v] if spec.fixed_cost else 0)


def to_problem_data(spec: RoutingSpec) -> tuple[Any, list[list[int]]]:
    """PyVRP's problem data and, per vehicle type, the model vehicles it stands for."""
    import numpy as np
    import pyvrp

    depots = sorted(set(spec.starts) | set(spec.ends))
    depot_index = {node: d for d, node in enumerate(depots)}
    paired = {n for pair in spec.pairs for n in pair}
    loose = [i for i in range(spec.num_nodes) if i not in paired and i not in depot_index]
    if loose:
        raise UsageError(f"solver 'pyvrp': model node {loose[0]} is in no pickup-delivery pair")
    locations = [pyvrp.Location(0.0, 0.0) for _ in range(spec.num_nodes)]
    top = spec.horizon
    depot_objs = [pyvrp.Depot(node, tw_early=0, tw_late=top) for node in depots]
    shipments = []
    for p, d in spec.pairs:
        (pe, pl), (de, dl) = spec.windows[p], spec.windows[d]
        shipments.append(pyvrp.Shipment(
            p, d, pickup_tw_early=pe, pickup_tw_late=pl, delivery_tw_early=de,
            delivery_tw_late=dl, amount=[spec.demand[p]]))
    keys: dict[tuple[int, ...], list[int]] = {}
    for v in range(spec.num_vehicles):
        keys.setdefault(_type_key(spec, v), []).append(v)
    types = []
    for key, members in keys.items():
        start, end, profile, early, late, capacity, load, fixed = key
        types.append(pyvrp.VehicleType(
            num_available=len(members), capacity=[capacity], start_depot=depot_index[start],
            end_depot=depot_index[end], fixed_cost=fixed, tw_early=early, tw_late=late,
            profile=profile, initial_load=[load] if load else []))
    distances: list[Any] = []
    durations: list[Any] = []
    for c in range(len(spec.arc_cost)):
        dist = np.array(spec.arc_cost[c], dtype=np.int64)
        dur = np.array(spec.time[c], dtype=np.int64)
        np.fill_diagonal(dist, 0)
        np.fill_diagonal(dur, 0)
        distances.append(dist)
        durations.append(dur)
    data = pyvrp.ProblemData(locations, [], depot_objs, types, distances, durations,
                             shipments=shipments)
    return data, list(keys.values())


def _solution(spec: RoutingSpec, data: Any, vehicles_of_type: list[list[int]],
              routes: list[list[int]]) -> Any:
    """A start plan (per model vehicle, pickup and delivery nodes) as a PyVRP solution."""
    import pyvrp

    type_of = {m: t for t, members in enumerate(vehicles_of_type) for m in members}
    step: dict[int, Any] = {}
    for s, (p, d) in enumerate(spec.pairs):
        step[p] = pyvrp.Activity(pyvrp.ActivityType.PICKUP, s)
        step[d] = pyvrp.Activity(pyvrp.ActivityType.DELIVERY, s)
    return pyvrp.Solution(data, [pyvrp.Route(data, [step[i] for i in r], type_of[m])
                                 for m, r in enumerate(routes) if r])


def _routes(spec: RoutingSpec, vehicles_of_type: list[list[int]], solution: Any
            ) -> list[list[int]]:
    """Per model vehicle, the nodes visited (PyVRP routes handed out within each type)."""
    out: list[list[int]] = [[] for _ in range(spec.num_vehicles)]
    taken = [0] * len(vehicles_of_type)
    for route in solution.routes():
        t = route.vehicle_type()
        v = vehicles_of_type[t][taken[t]]
        taken[t] += 1
        for act in route:
            if act.is_pickup():
                out[v].append(spec.pairs[act.idx][0])
            elif act.is_delivery():
                out[v].append(spec.pairs[act.idx][1])
    return out


@functools.cache
def _probe() -> Availability:
    return probe_with(lambda: __import__("pyvrp"))


def probe_with(importer: Callable[[], Any]) -> Availability:
    """Availability from importing PyVRP (tests hand in a failing importer)."""
    try:
        importer()
        from importlib.metadata import version

        found = version("pyvrp")
    except ImportError:
        return Availability(False, f"PyVRP is not installed: {EXTRA}")
    except Exception as exc:  # any failure means "not available here", with the reason
        return Availability(False, f"PyVRP unusable: {type(exc).__name__}: {exc}")
    if tuple(int(p) for p in found.split(".")[:2] if p.isdigit()) < (0, 14):
        return Availability(False, f"PyVRP {found} lacks pickup and delivery: {EXTRA}")
    return Availability(True, "", found)
