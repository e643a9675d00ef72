"""A dispatcher's start plan: orders by release time, each to the vehicle that delivers it
first.  Routing's own first-solution heuristics ignore soft due times and pile orders onto
few vehicles; local search rarely opens a new route afterwards.  This start spreads work
the way a dispatcher would, and guided local search improves it from there.  Returns None
when an order fits no vehicle (hard windows, shifts): the routing heuristics take over.
"""

from __future__ import annotations

from dataclasses import dataclass

from optikit_intralogistics.build import Nodes
from optikit_intralogistics.model import Plant


@dataclass
class _State:
    time: float
    at: int
    energy: float
    nodes: list[int]


def dispatch(plant: Plant, nodes: Nodes, vehicles: list[int]) -> list[list[int]] | None:
    node_of = {(nodes.kind[i], nodes.order[i]): i for i in range(len(nodes.kind))
               if nodes.order[i] >= 0}
    slots: dict[int, list[int]] = {}
    for i, kind in enumerate(nodes.kind):
        if kind == "charge":
            slots.setdefault(nodes.location[i], []).append(i)
    states = {}
    for v in vehicles:
        veh = plant.vehicles[v]
        states[v] = _State(max(veh.shift[0], veh.available_at), veh.start,
                           veh.battery.level if veh.battery else 0.0, [])
        t = states[v].time
        for k in veh.on_board:  # deliver what is on board first
            o = plant.orders[k]
            t = max(t + float(plant.time[veh.speed_class][states[v].at, o.delivery]),
                    o.delivery_window[0]) + o.delivery_service
            states[v].at, states[v].time = o.delivery, t
            states[v].nodes.append(node_of[("delivery", k)])
    todo = [k for k in range(len(plant.orders)) if k not in plant.carrier]
    todo.sort(key=lambda k: (plant.orders[k].pickup_window[0], k))
    for k in todo:
        best: tuple[float, int] | None = None
        for v in vehicles:
            done = _serve(plant, v, states[v], k)
            if done is not None and (best is None or done < best[0]):
                best = (done, v)
        if best is None:
            return None
        v = best[1]
        state = states[v]
        veh = plant.vehicles[v]
        if veh.battery is not None and _needs_charge(plant, v, state, k):
            charger = _charge(plant, v, state, slots)
            if charger is not None:
                state.nodes.append(charger)
        _commit(plant, v, state, k)
        state.nodes += [node_of[("pickup", k)], node_of[("delivery", k)]]
    return [states[v].nodes for v in vehicles]


def _serve(plant: Plant, v: int, state: _State, k: int) -> float | None:
    """When vehicle ``v`` would finish order ``k`` next (None: not within its windows)."""
    veh, o = plant.vehicles[v], plant.orders[k]
    if o.load > veh.capacity:
        return None
    time = plant.time[veh.speed_class]
    t = max(state.time + float(time[state.at, o.pickup]), o.pickup_window[0])
    if t > o.pickup_window[1]:
        return None
    t = max(t + o.pickup_service + float(time[o.pickup, o.delivery]), o.delivery_window[0])
    if t > o.delivery_window[1]:
        return None
    back = t + o.delivery_service + float(time[o.delivery, veh.end])
    return None if back > veh.shift[1] else t


def _needs_charge(plant: Plant, v: int, state: _State, k: int) -> bool:
    veh, o = plant.vehicles[v], plant.orders[k]
    assert veh.battery is not None
    dist = plant.distance[veh.speed_class]
    far = max((float(dist[o.delivery, c]) for c in plant.chargers), default=0.0)
    need = float(dist[state.at, o.pickup] + dist[o.pickup, o.delivery]) + far
    return state.energy < veh.battery.consumption * need * 1.05


def _charge(plant: Plant, v: int, state: _State, slots: dict[int, list[int]]) -> int | None:
    veh = plant.vehicles[v]
    assert veh.battery is not None
    free = [c for c in slots if slots[c]]
    if not free:
        return None
    dist, time = plant.distance[veh.speed_class], plant.time[veh.speed_class]
    c = min(free, key=lambda c: float(dist[state.at, c]))
    state.energy -= veh.battery.consumption * float(dist[state.at, c])
    state.time += float(time[state.at, c]) + veh.battery.capacity / plant.chargers[c]
    state.energy = veh.battery.capacity
    state.at = c
    return slots[c].pop(0)


def _commit(plant: Plant, v: int, state: _State, k: int) -> None:
    veh, o = plant.vehicles[v], plant.orders[k]
    time, dist = plant.time[veh.speed_class], plant.distance[veh.speed_class]
    t = max(state.time + float(time[state.at, o.pickup]), o.pickup_window[0])
    t = max(t + o.pickup_service + float(time[o.pickup, o.delivery]), o.delivery_window[0])
    if veh.battery is not None:
        state.energy -= veh.battery.consumption * float(
            dist[state.at, o.pickup] + dist[o.pickup, o.delivery])
    state.time, state.at = t + o.delivery_service, o.delivery
