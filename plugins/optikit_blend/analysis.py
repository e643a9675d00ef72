"""Which blend rules bind, and what each costs: shadow prices from the LP's duals.

The backend's duals are d(total cost)/d(row or column bound) in the model's units (see
:mod:`optikit.paradigms`); here they become d(total cost)/d(limit) in the units the user
wrote the limit in:

- spec rows are in % of product already, so the row dual is the price of one % point;
- a ratio row is ``N - limit*D``: moving the limit by ``t`` shifts the row by ``t*D``, so
  the price is ``dual * D`` (envelope theorem); group shares likewise with the reference
  mass ``S`` of ``of``;
- material bounds are per tonne of product in the model, so the price per tonne is the
  reduced cost divided by ``total``.

``tighten_cost`` is the linear estimate of what tightening the limit by one unit costs; it
holds while the same set of constraints stays binding.  After a MILP the duals come from
the LP with the material selection fixed, and say so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit_blend.linear import BlendModel
from optikit_blend.model import BlendProblem, charge_figures

#: Relative distance to a limit under which a constraint counts as binding.
BINDING_RTOL = 1e-7


def _at(value: float, limit: float, scale: float = 1.0) -> bool:
    return abs(value - limit) <= BINDING_RTOL * max(abs(limit), scale)


def _entry(
    kind: str,
    name: str,
    side: str,
    limit: float,
    value: float | None,
    unit: str,
    price: float | None,
) -> dict[str, Any]:
    if price is not None:
        price += 0.0  # no "-0.0" in documents
    tighten = None if price is None else (price if side == "min" else -price) + 0.0
    return {
        "kind": kind,
        "name": name,
        "side": side,
        "limit": limit,
        "value": value,
        "unit": unit,
        "shadow_price": price,
        "tighten_cost": tighten,
    }


def analyse(
    problem: BlendProblem,
    bm: BlendModel,
    x: NDArray[np.float64],
    row_duals: NDArray[np.float64] | None,
    col_duals: NDArray[np.float64] | None,
    source: str,
) -> dict[str, Any]:
    """Binding constraints with their shadow prices (``None`` without duals).

    ``x`` is the model's full solution vector (per tonne of product).
    """
    xm = x[bm.x_cols]
    activity = bm.model.activity(x)
    duals = row_duals if row_duals is not None else None

    def row_price(row: int, factor: float = 1.0) -> float | None:
        return None if duals is None else float(duals[row]) * factor

    binding: list[dict[str, Any]] = []
    for k, row in bm.spec_rows.items():
        value = float(activity[row])
        for side, limits in (("min", problem.spec_min), ("max", problem.spec_max)):
            limit = float(limits[k])
            if not np.isnan(limit) and _at(value, limit):
                binding.append(
                    _entry("spec", problem.components[k], side, limit, value,
                           "% of product", row_price(row))
                )

    comp_pct = charge_figures(problem, xm)[0] * 100.0  # % of product (xm is per tonne)
    for r, side, row in bm.ratio_rows:
        ratio = problem.ratios[r]
        num, den = float(comp_pct @ ratio.numerator), float(comp_pct @ ratio.denominator)
        limit = float(ratio.min if side == "min" else ratio.max)  # type: ignore[arg-type]
        if _at(num, limit * den, max(num, 1e-12)):
            shown = num / den if den > 0 else None
            binding.append(_entry("ratio", ratio.name, side, limit, shown, "ratio",
                                  row_price(row, den)))

    for g, side, row in bm.group_rows:
        group = problem.groups[g]
        mass = float(xm[group.members].sum())
        ref_mass = float(xm.sum() if group.of is None else xm[group.of].sum())
        limit = float(group.min if side == "min" else group.max)  # type: ignore[arg-type]
        if _at(mass, limit * ref_mass, max(ref_mass, 1e-12)):
            share = mass / ref_mass if ref_mass > 0 else None
            binding.append(_entry("group", group.name, side, limit, share,
                                  "share of charged mass", row_price(row, ref_mass)))

    binding.extend(_material_bounds(problem, bm, xm, col_duals))
    return {"duals_from": source, "binding": binding}


def _material_bounds(
    problem: BlendProblem,
    bm: BlendModel,
    xm: NDArray[np.float64],
    col_duals: NDArray[np.float64] | None,
) -> list[dict[str, Any]]:
    """User-given min/max (and lots, once a material is in) that the charge sits on."""
    total = problem.total
    out: list[dict[str, Any]] = []
    lower = bm.x_lower if bm.x_lower is not None else problem.lower / total
    upper = bm.x_upper if bm.x_upper is not None else problem.upper / total
    reduced = None if col_duals is None else col_duals[bm.x_cols] / total
    tol = BINDING_RTOL
    at_upper = np.flatnonzero(
        np.isfinite(upper) & (upper > 0) & (np.abs(xm - upper) <= tol * np.maximum(upper, 1e-9))
    )
    at_lower = np.flatnonzero((lower > 0) & (np.abs(xm - lower) <= tol * np.maximum(lower, 1e-9)))
    for i in at_upper:
        price = None if reduced is None else float(reduced[i])
        out.append(_entry("material", problem.ids[i], "max", float(problem.upper[i]),
                          float(xm[i] * total), "t", price))
    for i in at_lower:
        price = None if reduced is None else float(reduced[i])
        kind = "material" if problem.lower[i] * (1 + tol) >= lower[i] * total else "lot"
        limit = float(lower[i] * total)
        out.append(_entry(kind, problem.ids[i], "min", limit, float(xm[i] * total), "t", price))
    return out
