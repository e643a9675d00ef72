"""The blend chart (``optikit solve X --gantt out.png``): the product's content of each
specified component against its spec band (one small panel per component, each on its
own scale, so 0.05 % phosphorus reads as well as 58 % iron), and the charge by material
below.  Drawn with the shared static plotting module (the ``plot`` extra)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optikit.plotting import static, style
from optikit_blend.export import blend_tables
from optikit_blend.model import BlendProblem

#: Spec panels drawn; more components are listed in a note.
MAX_SPEC_PANELS = 12
#: Materials drawn one by one in the charge panel; the rest are summed as "others".
MAX_MATERIAL_BARS = 25


def draw(problem: BlendProblem, document: Mapping[str, Any], path: Path) -> None:
    """Write the chart to ``path`` (.png, .svg or .pdf)."""
    tables = blend_tables(problem, document)
    specs = [r for r in tables.get("composition_vs_spec", [])
             if r.get("spec_min") is not None or r.get("spec_max") is not None]
    shown = specs[:MAX_SPEC_PANELS]
    cols = max(1, min(6, len(shown)))
    spec_rows = max(1, math.ceil(len(shown) / cols))
    from matplotlib.figure import Figure

    fig = Figure(figsize=(max(8.0, 1.6 * cols + 2.5), 2.4 * spec_rows + 3.4),
                 layout="constrained")
    grid = fig.add_gridspec(spec_rows + 1, cols, height_ratios=[1.0] * spec_rows + [1.3])
    for n, row in enumerate(shown):
        _spec_panel(fig.add_subplot(grid[n // cols, n % cols]), row)
    charge_ax = fig.add_subplot(grid[spec_rows, :])
    _charge_panel(charge_ax, tables.get("charge", []), problem.currency)
    handles = [static.patch("spec band (min to max)", style.BAND_MPL, style.OK),
               static.patch("content within its spec", style.colour(0)),
               static.patch("content outside its spec", style.LATE),
               static.patch("tonnes charged (label: share of the charge)", style.colour(1))]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=7, frameon=False)
    note = f"; {len(specs) - len(shown)} more specs in the summary" if len(specs) > len(
        shown) else ""
    static.set_title(fig, document, f"composition against the specs{note}, and the charge")
    static.save(fig, path, str(document.get("name", "")))


def _spec_panel(ax: Any, row: Mapping[str, Any]) -> None:
    value = float(row.get("pct") or 0.0)
    lo, hi = row.get("spec_min"), row.get("spec_max")
    top = max(x for x in (value, lo or 0.0, hi or 0.0)) * 1.25 or 1.0
    band_lo = 0.0 if lo is None else float(lo)
    band_hi = top if hi is None else float(hi)
    if band_hi - band_lo < top * 0.01:  # an equality spec: a visible sliver
        band_lo, band_hi = band_lo - top * 0.005, band_hi + top * 0.005
    ax.axhspan(band_lo, band_hi, color=style.BAND_MPL, zorder=0)
    for bound in (lo, hi):
        if bound is not None:
            ax.axhline(float(bound), color=style.OK, linestyle="--", linewidth=0.9)
    inside = row.get("within_spec") is not False
    ax.bar([0], [value], width=0.5, color=style.colour(0) if inside else style.LATE)
    ax.text(0, value, f"{value:.4g} %", ha="center", va="bottom", fontsize=7)
    ax.set_xlim(-0.6, 0.6)
    ax.set_ylim(0, top)
    ax.set_xticks([])
    band = f"{'-' if lo is None else f'{lo:g}'} to {'-' if hi is None else f'{hi:g}'}"
    ax.set_title(f"{row.get('component')}  (spec {band})", fontsize=8)
    ax.set_ylabel(static.axis_label("content", "%"), fontsize=7)
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)


def _charge_panel(ax: Any, charge: list[dict[str, Any]], currency: str) -> None:
    rows = sorted(charge, key=lambda r: -float(r.get("tonnes") or 0.0))
    if len(rows) > MAX_MATERIAL_BARS:
        rest = rows[MAX_MATERIAL_BARS - 1:]
        rows = [*rows[: MAX_MATERIAL_BARS - 1], {
            "material": f"{len(rest)} others",
            "tonnes": sum(float(r.get("tonnes") or 0) for r in rest),
            "share_pct": sum(float(r.get("share_pct") or 0) for r in rest)}]
    names = [str(r["material"]) for r in rows]
    tonnes = [float(r.get("tonnes") or 0.0) for r in rows]
    ax.bar(range(len(rows)), tonnes, color=style.colour(1))
    for k, r in enumerate(rows):
        ax.text(k, tonnes[k], f"{float(r.get('share_pct') or 0):.1f} %", ha="center",
                va="bottom", fontsize=7)
    ax.set_xticks(range(len(rows)), names, rotation=30 if len(rows) > 6 else 0,
                  ha="right" if len(rows) > 6 else "center", fontsize=7)
    ax.set_ylabel(static.axis_label("charged", "t"), fontsize=8)
    ax.tick_params(labelsize=7)
    cost = sum(float(r.get("cost") or 0) for r in charge)
    money = f"{cost:,.2f} {currency}".strip()
    ax.set_title(f"charge by material: {sum(tonnes):,.4g} t, cost {money}", fontsize=9)
    ax.set_ylim(0, max(tonnes, default=1.0) * 1.18 or 1.0)
    ax.spines[["top", "right"]].set_visible(False)
