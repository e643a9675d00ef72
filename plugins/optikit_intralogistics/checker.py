"""Independent checker of ``intralogistics`` solutions.

It reads the problem and the payload's routes only, and replays every route from the
contract: a vehicle leaves its start at the later of its shift start and the time it is
available, drives at its own speed, waits for a window to open, serves, and must reach its
end location by its shift end.  It recomputes loads (orders on board first), battery levels
(consumption per metre; a charging stop charges to full at the charger's rate), lateness
against soft due times, distances and the objective.  Nothing here is shared with the
formulations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from optikit.types import CheckReport, Violation
from optikit_intralogistics.model import Plant, key

TOL = 1e-6


def _over(value: float, limit: float) -> bool:
    return value > limit + TOL * max(1.0, abs(limit))


@dataclass
class RouteFigures:
    """What one replayed route did (for the objective and the dispatcher's summary)."""

    vehicle: int
    distance: float = 0.0
    empty_distance: float = 0.0
    orders: int = 0
    start: float = 0.0
    end: float = 0.0
    waiting: float = 0.0
    lateness: float = 0.0
    weighted_lateness: float = 0.0
    late_orders: list[Any] = field(default_factory=list)
    charges: int = 0


Stop = tuple[str, int]  # ("pickup" | "delivery", order) or ("charge", location)


def _resolve(plant: Plant, raw: Any) -> Stop | str:
    """A payload stop as (kind, index), or an error message."""
    if isinstance(raw, Mapping):
        if "charge" in raw:
            loc = plant.location_index.get(key(raw["charge"]))
            if loc is None or loc not in plant.chargers:
                return f"{raw['charge']!r} is not a charger"
            return ("charge", loc)
        order = plant.order_index.get(key(raw.get("order")))
        action = raw.get("action")
        if order is None or action not in ("pickup", "delivery"):
            return f"bad stop {raw!r}"
        return (str(action), order)
    loc = plant.location_index.get(key(raw))
    if loc is None or isinstance(raw, bool) or not isinstance(raw, str | int):
        return f"unknown location {raw!r}"
    hits: list[Stop] = [("pickup", k) for k, o in enumerate(plant.orders) if o.pickup == loc]
    hits += [("delivery", k) for k, o in enumerate(plant.orders) if o.delivery == loc]
    if loc in plant.chargers:
        hits.append(("charge", loc))
    if len(hits) != 1:
        return f"location {raw!r} hosts {len(hits)} visits: name the order and action"
    return hits[0]


def check(plant: Plant, payload: Mapping[str, Any]) -> CheckReport:
    violations: list[Violation] = []
    routes = payload.get("routes") if isinstance(payload, Mapping) else None
    if not isinstance(routes, list):
        return CheckReport(None, [Violation("routes", "the payload needs a list 'routes'")])
    vehicle_index = {key(v.id): i for i, v in enumerate(plant.vehicles)}
    picked: dict[int, int] = {}
    delivered: dict[int, int] = {}
    figures: list[RouteFigures] = []
    used: set[int] = set()
    for r, route in enumerate(routes):
        where = f"routes[{r}]"
        if not isinstance(route, Mapping) or not isinstance(route.get("stops"), list):
            violations.append(Violation("routes", f"{where} needs 'vehicle' and 'stops'"))
            continue
        v = vehicle_index.get(key(route.get("vehicle")))
        if v is None:
            violations.append(Violation("vehicle", f"{where}: unknown vehicle "
                                        f"{route.get('vehicle')!r}"))
            continue
        if v in used:
            violations.append(Violation("vehicle", f"{where}: vehicle {plant.vehicles[v].id!r} "
                                        "has two routes"))
            continue
        used.add(v)
        stops: list[Stop] = []
        for s, raw in enumerate(route["stops"]):
            got = _resolve(plant, raw)
            if isinstance(got, str):
                violations.append(Violation("stops", f"{where}.stops[{s}]: {got}"))
            else:
                stops.append(got)
        figures.append(_replay(plant, v, stops, picked, delivered, violations, where))
    _coverage(plant, picked, delivered, used, violations)
    return _report(plant, figures, violations)


def _replay(plant: Plant, v: int, stops: list[Stop], picked: dict[int, int],
            delivered: dict[int, int], violations: list[Violation], where: str
            ) -> RouteFigures:
    veh = plant.vehicles[v]
    dist, time = plant.distance[veh.speed_class], plant.time[veh.speed_class]
    fig = RouteFigures(v)
    on_board = set(veh.on_board)
    load = sum(plant.orders[o].load for o in on_board)
    battery = veh.battery
    energy = battery.level if battery else 0.0
    t = max(veh.shift[0], veh.available_at)
    fig.start = t
    here = veh.start

    def drive(to: int) -> None:
        nonlocal t, here, energy
        d = float(dist[here, to])
        fig.distance += d
        if not on_board:
            fig.empty_distance += d
        t += float(time[here, to])
        if battery is not None:
            energy -= battery.consumption * d
            if energy < -TOL * max(1.0, battery.capacity):
                violations.append(Violation("battery", f"{where}: vehicle {veh.id!r} runs out "
                                            f"of energy before location "
                                            f"{plant.location_ids[to]!r}", -energy))
        here = to

    for kind, idx in stops:
        if kind == "charge":
            drive(idx)
            if battery is None:
                violations.append(Violation("battery", f"{where}: vehicle {veh.id!r} has no "
                                            "battery to charge"))
            else:
                t += max(0.0, battery.capacity - energy) / plant.chargers[idx]
                energy = battery.capacity
                fig.charges += 1
            continue
        order = plant.orders[idx]
        pickup = kind == "pickup"
        drive(order.pickup if pickup else order.delivery)
        lo, hi = order.pickup_window if pickup else order.delivery_window
        if t < lo:
            fig.waiting += lo - t
            t = lo
        if _over(t, hi):
            violations.append(Violation("time window", f"{where}: {kind} of order {order.id!r} "
                                        f"starts at {t:g}, after {hi:g}", t - hi))
        if pickup:
            if idx in picked or idx in plant.carrier:
                violations.append(Violation("pickup", f"order {order.id!r} picked up twice"))
            picked[idx] = v
            on_board.add(idx)
            load += order.load
            if _over(load, veh.capacity):
                violations.append(Violation("capacity", f"{where}: load {load:g} over "
                                            f"{veh.capacity:g} after order {order.id!r}",
                                            load - veh.capacity))
            t += order.pickup_service
        else:
            if idx in delivered:
                violations.append(Violation("delivery", f"order {order.id!r} delivered twice"))
            delivered[idx] = v
            if idx not in on_board:
                violations.append(Violation("precedence", f"{where}: order {order.id!r} "
                                            "delivered without being on board"))
            else:
                on_board.discard(idx)
                load -= order.load
            if order.due is not None and t > order.due + TOL:
                late = t - order.due
                fig.lateness += late
                fig.weighted_lateness += late * order.priority
                fig.late_orders.append(order.id)
            fig.orders += 1
            t += order.delivery_service
    drive(veh.end)
    fig.end = t
    if _over(t, veh.shift[1]):
        violations.append(Violation("shift", f"{where}: vehicle {veh.id!r} back at {t:g}, "
                                    f"after its shift end {veh.shift[1]:g}", t - veh.shift[1]))
    if on_board:
        ids = sorted(str(plant.orders[o].id) for o in on_board)
        violations.append(Violation("delivery", f"{where}: vehicle {veh.id!r} ends with "
                                    f"orders on board: {', '.join(ids[:5])}"))
    return fig


def _coverage(plant: Plant, picked: dict[int, int], delivered: dict[int, int],
              used: set[int], violations: list[Violation]) -> None:
    missing = [o.id for k, o in enumerate(plant.orders) if k not in delivered]
    if missing:
        shown = ", ".join(str(m) for m in missing[:5])
        violations.append(Violation("orders", f"{len(missing)} orders not delivered: {shown}",
                                    len(missing)))
    for k, v in delivered.items():
        carrier = plant.carrier.get(k, picked.get(k))
        if carrier is not None and carrier != v:
            violations.append(Violation("pairing", f"order {plant.orders[k].id!r} picked up "
                                        "and delivered by different vehicles"))
    for o, v in plant.carrier.items():
        if v not in used:
            violations.append(Violation("delivery", f"vehicle {plant.vehicles[v].id!r} has "
                                        f"order {plant.orders[o].id!r} on board and no route"))


def _report(plant: Plant, figures: list[RouteFigures], violations: list[Violation]
            ) -> CheckReport:
    active = [f for f in figures if f.orders or f.charges or f.distance > 0]
    vehicles = len(active)
    distance = sum(f.distance for f in figures)
    lateness = sum(f.lateness for f in figures)
    weighted = sum(f.weighted_lateness for f in figures)
    obj = plant.objective
    if obj.lexicographic:
        objective = distance
    else:
        objective = (obj.vehicles * vehicles + obj.distance * distance
                     + obj.lateness * lateness + obj.priority * weighted)
    out = {
        "vehicles": vehicles, "distance": distance, "lateness": lateness,
        "weighted_lateness": weighted,
        "late_orders": [x for f in figures for x in f.late_orders],
        "empty_distance": sum(f.empty_distance for f in figures),
        "waiting": sum(f.waiting for f in figures),
        "charges": sum(f.charges for f in figures),
        "routes": [{"vehicle": plant.vehicles[f.vehicle].id, "orders": f.orders,
                    "distance": f.distance, "start": f.start, "end": f.end}
                   for f in active],
    }
    return CheckReport(objective if math.isfinite(objective) else None, violations, out)
