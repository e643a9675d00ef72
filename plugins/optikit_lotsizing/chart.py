"""The lot-sizing chart (``optikit solve X --gantt PATH``): capacity load per resource and
period (processing, setups and overtime stacked against the capacity line) above the stock
of every item over time, drawn with the shared static module (matplotlib, the ``plot``
extra, imported only when drawing).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from optikit.plotting import static, style
from optikit_lotsizing.checker import check
from optikit_lotsizing.model import LotSizingProblem

#: Items drawn one by one in the stock panel; the rest are summed as "others".
MAX_ITEM_LINES = 12


def draw(problem: LotSizingProblem, document: Mapping[str, Any], path: Path) -> None:
    """Write the chart to ``path`` (.png, .svg or .pdf), in the shared static style."""
    figures = check(problem, document.get("solution") or {}).figures
    load = np.asarray(figures["load"]).reshape(problem.num_resources, problem.periods)
    overtime = np.asarray(figures["overtime"]).reshape(load.shape)
    stock = np.asarray(figures["stock"])
    periods = np.arange(1, problem.periods + 1)
    m = problem.num_resources
    fig, axes = static.new_figure(10, 2.2 * (m + 1) + 1, rows=m + 1)
    unit = getattr(problem, "period_unit", "") or ""
    for r in range(m):
        ax = axes[r]
        regular = load[r] - overtime[r]
        ax.bar(periods, regular, color=style.colour(0))
        ax.bar(periods, overtime[r], bottom=regular, color=style.LATE)
        ax.step(periods, problem.capacity[r], where="mid", color="black", lw=1)
        top = max(float(np.max(problem.capacity[r])), float(load[r].max()), 1.0)
        ax.set_ylim(0, top * 1.12)
        ax.set_ylabel(static.axis_label(f"{problem.resource_ids[r]} load", "capacity units"))
        static.legend(ax, [static.patch("load", style.colour(0)),
                           static.patch("overtime", style.LATE),
                           static.line("capacity", "black")] if r == 0 else [])
    ax = axes[m]
    order = np.argsort(-stock.sum(axis=1))
    handles = []
    for k, i in enumerate(order[:MAX_ITEM_LINES]):
        colour = style.colour(k, min(len(order), MAX_ITEM_LINES))
        ax.plot(periods, stock[i], lw=1.2, color=colour)
        handles.append(static.line(str(problem.ids[i]), colour))
    if order.size > MAX_ITEM_LINES:
        ax.plot(periods, stock[order[MAX_ITEM_LINES:]].sum(axis=0), lw=1, ls="--", color="grey")
        handles.append(static.line("others (summed)", "grey", "--"))
    ax.set_ylabel(static.axis_label("stock", "units"))
    ax.set_xlabel(static.axis_label("period", unit))
    static.legend(ax, handles, title="item")
    static.set_title(fig, document, "capacity load per resource and stock over time")
    static.save(fig, path, str(document.get("name", "")))
