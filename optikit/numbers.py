"""One way to print numbers in summaries, for every problem type.

Thousands grouped (``2,424.23``), whole numbers without decimals (``8,495``, also for a
float that is whole up to rounding noise), two decimals from 1,000 up, six significant
digits below, scientific notation only for the very small and the very large.  The core
summary and the plugins' summary rows use it, so types print alike.
"""

from __future__ import annotations

import math
from typing import Any


def number(value: Any, unit: str = "", *, decimals: int | None = None) -> str:
    """``2424.2312`` -> ``2,424.23``; ``None`` -> ``-``; ``unit`` appended after a space.

    ``decimals`` fixes the decimals of a number that is not whole (``308.572`` with 1 ->
    ``308.6``), for figures whose precision the type knows.
    """
    text = _number(value, decimals)
    return f"{text} {unit}" if unit and value is not None else text


def _number(value: Any, decimals: int | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if not isinstance(value, float):
        try:
            value = float(value)  # numpy scalars
        except (TypeError, ValueError):
            return str(value)
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 1e15:
        return f"{value:.6e}"
    nearest = round(value)
    if abs(value - nearest) <= 1e-9 * max(1.0, magnitude):
        return f"{int(nearest):,}"
    if decimals is not None:
        return f"{value:,.{max(0, min(decimals, 12))}f}"
    if magnitude >= 1000:
        return f"{value:,.2f}"
    if magnitude >= 1e-4:
        return f"{value:.6g}"
    return f"{value:.3e}"


def percent(value: float | None, digits: int = 1) -> str:
    """A percentage already in % (``12.345`` -> ``12.3%``)."""
    return "-" if value is None else f"{value:.{digits}f}%"

