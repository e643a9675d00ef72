"""How a conflict is worded for a process engineer, and the relaxations it shows."""

from __future__ import annotations

import math
from typing import Any

from optikit_blend.diagnosis.elastic import MATERIAL_SCALE_FLOOR, SCALE_FLOOR, Limit

#: Reported relaxations get this margin (relative to the limit) and are rounded up to
#: this many significant digits (never down), so relaxing a limit by the reported amount
#: is always enough, with room for solver tolerances.
RELAX_MARGIN = 1e-6
DIGITS = 6


def round_up(value: float, digits: int = DIGITS) -> float:
    """``value`` rounded up to ``digits`` significant digits (0 stays 0)."""
    if value <= 0 or not math.isfinite(value):
        return max(0.0, value)
    exponent = math.floor(math.log10(value)) - digits + 1
    step = 10.0**exponent
    return float(f"{math.ceil(value / step - 1e-9) * step:.{digits}g}")


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _unit(lim: Limit) -> str:
    return {"spec": " %", "material": " t", "lot": " t"}.get(lim.kind, "")


def _what(lim: Limit) -> str:
    bound = "at least" if lim.side == "min" else "at most"
    value = f"{_fmt(lim.limit)}{_unit(lim)}"
    if lim.kind == "spec":
        return f"{lim.subject} {bound} {value} of the product"
    if lim.kind == "ratio":
        return f"ratio {lim.subject} {bound} {value}"
    if lim.kind == "group":
        return f"share of group {lim.subject} {bound} {value}"
    if lim.kind == "material":
        return f"{lim.subject}: {bound} {value} charged"
    if lim.kind == "lot":
        return f"{lim.subject}: if used, at least {value} (lot)"
    if lim.subject == "materials used":
        return f"{bound} {_fmt(lim.limit)} materials used in all"
    return f"{bound} {_fmt(lim.limit)} materials of group {lim.subject} used"


def _message(lim: Limit, relaxation: float | None, computed: bool) -> str:
    text = _what(lim)
    if not computed:
        return text
    if relaxation is None:
        return f"{text}; moving this limit alone is not enough (other conflicts remain)"
    reachable = lim.limit - relaxation if lim.side == "min" else lim.limit + relaxation
    if lim.kind == "count":
        reachable = float(round(reachable))
    best = "at most" if lim.side == "min" else "at least"
    if lim.kind == "lot":
        return f"{text}; the other limits allow {best} {_fmt(max(reachable, 0.0))} t"
    verb = "allow" if lim.side == "min" else "need"
    return f"{text}; the other limits {verb} {best} {_fmt(reachable)}{_unit(lim)}"


def normalised(lim: Limit, relaxation: float) -> float:
    if lim.kind in ("material", "lot"):
        return relaxation / lim.to_user / lim.scale
    floor = SCALE_FLOOR.get(lim.kind, 1.0)
    return relaxation / max(abs(lim.limit), floor)


def reported(lim: Limit, exact: float | None) -> float | None:
    """The relaxation shown to users: the exact one plus a margin of ``RELAX_MARGIN`` of the
    limit's scale, rounded up.  The exact amount puts the limit on the very edge of what is
    reachable, where a solver's tolerances decide (HiGHS' MIP presolve called such an edge
    case infeasible that CBC and SCIP solved); the margin keeps the advice robust."""
    if exact is None:
        return None
    if lim.kind == "count":
        return float(math.ceil(exact - 1e-6))
    if lim.kind in ("material", "lot"):
        scale = max(abs(lim.limit), exact, MATERIAL_SCALE_FLOOR * lim.to_user)
    else:
        scale = max(abs(lim.limit), exact, SCALE_FLOOR.get(lim.kind, 1.0))
    padded = round_up(exact + RELAX_MARGIN * scale)
    # A min never needs to go below 0: every share, ratio and mass is non-negative.
    return min(padded, lim.limit) if lim.side == "min" else padded


def conflict_entry(lim: Limit, shown: float | None, computed: bool) -> dict[str, Any]:
    """One conflicting limit as reported (``shown``: its relaxation, from ``reported``)."""
    entry: dict[str, Any] = {
        "constraint": lim.constraint,
        "message": _message(lim, shown, computed),
        "limit": lim.limit,
        "relaxation": shown,
    }
    if shown is not None:
        moved = lim.limit - shown if lim.side == "min" else lim.limit + shown
        entry["relaxed_limit"] = float(f"{max(0.0, moved):.12g}")
    if lim.unit:
        entry["unit"] = lim.unit
    return entry


def summary_of(
    limits: list[Limit], relax: list[float | None], complete: bool, total: float
) -> str:
    members = len(limits)
    head = (f"these {members} limits cannot all hold; dropping any one of them removes this "
            "conflict" if members > 1 else "this limit cannot hold on its own")
    options = [(i, r) for i, r in enumerate(relax) if r is not None]
    if options:
        i, r = min(options, key=lambda item: normalised(limits[item[0]], item[1]))
        lim = limits[i]
        unit = {"spec": " % points", "material": " t", "lot": " t", "count": ""}.get(lim.kind, "")
        head += f"; cheapest single fix: move {lim.constraint} by {_fmt(r)}{unit}"
    elif complete:
        head += "; no single limit's move is enough: other conflicts remain"
    if any(lim.kind in ("material", "lot") for lim in limits):
        head += f" (the product total of {_fmt(total)} t is held fixed)"
    return head
