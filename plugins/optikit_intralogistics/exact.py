"""Exact search for small instances: every route of every vehicle, proven optimal.

A depth-first search builds the routes one vehicle after the other: the current vehicle
picks up an order not yet taken, delivers one it carries, charges, or goes home, and the
next vehicle starts.  For a fixed sequence the earliest service starts are optimal (every
cost grows with time), so enumerating sequences enumerates all plans; a branch is cut
when its cost so far (all parts non-negative) is no better than the best plan.  Identical
idle vehicles are tried once.  Exhausting the tree proves the best plan optimal, or the
instance infeasible; a node budget keeps it to small instances (None: budget spent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from optikit_intralogistics.model import Plant, Vehicle

TOL = 1e-9
Stop = tuple[str, int]  # ("pickup" | "delivery", order) or ("charge", location)
Key = tuple[float, float]


@dataclass
class Result:
    proven: bool
    key: Key | None = None
    routes: dict[int, list[Stop]] = field(default_factory=dict)
    nodes: int = 0


def _twin(a: Vehicle, b: Vehicle) -> bool:
    return (not a.on_board and not b.on_board and a.start == b.start and a.end == b.end
            and a.capacity == b.capacity and a.speed == b.speed and a.shift == b.shift
            and a.battery == b.battery and a.available_at == b.available_at)


def solve_exact(plant: Plant, budget: int, expired: Callable[[], bool]) -> Result:
    obj = plant.objective
    lex = obj.lexicographic
    out = Result(proven=False)
    taken: set[int] = set(plant.carrier)  # orders picked up (or on board from the start)
    routes: dict[int, list[Stop]] = {}
    count = [0]

    def better(key: Key) -> bool:
        return out.key is None or key < (out.key[0], out.key[1] - 1e-9 * max(1, out.key[1]))

    def cost(vehicles: int, dist: float, late: float, weighted: float) -> Key:
        if lex:
            return (float(vehicles), dist)
        return (0.0, obj.vehicles * vehicles + obj.distance * dist + obj.lateness * late
                + obj.priority * weighted)

    def vehicle(v: int, used: int, dist: float, late: float, weighted: float,
                skip_twin: bool) -> bool:
        """Routes for vehicles v.. ; False when the budget ran out."""
        if v == len(plant.vehicles):
            if len(taken) == len(plant.orders) and all_delivered():
                key = cost(used, dist, late, weighted)
                if better(key):
                    out.key, out.routes = key, {u: list(r) for u, r in routes.items() if r}
            return True
        veh = plant.vehicles[v]
        if skip_twin and v > 0 and _twin(plant.vehicles[v - 1], veh):
            return vehicle(v + 1, used, dist, late, weighted, True)
        energy = veh.battery.level if veh.battery else 0.0
        routes[v] = []
        state = (max(veh.shift[0], veh.available_at), veh.start,
                 sum(plant.orders[o].load for o in veh.on_board), energy, set(veh.on_board))
        return step(v, used, dist, late, weighted, *state)

    delivered: set[int] = set()

    def all_delivered() -> bool:
        return len(delivered) == len(plant.orders)

    def step(v: int, used: int, dist: float, late: float, weighted: float, t: float,
             at: int, load: float, energy: float, board: set[int]) -> bool:
        count[0] += 1
        if count[0] > budget or (count[0] % 1000 == 0 and expired()):
            return False
        if not better(cost(used + (1 if routes[v] or board else 0), dist, late, weighted)):
            return True
        veh = plant.vehicles[v]
        dm, tm = plant.distance[veh.speed_class], plant.time[veh.speed_class]
        bat = veh.battery

        def arrive(to: int) -> tuple[float, float, float] | None:
            d = float(dm[at, to])
            e = energy - (bat.consumption * d if bat else 0.0)
            if bat and e < -TOL * max(1.0, bat.capacity):
                return None
            return t + float(tm[at, to]), d, e

        if not board:  # go home: this vehicle is done
            got = arrive(veh.end)
            if got is not None and got[0] <= veh.shift[1] + TOL * max(1.0, veh.shift[1]):
                busy = 1 if routes[v] or veh.on_board else 0
                # an idle vehicle stays where it is: no drive from its start to its end
                if not vehicle(v + 1, used + busy, dist + (got[1] if busy else 0.0), late,
                               weighted, not routes[v]):
                    return False
        for k, order in enumerate(plant.orders):
            if k in taken or load + order.load > veh.capacity + TOL:
                continue
            got = arrive(order.pickup)
            if got is None:
                continue
            start = max(got[0], order.pickup_window[0])
            if start > order.pickup_window[1] + TOL * max(1.0, order.pickup_window[1]):
                continue
            taken.add(k)
            routes[v].append(("pickup", k))
            ok = step(v, used, dist + got[1], late, weighted, start + order.pickup_service,
                      order.pickup, load + order.load, got[2], board | {k})
            routes[v].pop()
            taken.discard(k)
            if not ok:
                return False
        for k in sorted(board):
            order = plant.orders[k]
            got = arrive(order.delivery)
            if got is None:
                continue
            start = max(got[0], order.delivery_window[0])
            if start > order.delivery_window[1] + TOL * max(1.0, order.delivery_window[1]):
                continue
            lt = max(0.0, start - order.due) if order.due is not None else 0.0
            delivered.add(k)
            routes[v].append(("delivery", k))
            ok = step(v, used, dist + got[1], late + lt, weighted + lt * order.priority,
                      start + order.delivery_service, order.delivery, load - order.load,
                      got[2], board - {k})
            routes[v].pop()
            delivered.discard(k)
            if not ok:
                return False
        if bat is not None and energy < bat.capacity - TOL * max(1.0, bat.capacity):
            for c, rate in sorted(plant.chargers.items()):
                got = arrive(c)
                if got is None:
                    continue
                routes[v].append(("charge", c))
                ok = step(v, used, dist + got[1], late, weighted,
                          got[0] + (bat.capacity - got[2]) / rate, c, load, bat.capacity,
                          board)
                routes[v].pop()
                if not ok:
                    return False
        return True

    out.proven = vehicle(0, 0, 0.0, 0.0, 0.0, False)
    out.nodes = count[0]
    return out


def payload_stops(plant: Plant, stops: list[Stop]) -> list[Any]:
    out: list[Any] = []
    for kind, idx in stops:
        if kind == "charge":
            out.append({"charge": plant.location_ids[idx]})
        elif plant.stop_by_location:
            order = plant.orders[idx]
            out.append(plant.location_ids[order.pickup if kind == "pickup" else order.delivery])
        else:
            out.append({"order": plant.orders[idx].id, "action": kind})
    return out
