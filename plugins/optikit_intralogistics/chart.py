"""The routes chart (``optikit solve X --gantt PATH``): the plant layout (aisles, one-way
aisles dashed), stations and chargers, and each vehicle's route as a coloured line from
stop to stop (straight between stops: the aisle path itself is not drawn).  matplotlib
(the ``plot`` extra) is imported only when drawing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit_intralogistics.checker import _resolve
from optikit_intralogistics.model import Plant, key


def draw(plant: Plant, document: Mapping[str, Any], path: Path) -> None:
    """Write the chart to ``path`` (any format matplotlib writes: png, svg, pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 7))
    if plant.layout is not None:
        xy = plant.layout["nodes"]
        for tail, head, _length, _limit, two_way in plant.layout["edges"]:
            ax.plot([xy[tail][0], xy[head][0]], [xy[tail][1], xy[head][1]],
                    color="#cccccc", lw=3 if two_way else 1.5,
                    ls="-" if two_way else "--", zorder=1)
    coords = plant.coords
    ax.scatter(coords[:, 0], coords[:, 1], s=12, color="#555555", zorder=3)
    for loc in plant.chargers:
        ax.scatter([coords[loc, 0]], [coords[loc, 1]], marker="s", s=80, color="#f28e2b",
                   zorder=4, label="charger")
    vehicle_index = {key(v.id): i for i, v in enumerate(plant.vehicles)}
    cmap = plt.get_cmap("tab20")
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
        ax.plot(xs, ys, color=cmap(r % 20), lw=1.6, alpha=0.85, zorder=2,
                label=str(veh.id) if r < 20 else None)
    for v in {veh.start for veh in plant.vehicles}:
        ax.scatter([coords[v, 0]], [coords[v, 1]], marker="*", s=160, color="black", zorder=5)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=False))
    if unique:
        ax.legend(unique.values(), unique.keys(), fontsize=7, loc="upper right", ncol=2)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(f"{document.get('name', plant.name)}: routes "
                 f"(objective {document.get('objective')})")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
