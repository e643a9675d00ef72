"""The routes chart (``optikit solve X --gantt PATH``): the plant layout (aisles, one-way
aisles dashed), stations and chargers, and each vehicle's route as a coloured line from
stop to stop (straight between stops: the aisle path itself is not drawn).  Drawn with
the shared static module (matplotlib, the ``plot`` extra, imported when drawing).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit.plotting import static, style
from optikit_intralogistics.checker import _resolve
from optikit_intralogistics.model import Plant, key

#: Vehicles listed one by one in the legend.
MAX_LEGEND_VEHICLES = 20


def draw(plant: Plant, document: Mapping[str, Any], path: Path) -> None:
    """Write the chart to ``path`` (.png, .svg or .pdf)."""
    fig, (ax,) = static.new_figure(11, 7)
    ax.grid(False)
    if plant.layout is not None:
        xy = plant.layout["nodes"]
        for tail, head, _length, _limit, two_way in plant.layout["edges"]:
            ax.plot([xy[tail][0], xy[head][0]], [xy[tail][1], xy[head][1]],
                    color="#cccccc", lw=3 if two_way else 1.5,
                    ls="-" if two_way else "--", zorder=1)
    coords = plant.coords
    ax.scatter(coords[:, 0], coords[:, 1], s=12, color="#555555", zorder=3)
    for loc in plant.chargers:
        ax.scatter([coords[loc, 0]], [coords[loc, 1]], marker="s", s=80, color=style.colour(1),
                   zorder=4)
    vehicle_index = {key(v.id): i for i, v in enumerate(plant.vehicles)}
    handles: list[Any] = []
    solution = document.get("solution") or {}
    for r, route in enumerate(solution.get("routes", [])):
        v = vehicle_index.get(key(route.get("vehicle")))
        if v is None:
            continue
        veh = plant.vehicles[v]
        points = [veh.start]
        for raw in route.get("stops", []):
            stop = _resolve(plant, raw)
            if isinstance(stop, str):
                continue
            kind, idx = stop
            if kind == "charge":
                points.append(idx)
            else:
                order = plant.orders[idx]
                points.append(order.pickup if kind == "pickup" else order.delivery)
        points.append(veh.end)
        xs, ys = coords[points, 0], coords[points, 1]
        colour = style.colour(r, len(solution.get("routes", [])))
        ax.plot(xs, ys, color=colour, lw=1.6, alpha=0.85, zorder=2)
        if r < MAX_LEGEND_VEHICLES:
            handles.append(static.line(f"route of {veh.id}", colour, "-", 1.6))
    for v in {veh.start for veh in plant.vehicles}:
        ax.scatter([coords[v, 0]], [coords[v, 1]], marker="*", s=160, color="black", zorder=5)
    handles += [static.marker("location", "o", "#555555", 4),
                static.marker("depot (start)", "*", "black", 10)]
    if plant.chargers:
        handles.append(static.marker("charger", "s", style.colour(1), 7))
    if plant.layout is not None:
        handles += [static.line("aisle (two-way)", "#cccccc", "-", 3),
                    static.line("aisle (one-way)", "#cccccc", "--", 1.5)]
    static.legend(ax, handles)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel(static.axis_label("x", "m"))
    ax.set_ylabel(static.axis_label("y", "m"))
    static.set_title(fig, document, "routes")
    static.save(fig, path, str(document.get("name", "")))
