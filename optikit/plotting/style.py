"""The shared look of charts: colours, marker colours, the title and axis-label formats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optikit.numbers import number

#: Categorical colours (Tableau 10): distinguishable and print-safe.
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")
LATE = "#d62728"        # late jobs, violated specs, overloads
DUE = "#d62728"         # due-date markers
SETUP = "#7f7f7f"       # changeovers, maintenance, non-productive time
BAND = "rgba(89,161,79,0.18)"  # a spec or target band (plotly)
BAND_MPL = "#59a14f2e"  # the same for matplotlib
OK = "#59a14f"


def colour(index: int, count: int = 0) -> str:
    """Colour ``index`` of ``count``: the palette up to 10, beyond it distinct hues
    spread by the golden angle (so 100 jobs do not share ten colours)."""
    if count <= len(PALETTE):
        return PALETTE[index % len(PALETTE)]
    import colorsys

    hue = (index * 0.618033988749895) % 1.0
    light = (0.45, 0.6, 0.72)[index % 3]
    r, g, b = colorsys.hls_to_rgb(hue, light, 0.55)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def natural(text: str) -> list[Any]:
    """Sort key that puts M2 before M10."""
    import re

    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def title(document: Mapping[str, Any], what: str = "") -> str:
    """``name (type): what - STATUS, objective 1,234.5`` for every chart."""
    head = f"{document.get('name') or 'solution'} ({document.get('type', '')})"
    if what:
        head += f": {what}"
    status = str(document.get("status") or "").upper()
    objective = document.get("objective")
    tail = ", ".join(p for p in (status, f"objective {number(objective)}"
                                 if objective is not None else "") if p)
    return f"{head} - {tail}" if tail else head


def axis_label(quantity: str, unit: str = "") -> str:
    """``time (min)``: every axis names its quantity and unit."""
    return f"{quantity} ({unit})" if unit else quantity


def time_unit(document: Mapping[str, Any], problem: Any = None) -> str:
    """The unit of schedule times: the problem's ``time_unit`` if it has one."""
    for source in (problem, document):
        unit = getattr(source, "time_unit", None) if source is not None else None
        if isinstance(source, Mapping):
            unit = source.get("time_unit")
        if isinstance(unit, str) and unit:
            return unit
    return "time units"


# Clock tick spacings to choose from, in seconds (about 5 to 12 ticks on an axis).
_STEPS = (60, 300, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400,
          7 * 86400, 14 * 86400, 28 * 86400)


def clock_ticks(clock: Any, lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Times (in units) of round clock times between ``lo`` and ``hi``, and their labels
    (``Fri 06:00``; ``Fri 04 Dec`` for ticks a day or more apart)."""
    import datetime as dt

    per = float(clock.seconds)
    step = next((s for s in _STEPS if (hi - lo) * per / s <= 12), _STEPS[-1])
    midnight = clock.start.replace(hour=0, minute=0, second=0, microsecond=0)
    t = -((clock.start - midnight).total_seconds() % step) / per
    fmt = "%a %H:%M" if step < 86400 else "%a %d %b"
    ticks, labels = [], []
    while t <= hi:
        if t >= lo:
            ticks.append(t)
            labels.append((clock.start + dt.timedelta(seconds=t * per)).strftime(fmt))
        t += step / per
    return ticks, labels


def clock_axis_label(clock: Any) -> str:
    return f"clock time (time 0 = {clock.start:%Y-%m-%d %a %H:%M}; 1 unit = 1 {clock.unit})"


def clock_of(problem: Any) -> Any:
    """The problem's clock (a ``start`` timestamp and unit), or None."""
    shop = getattr(problem, "shop", None)
    return getattr(shop, "clock", None) or getattr(problem, "clock", None)
