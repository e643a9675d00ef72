"""The formulation's own account of a plan: distance, vehicles and lateness of model routes.

It walks the model's node sequences (not the payload) with earliest service starts and
full charges, giving the objective the formulation claims; the independent checker then
replays the payload on its own and must agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from optikit_intralogistics.build import Nodes
from optikit_intralogistics.model import Plant


@dataclass(frozen=True)
class PlanValue:
    vehicles: int
    distance: float
    lateness: float
    weighted_lateness: float

    def objective(self, plant: Plant) -> float:
        w = plant.objective
        if w.lexicographic:
            return self.distance
        return (w.vehicles * self.vehicles + w.distance * self.distance
                + w.lateness * self.lateness + w.priority * self.weighted_lateness)

    def key(self, plant: Plant) -> tuple[float, float]:
        """Lexicographic comparison key (vehicles first when the objective says so)."""
        if plant.objective.lexicographic:
            return (self.vehicles, self.distance)
        return (0.0, self.objective(plant))


def value(plant: Plant, nodes: Nodes, routes: dict[int, list[int]]) -> PlanValue:
    vehicles, distance, late, weighted = 0, 0.0, 0.0, 0.0
    for v, seq in routes.items():
        veh = plant.vehicles[v]
        visits = [i for i in seq if nodes.kind[i] != "depot"]
        if not visits and not veh.on_board:
            continue
        vehicles += 1
        d_mat, t_mat = plant.distance[veh.speed_class], plant.time[veh.speed_class]
        level = veh.battery.level if veh.battery else 0.0
        clock = max(veh.shift[0], veh.available_at)
        at = veh.start
        for i in visits:
            nxt = nodes.location[i]
            distance += float(d_mat[at, nxt])
            clock += float(t_mat[at, nxt])
            if veh.battery is not None:
                level -= veh.battery.consumption * float(d_mat[at, nxt])
            at = nxt
            kind = nodes.kind[i]
            if kind == "charge":
                if veh.battery is not None:
                    clock += (veh.battery.capacity - level) / plant.chargers[nxt]
                    level = veh.battery.capacity
                continue
            order = plant.orders[nodes.order[i]]
            window = order.pickup_window if kind == "pickup" else order.delivery_window
            clock = max(clock, window[0])
            if kind == "delivery" and order.due is not None and clock > order.due:
                late += clock - order.due
                weighted += (clock - order.due) * order.priority
            clock += order.pickup_service if kind == "pickup" else order.delivery_service
        distance += float(d_mat[at, veh.end])
    return PlanValue(vehicles, distance, late, weighted)
