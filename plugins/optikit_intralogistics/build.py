"""From a :class:`Plant` to the routing paradigm's integer model, and back to a payload.

Nodes: one per distinct start/end location of the fleet, one per pickup and delivery still
to do (orders on board have only their delivery, on their vehicle), and a few visit slots
per charger.  Times are scaled to integers and rounded *up*, so a plan the model accepts
keeps every window in exact arithmetic too; costs are scaled and rounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit_intralogistics.model import Plant
from optikit_intralogistics.spec import EnergySpec, RoutingSpec

MAX_SCALED = 2e9  # the time horizon in scaled units stays well inside int64 arithmetic


@dataclass
class Nodes:
    """What each model node stands for."""

    location: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)  # depot | pickup | delivery | charge
    order: list[int] = field(default_factory=list)  # order index, -1 for depots/chargers
    depot_of: dict[int, int] = field(default_factory=dict)  # location -> depot node

    def add(self, location: int, kind: str, order: int = -1) -> int:
        self.location.append(location)
        self.kind.append(kind)
        self.order.append(order)
        return len(self.location) - 1


@dataclass
class Built:
    spec: RoutingSpec
    nodes: Nodes
    vehicles: list[int]  # model vehicle -> plant vehicle
    time_scale: int
    cost_scale: int
    fixed: int  # lexicographic vehicle cost (0 when weighted)


def scales(plant: Plant) -> tuple[int, int]:
    """(time scale, cost scale): thousandths where the horizon allows."""
    s = 1000
    while s > 1 and plant.horizon * s > MAX_SCALED:
        s //= 10
    return s, s


def nodes_of(plant: Plant, charger_slots: int) -> Nodes:
    nodes = Nodes()
    for v in plant.vehicles:
        for loc in (v.start, v.end):
            if loc not in nodes.depot_of:
                nodes.depot_of[loc] = nodes.add(loc, "depot")
    for k, o in enumerate(plant.orders):
        if k not in plant.carrier:
            nodes.add(o.pickup, "pickup", k)
        nodes.add(o.delivery, "delivery", k)
    if any(v.battery is not None for v in plant.vehicles):
        for loc in sorted(plant.chargers):
            for _ in range(charger_slots):
                nodes.add(loc, "charge")
    return nodes


def build(plant: Plant, nodes: Nodes, vehicles: list[int], optional_penalty: float = 0.0,
          vehicle_cost: float | None = None) -> Built:
    """The model for the plant vehicles ``vehicles``.

    With ``optional_penalty`` > 0 every visit may be dropped at that many times the
    longest arc's cost (route elimination).  For lexicographic objectives each vehicle
    costs more than any set of arcs, unless ``vehicle_cost`` (in longest arcs) is given:
    guided local search scales its penalties with the plan's cost, and a huge fixed
    cost drowns the distance it should be improving.
    """
    ts, cs = scales(plant)
    loc = np.array(nodes.location)
    n = len(loc)
    service = np.zeros(n)
    windows: list[tuple[int, int]] = []
    demand = [0] * n
    horizon = math.ceil(plant.horizon * ts) + 1
    batteries = [b for b in (plant.vehicles[v].battery for v in vehicles) if b is not None]
    battery_top = max((b.capacity for b in batteries), default=0.0)
    for i, kind in enumerate(nodes.kind):
        lo, hi = 0.0, math.inf
        if kind in ("pickup", "delivery"):
            o = plant.orders[nodes.order[i]]
            lo, hi = o.pickup_window if kind == "pickup" else o.delivery_window
            service[i] = o.pickup_service if kind == "pickup" else o.delivery_service
            scaled = round(o.load * 1000)
            demand[i] = scaled if kind == "pickup" else -scaled
        elif kind == "charge":
            service[i] = battery_top / plant.chargers[int(loc[i])]
        windows.append((math.ceil(lo * ts - 1e-9),
                        horizon if math.isinf(hi) else math.floor(hi * ts + 1e-9)))
    classes = sorted({plant.vehicles[v].speed_class for v in vehicles})
    lex = plant.objective.lexicographic
    w_dist = 1.0 if lex else plant.objective.distance
    time, cost = [], []
    for c in classes:
        t = plant.time[c][loc[:, None], loc[None, :]] + service[:, None]
        time.append(np.ceil(t * ts - 1e-9).astype(np.int64).tolist())
        d = plant.distance[c][loc[:, None], loc[None, :]]
        cost.append(np.round(d * w_dist * cs).astype(np.int64).tolist())
    longest = max(1, max(max(row) for m in cost for row in m))
    fixed = 0
    if lex:
        fixed = int(sum(max(row) for row in cost[0])) * 2 + 1
        if vehicle_cost is not None:
            fixed = int(vehicle_cost * longest)
    fixed_cost = [fixed if lex else round(plant.objective.vehicles * cs)] * len(vehicles)
    spec = RoutingSpec(
        num_nodes=n,
        starts=[nodes.depot_of[plant.vehicles[v].start] for v in vehicles],
        ends=[nodes.depot_of[plant.vehicles[v].end] for v in vehicles],
        arc_cost=cost, time=time,
        class_of_vehicle=[classes.index(plant.vehicles[v].speed_class) for v in vehicles],
        windows=windows, horizon=horizon,
        shifts=[_shift(plant, v, ts, horizon) for v in vehicles],
        demand=demand,
        capacity=[round(plant.vehicles[v].capacity * 1000) for v in vehicles],
        start_load=[round(sum(plant.orders[o].load for o in plant.vehicles[v].on_board)
                              * 1000) for v in vehicles],
        pairs=[], fixed_cost=fixed_cost)
    _pairs_and_extras(plant, nodes, vehicles, spec, ts, cs, int(optional_penalty * longest))
    spec.energy = _energy(plant, nodes, vehicles, loc, classes)
    return Built(spec, nodes, vehicles, ts, cs, fixed)


def _shift(plant: Plant, v: int, ts: int, horizon: int) -> tuple[int, int]:
    veh = plant.vehicles[v]
    lo = max(veh.shift[0], veh.available_at)
    hi = horizon if math.isinf(veh.shift[1]) else math.floor(veh.shift[1] * ts + 1e-9)
    return math.ceil(lo * ts - 1e-9), hi


def _pairs_and_extras(plant: Plant, nodes: Nodes, vehicles: list[int], spec: RoutingSpec,
                      ts: int, cs: int, optional_penalty: int) -> None:
    pickup_node: dict[int, int] = {}
    model_vehicle = {v: m for m, v in enumerate(vehicles)}
    used_depots = set(spec.starts) | set(spec.ends)
    weights = plant.objective
    for i, kind in enumerate(nodes.kind):
        k = nodes.order[i]
        if kind == "pickup":
            pickup_node[k] = i
        elif kind == "delivery":
            if k in pickup_node:
                spec.pairs.append((pickup_node[k], i))
            else:
                spec.allowed[i] = [model_vehicle[plant.carrier[k]]]
            o = plant.orders[k]
            if o.due is not None and not weights.lexicographic:
                coef = (weights.lateness + weights.priority * o.priority) * cs / ts
                if coef > 0:
                    spec.soft_due.append((i, math.ceil(o.due * ts),
                                          max(1, round(coef))))
        elif kind == "depot" and i not in used_depots:
            spec.optional[i] = 0
        elif kind == "charge":
            spec.optional[i] = 0
            spec.allowed[i] = [m for m, v in enumerate(vehicles)
                               if plant.vehicles[v].battery is not None]
        if optional_penalty and kind in ("pickup", "delivery") and k not in plant.carrier:
            spec.optional[i] = optional_penalty


def _energy(plant: Plant, nodes: Nodes, vehicles: list[int], loc: NDArray[np.int64],
            classes: list[int]) -> EnergySpec | None:
    fleet = [plant.vehicles[v] for v in vehicles]
    if not any(v.battery is not None for v in fleet):
        return None
    top = max(v.battery.capacity for v in fleet if v.battery is not None)
    es = 1e6 / top  # energy units: the largest battery is a million
    groups: list[tuple[int, float, float]] = []
    group_of: list[int] = []
    for v in fleet:
        b = v.battery
        g = (v.speed_class, b.consumption if b else 0.0, b.capacity if b else top)
        if g not in groups:
            groups.append(g)
        group_of.append(groups.index(g))
    charger = np.array([k == "charge" for k in nodes.kind])
    transit = []
    for c, consumption, capacity in groups:
        d = plant.distance[c][loc[:, None], loc[None, :]]
        e = np.ceil(d * consumption * es - 1e-9).astype(np.int64)
        e[charger, :] -= math.floor(capacity * es)
        transit.append(e.tolist())
    caps, used = [], []
    for v in fleet:
        cap = v.battery.capacity if v.battery else top
        level = v.battery.level if v.battery else top
        caps.append(math.floor(cap * es))
        used.append(math.ceil((cap - level) * es - 1e-9))
    return EnergySpec(transit, group_of, caps, used,
                      [i for i, k in enumerate(nodes.kind) if k == "charge"])


def payload(plant: Plant, nodes: Nodes, routes: dict[int, list[int]]) -> dict[str, Any]:
    """The contract's payload from plant vehicle -> model nodes visited."""
    out = []
    for v in sorted(routes):
        stops: list[Any] = []
        for i in routes[v]:
            kind = nodes.kind[i]
            if kind == "depot":
                continue
            if kind == "charge":
                stops.append({"charge": plant.location_ids[nodes.location[i]]})
            elif plant.stop_by_location:
                stops.append(plant.location_ids[nodes.location[i]])
            else:
                stops.append({"order": plant.orders[nodes.order[i]].id, "action": kind})
        if stops or plant.vehicles[v].on_board:
            out.append({"vehicle": plant.vehicles[v].id, "stops": stops})
    return {"routes": out}
