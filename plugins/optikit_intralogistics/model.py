"""The parsed intralogistics problem: locations, travel matrices, orders and vehicles.

``parse`` runs after JSON Schema validation and checks what a schema cannot (unique ids,
references, windows in order, reachable stations, orders on board of one vehicle only),
raising :class:`InvalidProblem` with the field as users read it (``orders[3].pickup``).
Travel comes from a layout (shortest-time paths), a given matrix, or coordinates.
Locations, orders and vehicles are 0-based indices inside; ids only at the edges.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.types import InvalidProblem
from optikit_intralogistics.layout import adjacency, station_matrices

MAX_LOCATIONS = 3000
MAX_VEHICLES = 5000


@dataclass(frozen=True)
class Order:
    id: Any
    pickup: int
    delivery: int
    load: float
    pickup_window: tuple[float, float]
    delivery_window: tuple[float, float]
    pickup_service: float
    delivery_service: float
    due: float | None
    priority: float


@dataclass(frozen=True)
class Battery:
    capacity: float
    consumption: float  # energy per metre
    level: float


@dataclass(frozen=True)
class Vehicle:
    id: Any
    start: int
    end: int
    capacity: float
    speed: float
    shift: tuple[float, float]
    speed_class: int
    battery: Battery | None
    available_at: float
    on_board: tuple[int, ...]  # order indices
    source: int = 0  # index of its entry in the document's vehicles (for messages)


@dataclass(frozen=True)
class Objective:
    lexicographic: bool = False
    vehicles: float = 0.0
    distance: float = 1.0
    lateness: float = 0.0
    priority: float = 0.0


@dataclass
class Plant:
    """An instance ready for the formulations and the checker."""

    name: str
    location_ids: list[Any]
    coords: NDArray[np.float64]  # (L, 2), nan where unknown
    distance: list[NDArray[np.float64]]  # per speed class, (L, L) metres
    time: list[NDArray[np.float64]]  # per speed class, (L, L) seconds
    orders: list[Order]
    vehicles: list[Vehicle]
    chargers: dict[int, float]  # location -> rate
    objective: Objective
    horizon: float
    layout: dict[str, Any] | None = None
    stop_by_location: bool = False  # every location hosts at most one visit: bare ids
    location_index: dict[str, int] = field(default_factory=dict)
    order_index: dict[str, int] = field(default_factory=dict)
    carrier: dict[int, int] = field(default_factory=dict)  # on-board order -> vehicle


def key(value: Any) -> str:
    """Ids compare as text, so ``3`` and ``"3"`` name the same location."""
    return str(value)


def _index(items: Sequence[Mapping[str, Any]], what: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, item in enumerate(items):
        k = key(item["id"])
        if k in out:
            raise InvalidProblem(f"{what}[{i}].id", f"duplicate id {item['id']!r}")
        out[k] = i
    return out


def _ref(index: dict[str, int], value: Any, where: str, what: str) -> int:
    try:
        return index[key(value)]
    except KeyError:
        raise InvalidProblem(where, f"unknown {what} {value!r}") from None


def _window(raw: Any, where: str, default: tuple[float, float]) -> tuple[float, float]:
    if raw is None:
        return default
    lo, hi = float(raw[0]), float(raw[1])
    if lo > hi:
        raise InvalidProblem(where, f"earliest {lo:g} is after latest {hi:g}")
    return lo, hi


def parse(document: Mapping[str, Any]) -> Plant:
    locations = list(document["locations"])
    if len(locations) > MAX_LOCATIONS:
        raise InvalidProblem("locations", f"at most {MAX_LOCATIONS} locations")
    loc_index = _index(locations, "locations")
    vehicles_raw = list(document["vehicles"])
    speeds = sorted({float(v.get("speed", 1.0)) for v in vehicles_raw})
    coords = np.array([[float(loc.get("x", math.nan)), float(loc.get("y", math.nan))]
                       for loc in locations]).reshape(-1, 2)
    distance, time, layout = _travel(document, locations, coords, speeds)
    orders = _orders(document, loc_index)
    order_index = _index(document["orders"], "orders")
    vehicles, carrier = _vehicles(vehicles_raw, loc_index, order_index, speeds, orders)
    chargers: dict[int, float] = {}
    for c, raw in enumerate(document.get("chargers", [])):
        chargers[_ref(loc_index, raw["location"], f"chargers[{c}].location", "location")] = (
            float(raw["rate"]))
    _check_reachable(orders, vehicles, time)
    obj = dict(document.get("objective", {}))
    objective = Objective(
        lexicographic=bool(obj.get("lexicographic", False)),
        vehicles=float(obj.get("vehicles", 0.0)), distance=float(obj.get("distance", 1.0)),
        lateness=float(obj.get("lateness", 0.0)), priority=float(obj.get("priority", 0.0)))
    visits = [o.pickup for o in orders] + [o.delivery for o in orders]
    unique = len(set(visits)) == len(visits) and not (set(visits) & set(chargers))
    return Plant(
        name=str(document.get("name", "")), location_ids=[loc["id"] for loc in locations],
        coords=coords, distance=distance, time=time, orders=orders, vehicles=vehicles,
        chargers=chargers, objective=objective,
        horizon=_horizon(orders, vehicles, time), layout=layout,
        stop_by_location=unique, location_index=loc_index, order_index=order_index,
        carrier=carrier)


def _travel(document: Mapping[str, Any], locations: list[Mapping[str, Any]],
            coords: NDArray[np.float64], speeds: list[float]
            ) -> tuple[list[NDArray[np.float64]], list[NDArray[np.float64]],
                       dict[str, Any] | None]:
    n = len(locations)
    if "matrix" in document:
        raw = document["matrix"]
        dist = _square(raw["distance"], n, "matrix.distance")
        if "time" in raw:
            time = _square(raw["time"], n, "matrix.time")
            return [dist] * len(speeds), [time] * len(speeds), None
        return [dist] * len(speeds), [dist / s for s in speeds], None
    if "layout" in document:
        return _layout_travel(document["layout"], locations, coords, speeds)
    if np.isnan(coords).any():
        row = int(np.flatnonzero(np.isnan(coords).any(axis=1))[0])
        raise InvalidProblem(f"locations[{row}]", "needs x and y (or give a layout or matrix)")
    delta = coords[:, None, :] - coords[None, :, :]
    if document.get("metric", "euclidean") == "manhattan":
        dist = np.abs(delta).sum(axis=2)
    else:
        dist = np.sqrt((delta**2).sum(axis=2))
    return [dist] * len(speeds), [dist / s for s in speeds], None


def _square(rows: list[list[float]], n: int, where: str) -> NDArray[np.float64]:
    if len(rows) != n or any(len(r) != n for r in rows):
        raise InvalidProblem(where, f"must be {n} x {n} (one row and column per location)")
    return np.array(rows, dtype=float)


def _layout_travel(layout: Mapping[str, Any], locations: list[Mapping[str, Any]],
                   coords: NDArray[np.float64], speeds: list[float]
                   ) -> tuple[list[NDArray[np.float64]], list[NDArray[np.float64]],
                              dict[str, Any]]:
    nodes = list(layout["nodes"])
    node_index = _index(nodes, "layout.nodes")
    xy = np.array([[float(nd["x"]), float(nd["y"])] for nd in nodes])
    edges = []
    for e, raw in enumerate(layout["edges"]):
        tail = _ref(node_index, raw["from"], f"layout.edges[{e}].from", "node")
        head = _ref(node_index, raw["to"], f"layout.edges[{e}].to", "node")
        length = float(raw.get("length", float(np.hypot(*(xy[tail] - xy[head])))))
        if length <= 0:
            raise InvalidProblem(f"layout.edges[{e}]", "zero length: give a length")
        edges.append((tail, head, length, float(raw.get("speed", math.inf)),
                      bool(raw.get("two_way", True))))
    stations = []
    for i, loc in enumerate(locations):
        if "node" not in loc:
            raise InvalidProblem(f"locations[{i}].node", "required with a layout")
        node = _ref(node_index, loc["node"], f"locations[{i}].node", "layout node")
        stations.append(node)
        coords[i] = xy[node]
    out = adjacency(len(nodes), edges)
    dist, time = [], []
    for s in speeds:
        d, t = station_matrices(out, stations, s)
        if np.isinf(t).any():
            i, j = (int(v[0]) for v in np.nonzero(np.isinf(t)))
            raise InvalidProblem(f"locations[{j}]", f"cannot be reached from "
                                 f"{locations[i]['id']!r} over the layout")
        dist.append(d)
        time.append(t)
    return dist, time, {"nodes": xy, "edges": edges, "stations": stations}


def _orders(document: Mapping[str, Any], loc_index: dict[str, int]) -> list[Order]:
    orders = []
    for k, raw in enumerate(document["orders"]):
        where = f"orders[{k}]"
        pickup = _ref(loc_index, raw["pickup"], f"{where}.pickup", "location")
        delivery = _ref(loc_index, raw["delivery"], f"{where}.delivery", "location")
        orders.append(Order(
            id=raw["id"], pickup=pickup, delivery=delivery, load=float(raw.get("load", 1.0)),
            pickup_window=_window(raw.get("pickup_window"), f"{where}.pickup_window",
                                  (0.0, math.inf)),
            delivery_window=_window(raw.get("delivery_window"), f"{where}.delivery_window",
                                    (0.0, math.inf)),
            pickup_service=float(raw.get("pickup_service", 0.0)),
            delivery_service=float(raw.get("delivery_service", 0.0)),
            due=None if raw.get("due") is None else float(raw["due"]),
            priority=float(raw.get("priority", 1.0))))
    return orders


def _vehicles(raws: list[Mapping[str, Any]], loc_index: dict[str, int],
              order_index: dict[str, int], speeds: list[float], orders: list[Order]
              ) -> tuple[list[Vehicle], dict[int, int]]:
    vehicles: list[Vehicle] = []
    carrier: dict[int, int] = {}
    seen: set[str] = set()
    if sum(int(v.get("count", 1)) for v in raws) > MAX_VEHICLES:
        raise InvalidProblem("vehicles", f"at most {MAX_VEHICLES} vehicles in all")
    for v, raw in enumerate(raws):
        where = f"vehicles[{v}]"
        start = _ref(loc_index, raw["start"], f"{where}.start", "location")
        end = _ref(loc_index, raw.get("end", raw["start"]), f"{where}.end", "location")
        battery = None
        if "battery" in raw:
            b = raw["battery"]
            level = float(b.get("level", b["capacity"]))
            if level > float(b["capacity"]):
                raise InvalidProblem(f"{where}.battery.level", "exceeds the capacity")
            battery = Battery(float(b["capacity"]), float(b["consumption"]), level)
        state = raw.get("state", {})
        count = int(raw.get("count", 1))
        if state.get("on_board") and count > 1:
            raise InvalidProblem(f"{where}.state", "a vehicle with count > 1 has no state")
        on_board = tuple(_ref(order_index, o, f"{where}.state.on_board[{i}]", "order")
                         for i, o in enumerate(state.get("on_board", [])))
        capacity = float(raw.get("capacity", 1.0))
        if sum(orders[o].load for o in on_board) > capacity + 1e-9:
            raise InvalidProblem(f"{where}.state.on_board", "loads exceed the capacity")
        for o in on_board:
            if o in carrier:
                raise InvalidProblem(f"{where}.state.on_board",
                                     f"order {orders[o].id!r} is on board of two vehicles")
            carrier[o] = len(vehicles)
        for c in range(count):
            vid = raw["id"] if count == 1 else f"{raw['id']}{c + 1}"
            if key(vid) in seen:
                raise InvalidProblem(f"{where}.id", f"duplicate vehicle id {vid!r}")
            seen.add(key(vid))
            vehicles.append(Vehicle(
                id=vid, start=start, end=end, capacity=capacity,
                speed=float(raw.get("speed", 1.0)),
                shift=_window(raw.get("shift"), f"{where}.shift", (0.0, math.inf)),
                speed_class=speeds.index(float(raw.get("speed", 1.0))), battery=battery,
                available_at=float(state.get("available_at", 0.0)), on_board=on_board,
                source=v))
    return vehicles, carrier


def _check_reachable(orders: list[Order], vehicles: list[Vehicle],
                     time: list[NDArray[np.float64]]) -> None:
    for k, o in enumerate(orders):
        if o.load > max(v.capacity for v in vehicles) + 1e-9:
            raise InvalidProblem(f"orders[{k}].load", "larger than every vehicle's capacity")
        if math.isinf(time[0][o.pickup, o.delivery]):
            raise InvalidProblem(f"orders[{k}]", "delivery unreachable from pickup")


def _horizon(orders: list[Order], vehicles: list[Vehicle],
             time: list[NDArray[np.float64]]) -> float:
    """The latest instant any plan needs: the largest finite bound, or a generous sum."""
    finite = [w for o in orders for w in (o.pickup_window[1], o.delivery_window[1])
              if math.isfinite(w)] + [v.shift[1] for v in vehicles if math.isfinite(v.shift[1])]
    slowest = max(float(t.max()) for t in time) if time else 0.0
    spread = sum(2 * slowest + o.pickup_service + o.delivery_service for o in orders)
    start = max([v.available_at for v in vehicles] + [v.shift[0] for v in vehicles] +
                [o.pickup_window[0] for o in orders] + [0.0])
    return max([*finite, start + spread + 2 * slowest])
