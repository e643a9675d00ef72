"""Seeded plant generator: a grid of aisles, stations, AGVs with batteries, transport orders.

The layout is a grid of aisle crossings (10 m apart across, 15 m along); cross aisles are
two-way, every second long aisle is one-way (alternating direction), and the main aisle
along the bottom has a higher speed limit.  A warehouse with docks sits at one end, line
stations and supermarkets across the grid, chargers near the warehouse.  Orders move
material from the warehouse or a supermarket to a line station (some return empties),
released over the horizon with a soft due time and a priority.
"""

from __future__ import annotations

import random
from typing import Any

#: size -> (grid columns, grid rows, orders, vehicles, horizon in seconds)
SIZES = {
    "tiny": (4, 3, 3, 2, 1800),
    "small": (6, 5, 20, 4, 3600),
    "medium": (10, 8, 100, 12, 7200),
    "large": (16, 12, 500, 40, 14400),
}
DX, DY = 10.0, 15.0


def _layout(cols: int, rows: int) -> dict[str, Any]:
    nodes = [{"id": f"n{c}_{r}", "x": c * DX, "y": r * DY}
             for r in range(rows) for c in range(cols)]
    edges: list[dict[str, Any]] = []
    for r in range(rows):
        for c in range(cols - 1):  # cross aisles, two-way; the bottom one is the main aisle
            edge: dict[str, Any] = {"from": f"n{c}_{r}", "to": f"n{c + 1}_{r}"}
            if r == 0:
                edge["speed"] = 2.0
            else:
                edge["speed"] = 1.2
            edges.append(edge)
    for c in range(cols):
        for r in range(rows - 1):  # long aisles: every second one is one-way
            up = c % 4 == 1
            down = c % 4 == 3
            if down:
                edges.append({"from": f"n{c}_{r + 1}", "to": f"n{c}_{r}", "two_way": False})
            elif up:
                edges.append({"from": f"n{c}_{r}", "to": f"n{c}_{r + 1}", "two_way": False})
            else:
                edges.append({"from": f"n{c}_{r}", "to": f"n{c}_{r + 1}"})
    return {"nodes": nodes, "edges": edges}


def generate(seed: int, size: str) -> dict[str, Any]:
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; known: {', '.join(SIZES)}")
    cols, rows, num_orders, num_vehicles, horizon = SIZES[size]
    rng = random.Random(seed)
    locations: list[dict[str, Any]] = [{"id": "WH", "name": "warehouse dock", "node": "n0_0"},
                                       {"id": "CH", "name": "charging", "node": "n1_0"}]
    docks = ["WH"]
    if size != "tiny":
        locations.append({"id": "WH2", "name": "warehouse dock 2", "node": f"n0_{rows - 1}"})
        docks.append("WH2")
    cells = [(c, r) for r in range(rows) for c in range(2, cols)]
    rng.shuffle(cells)
    n_super = max(1, len(cells) // 8)
    n_line = max(2, min(len(cells) - n_super, len(cells) // 2))
    supers = [f"SM{i + 1}" for i in range(n_super)]
    lines = [f"L{i + 1}" for i in range(n_line)]
    for sid, (c, r) in zip(supers + lines, cells, strict=False):
        locations.append({"id": sid, "node": f"n{c}_{r}"})
    orders = []
    for k in range(num_orders):
        release = rng.uniform(0, horizon * 0.8)
        line = rng.choice(lines)
        source = rng.choice(docks + supers)
        pickup, delivery = (line, source) if rng.random() < 0.15 else (source, line)
        order: dict[str, Any] = {
            "id": f"T{k + 1}", "pickup": pickup, "delivery": delivery,
            "load": rng.choice([1, 1, 1, 2]),
            "pickup_window": [round(release), horizon],
            "pickup_service": 20, "delivery_service": 20,
            "due": round(release + rng.uniform(300, 900)),
            "priority": rng.choice([1, 1, 2, 3]),
        }
        orders.append(order)
    # The battery covers part of a shift at most: the bigger plants need charging.
    battery = {"capacity": 1.5 * horizon * 0.5, "consumption": 1.0}
    vehicles = [{"id": f"AGV{v + 1}", "start": "WH", "capacity": 2 if v % 3 else 4,
                 "speed": 1.5 if v % 3 else 1.0, "shift": [0, horizon + 1200],
                 "battery": dict(battery)} for v in range(num_vehicles)]
    return {
        "type": "intralogistics",
        "name": f"plant-{size}-{seed}",
        "description": f"generated {cols}x{rows} aisle grid, {num_orders} transport orders",
        "layout": _layout(cols, rows),
        "locations": locations,
        "chargers": [{"location": "CH", "rate": 5.0}],
        "orders": orders,
        "vehicles": vehicles,
        "objective": {"vehicles": 100, "distance": 1, "lateness": 1, "priority": 1},
    }
