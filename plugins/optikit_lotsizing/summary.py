"""A lot-sizing plan in planner terms: (label, text) rows for the human summary.

What drives cost, setups per resource, capacity load per period (with overtime), stock
and service level, and what is bought from whom.  Figures come from the checker (run on
the payload), so the summary shows the plan as verified, not as the solver claimed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from optikit.numbers import number
from optikit.units import money
from optikit_lotsizing.checker import check
from optikit_lotsizing.model import LotSizingProblem

#: Periods shown one by one in the load row; longer horizons are summarised.
MAX_PERIOD_COLUMNS = 26


def _num(value: float) -> str:
    return number(value)


def _load_rows(problem: LotSizingProblem, figures: Mapping[str, Any]) -> list[tuple[str, str]]:
    load = np.asarray(figures["load"])
    overtime = np.asarray(figures["overtime"])
    rows: list[tuple[str, str]] = []
    for r, res in enumerate(problem.resource_ids):
        share = 100.0 * load[r] / np.maximum(problem.capacity[r], 1e-9)
        text = (f"{res}: mean {share.mean():.0f} %, peak {share.max():.0f} % "
                f"(period {int(share.argmax()) + 1}), {int((share >= 99.9).sum())} "
                f"period(s) full")
        if overtime[r].sum() > 0:
            text += f", overtime {_num(float(overtime[r].sum()))} in " \
                    f"{int((overtime[r] > 0).sum())} period(s)"
        rows.append(("", text))
        if problem.periods <= MAX_PERIOD_COLUMNS:
            rows.append(("", "  " + " ".join(f"{v:3.0f}" for v in share)))
    return [("capacity load", "% of regular capacity per period"), *rows] if rows else []


def summarize(problem: LotSizingProblem, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Cost drivers, setups, capacity load, stock and service, purchases."""
    solution = document.get("solution")
    if not isinstance(solution, Mapping):
        return []
    report = check(problem, solution)
    figures = report.figures
    costs: dict[str, float] = figures["costs"]
    total = sum(costs.values()) or 1.0
    drivers = sorted(((v, k) for k, v in costs.items() if v > 0), reverse=True)
    rows: list[tuple[str, str]] = [
        ("cost drivers", ", ".join(f"{k} {money(v, problem.currency)} ({100 * v / total:.0f} %)"
                                   for v, k in drivers) or "none"),
        ("setups", f"{figures['setups']} in {problem.periods} periods; " + ", ".join(
            f"{r} {n}" for r, n in figures["setups_per_resource"].items())),
    ]
    rows.extend(_load_rows(problem, figures))
    stock = np.asarray(figures["stock"])
    on_hand = stock.sum(axis=0)
    cover = problem.demand.sum(axis=0).mean()
    rows.append(("stock", f"mean {_num(float(on_hand.mean()))} units on hand, peak "
                          f"{_num(float(on_hand.max()))} (period {int(on_hand.argmax()) + 1})"
                 + (f", {on_hand.mean() / cover:.2f} periods of demand" if cover > 0 else "")))
    backlog = np.asarray(figures["backlog"])
    rows.append(("service level", f"{100 * figures['service_level']:.1f} % of demand on time"
                 + (f"; backlog peak {_num(float(backlog.sum(axis=0).max()))} units"
                    if backlog.sum() > 0 else "")))
    purchases = solution.get("purchases") or []
    if purchases:
        per: dict[str, float] = {}
        for row in purchases:
            per[str(row.get("supplier"))] = per.get(str(row.get("supplier")), 0.0) + float(
                row.get("quantity", 0.0))
        rows.append(("purchases", f"{len(purchases)} orders: " + ", ".join(
            f"{s} {_num(q)} units" for s, q in sorted(per.items()))))
    return rows
