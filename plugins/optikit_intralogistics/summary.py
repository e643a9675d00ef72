"""Key figures of an ``intralogistics`` plan in a dispatcher's terms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit_intralogistics.checker import check
from optikit_intralogistics.model import Plant


def summarize(plant: Plant, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Vehicles, distance, orders per vehicle, utilisation, late orders, empty travel."""
    solution = document.get("solution")
    if not isinstance(solution, Mapping):
        return []
    fig = check(plant, solution).figures
    routes = fig.get("routes", [])
    if not routes:
        return []
    rows = [("vehicles used", f"{fig['vehicles']} of {len(plant.vehicles)}"),
            ("distance", f"{fig['distance']:,.1f}")]
    per = [r["orders"] for r in routes]
    rows.append(("orders per vehicle",
                 f"mean {sum(per) / len(per):.1f}, min {min(per)}, max {max(per)}"))
    busy = [r["end"] - r["start"] for r in routes]
    shifts = [_shift_length(plant, r["vehicle"], r) for r in routes]
    util = sum(busy) / sum(shifts) if sum(shifts) > 0 else 0.0
    rows.append(("utilisation", f"{util:.0%} of the used vehicles' shifts on the road "
                 f"(waiting {fig['waiting']:,.0f} s)"))
    if any(o.due is not None for o in plant.orders):
        late = fig["late_orders"]
        shown = ", ".join(str(x) for x in late[:6]) + (", ..." if len(late) > 6 else "")
        rows.append(("late orders", f"{len(late)} of {len(plant.orders)}, "
                     f"{fig['lateness']:,.0f} s in all" + (f" ({shown})" if late else "")))
    if fig["distance"] > 0:
        rows.append(("empty travel", f"{fig['empty_distance'] / fig['distance']:.0%} of the "
                     "distance driven without load"))
    if fig["charges"]:
        rows.append(("charging stops", str(fig["charges"])))
    return rows


def _shift_length(plant: Plant, vehicle: Any, route: Mapping[str, Any]) -> float:
    veh = next(v for v in plant.vehicles if str(v.id) == str(vehicle))
    end = veh.shift[1] if veh.shift[1] != float("inf") else route["end"]
    return max(0.0, end - route["start"])
