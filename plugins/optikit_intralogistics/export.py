"""Routes as a table (the ``export_tables`` hook): one row per stop of each vehicle, in
order, with the location and its plant coordinates (start and end depots included), so
``optikit export`` lists them and the interactive chart draws them on the layout."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from optikit_intralogistics.checker import _resolve
from optikit_intralogistics.model import Plant, key


def route_tables(plant: Plant, document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    solution = document.get("solution")
    routes = solution.get("routes") if isinstance(solution, Mapping) else None
    if not isinstance(routes, list):
        return {}
    vehicles = {key(v.id): v for v in plant.vehicles}
    rows: list[dict[str, Any]] = []

    def add(vehicle: Any, stop: int, action: str, order: Any, location: int) -> None:
        x, y = (float(c) for c in plant.coords[location])
        rows.append({"vehicle": vehicle, "stop": stop, "action": action, "order": order,
                     "location": plant.location_ids[location],
                     "x": None if math.isnan(x) else x, "y": None if math.isnan(y) else y})

    for route in routes:
        veh = vehicles.get(key(route.get("vehicle"))) if isinstance(route, Mapping) else None
        if veh is None:
            continue
        add(veh.id, 0, "start", None, veh.start)
        for n, raw in enumerate(route.get("stops") or [], start=1):
            stop = _resolve(plant, raw)
            if isinstance(stop, str):
                continue
            kind, idx = stop
            if kind == "charge":
                add(veh.id, n, "charge", None, idx)
            else:
                order = plant.orders[idx]
                add(veh.id, n, kind, order.id,
                    order.pickup if kind == "pickup" else order.delivery)
        add(veh.id, len(route.get("stops") or []) + 1, "end", None, veh.end)
    return {"route_stops": rows} if rows else {}
