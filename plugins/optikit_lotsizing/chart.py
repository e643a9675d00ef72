"""The lot-sizing chart (``optikit solve X --gantt PATH``): capacity load per resource and
period (processing, setups and overtime stacked against the capacity line) above the stock
of every item over time.  matplotlib (the ``plot`` extra) is imported only when drawing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from optikit_lotsizing.checker import check
from optikit_lotsizing.model import LotSizingProblem

#: Items drawn one by one in the stock panel; the rest are summed as "others".
MAX_ITEM_LINES = 12


def draw(problem: LotSizingProblem, document: Mapping[str, Any], path: Path) -> None:
    """Write the chart to ``path`` (any format matplotlib writes: png, svg, pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = check(problem, document.get("solution") or {}).figures
    load = np.asarray(figures["load"]).reshape(problem.num_resources, problem.periods)
    overtime = np.asarray(figures["overtime"]).reshape(load.shape)
    stock = np.asarray(figures["stock"])
    periods = np.arange(1, problem.periods + 1)
    m = problem.num_resources
    fig, axes = plt.subplots(m + 1, 1, figsize=(10, 2.2 * (m + 1) + 1), sharex=True,
                             squeeze=False)
    for r in range(m):
        ax = axes[r, 0]
        regular = load[r] - overtime[r]
        ax.bar(periods, regular, color="#4e79a7", label="load")
        ax.bar(periods, overtime[r], bottom=regular, color="#e15759", label="overtime")
        ax.step(periods, problem.capacity[r], where="mid", color="black", lw=1,
                label="capacity")
        ax.set_ylabel(problem.resource_ids[r])
        if r == 0:
            ax.legend(loc="upper right", fontsize=7)
    ax = axes[m, 0]
    order = np.argsort(-stock.sum(axis=1))
    for i in order[:MAX_ITEM_LINES]:
        ax.plot(periods, stock[i], lw=1, label=problem.ids[i])
    if order.size > MAX_ITEM_LINES:
        ax.plot(periods, stock[order[MAX_ITEM_LINES:]].sum(axis=0), lw=1, ls="--",
                color="grey", label="others")
    ax.set_ylabel("stock (units)")
    ax.set_xlabel("period")
    ax.legend(loc="upper right", fontsize=6, ncol=4)
    name = document.get("name") or problem.name or "lot-sizing"
    axes[0, 0].set_title(f"{name}: capacity load per resource and stock over time")
    fig.tight_layout()
    fig.savefig(Path(path))
    plt.close(fig)
