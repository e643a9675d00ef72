"""``--gantt PATH`` for pooling: the flow network and the product qualities against specs.

Left: inputs, pools and products in three columns, arcs drawn with widths by flow.
Right: for every product and specified quality, the spec range as a bar and the blend's
value as a dot (in the quality's own units, scaled to the range so all fit one axis).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from optikit.plotting import static
from optikit_pooling.model import PoolingProblem


def _positions(ids: list[str], x: float) -> dict[str, tuple[float, float]]:
    n = max(len(ids), 1)
    return {node: (x, 1.0 - (k + 0.5) / n) for k, node in enumerate(ids)}


def _network(ax: Any, problem: PoolingProblem, flows: list[Mapping[str, Any]]) -> None:
    where = {**_positions(problem.input_ids, 0.0), **_positions(problem.pool_ids, 0.5),
             **_positions(problem.product_ids, 1.0)}
    biggest = max([float(f["amount"]) for f in flows] + [1e-12])
    for arc in problem.arcs:
        (x0, y0), (x1, y1) = where[arc.source], where[arc.target]
        ax.plot([x0, x1], [y0, y1], color="0.85", linewidth=0.5, zorder=1)
    for f in flows:
        (x0, y0), (x1, y1) = where[str(f["from"])], where[str(f["to"])]
        ax.plot([x0, x1], [y0, y1], color="tab:blue", alpha=0.7, zorder=2,
                linewidth=0.5 + 8.0 * float(f["amount"]) / biggest)
    for ids, colour in ((problem.input_ids, "tab:orange"), (problem.pool_ids, "tab:green"),
                        (problem.product_ids, "tab:red")):
        for node in ids:
            x, y = where[node]
            ax.scatter([x], [y], s=60, color=colour, zorder=3)
            ax.annotate(node, (x, y), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=7)
    ax.set_title("flows (width by amount)")
    ax.set_xlim(-0.1, 1.1)
    ax.axis("off")


def _qualities(ax: Any, problem: PoolingProblem, products: Mapping[str, Any]) -> None:
    labels: list[str] = []
    row = 0
    for j, pid in enumerate(problem.product_ids):
        entry = products.get(pid)
        for k, q in enumerate(problem.qualities):
            lo, hi = problem.spec_min[j, k], problem.spec_max[j, k]
            if not (np.isfinite(lo) or np.isfinite(hi)) or not entry:
                continue
            value = float(entry["quality"].get(q, np.nan))
            low = problem.to_units(k, float(lo)) if np.isfinite(lo) else min(value, 0.0)
            high = problem.to_units(k, float(hi)) if np.isfinite(hi) else max(value, low) * 1.2
            span = max(high - low, 1e-12)
            ax.barh(row, 1.0, left=0.0, color="0.85")
            ax.scatter([(value - low) / span], [row], color="tab:red", zorder=3)
            labels.append(f"{pid} {q}")
            row += 1
    ax.set_yticks(range(row))
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_xlim(-0.2, 1.2)
    ax.set_xlabel("position in the spec range (0 = min, 1 = max)")
    ax.set_title("product qualities against specs")


def _stocks(ax: Any, problem: PoolingProblem, tanks: Mapping[str, Any]) -> None:
    """Several periods: each tank's closing stock, period by period."""
    names = problem.periods.names if problem.periods is not None else []
    for pid in problem.pool_ids:
        stock = [float(e["stock"]) for e in tanks.get(pid, [])]
        if stock:
            ax.plot(range(len(stock)), stock, marker="o", label=pid)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, fontsize=7)
    ax.set_ylabel(static.axis_label("closing stock", problem.flow_unit))
    ax.set_xlabel("period")
    ax.legend(fontsize=7)
    ax.set_title("tank stocks per period")


def draw(problem: PoolingProblem, document: Mapping[str, Any], path: Path) -> None:
    """Write the chart to ``path`` (.png, .svg, .pdf; .html embeds an SVG), in the shared
    static style (object API, one title format, a legend for every colour)."""
    from matplotlib.figure import Figure

    solution = document.get("solution") or {}
    fig = Figure(figsize=(13, 6), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    _network(left, problem, list(solution.get("flows", [])))
    static.legend(left, [static.marker("input", "o", "tab:orange"),
                         static.marker("pool (tank)", "o", "tab:green"),
                         static.marker("product", "o", "tab:red"),
                         static.line(f"flow (width by amount{_unit(problem)})", "tab:blue", "-",
                                     3),
                         static.line("arc without flow", "0.85", "-", 0.5)], below=True)
    if problem.periods is not None:
        _stocks(right, problem, solution.get("tanks", {}))
    else:
        _qualities(right, problem, solution.get("products", {}))
        static.legend(right, [static.patch("spec range", "0.85", "none"),
                              static.marker("product's value", "o", "tab:red")],
                      below=True)
    static.set_title(fig, document, "flows and qualities")
    static.save(fig, path, str(document.get("name", "")))


def _unit(problem: PoolingProblem) -> str:
    return f", {problem.flow_unit}" if problem.flow_unit else ""
