"""The human summary in a refinery planner's terms: (label, text) rows.

Profit and its parts, each pool's throughput and quality, each product's volume and
qualities against specs with the binding ones marked, and the value of one more unit of
each input and of each pool's capacity (from ``analysis.marginal_values``; over several
periods one figure per period, local: at the answer's tank compositions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from optikit.numbers import number
from optikit_pooling.model import PoolingProblem

MAX_ROWS = 12
BINDING_REL = 1e-5


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return number(value)


def _unit(problem: PoolingProblem, k: int) -> str:
    return f" {problem.units[k]}" if problem.units[k] else ""


def _binding(problem: PoolingProblem, j: int, k: int, value: float) -> str:
    marks = []
    for side, limit in (("min", problem.spec_min[j, k]), ("max", problem.spec_max[j, k])):
        if np.isfinite(limit):
            shown = problem.to_units(k, float(limit))
            if abs(value - shown) <= BINDING_REL * max(1.0, abs(shown)):
                marks.append(f"{side} binds")
    return f"  <- {', '.join(marks)}" if marks else ""


def _spec(problem: PoolingProblem, j: int, k: int) -> str:
    lo, hi = problem.spec_min[j, k], problem.spec_max[j, k]
    left = _num(problem.to_units(k, float(lo))) if np.isfinite(lo) else "-"
    right = _num(problem.to_units(k, float(hi))) if np.isfinite(hi) else "-"
    return f"[{left}, {right}]"


def _pools(problem: PoolingProblem, pools: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [("pools", f"{len(pools)} of {len(problem.pool_ids)} used")]
    flow = f" {problem.flow_unit}" if problem.flow_unit else ""
    for p, pid in enumerate(problem.pool_ids[:MAX_ROWS]):
        entry = pools.get(pid)
        cap = problem.pool_cap[p]
        room = f" of {_num(float(cap))}" if np.isfinite(cap) else ""
        if not entry:
            rows.append(("", f"{pid}: empty"))
            continue
        quality = ", ".join(f"{q} {_num(entry['quality'].get(q))}{_unit(problem, k)}"
                            for k, q in enumerate(problem.qualities))
        rows.append(("", f"{pid}: {_num(entry['throughput'])}{room}{flow}; {quality}"))
    return rows


def _products(problem: PoolingProblem, products: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [("products", "volume; quality [spec]")]
    for j, pid in enumerate(problem.product_ids[:MAX_ROWS]):
        entry = products.get(pid)
        if not entry:
            rows.append(("", f"{pid}: not made"))
            continue
        rows.append(("", f"{pid}: {_num(entry['amount'])}"))
        for k, q in enumerate(problem.qualities):
            value = entry["quality"].get(q)
            if value is None or not (np.isfinite(problem.spec_min[j, k])
                                     or np.isfinite(problem.spec_max[j, k])):
                continue
            rows.append(("", f"    {q} {_num(value)}{_unit(problem, k)} "
                             f"{_spec(problem, j, k)}{_binding(problem, j, k, value)}"))
    return rows


def _marginal(problem: PoolingProblem, analysis: Mapping[str, Any]) -> list[tuple[str, str]]:
    values = analysis.get("marginal_values") or {}
    if not values:
        return []
    money = f" {problem.money_unit}" if problem.money_unit else ""
    rows: list[tuple[str, str]] = []
    inputs = {k: v for k, v in values.get("inputs", {}).items() if v}
    rows.append(("value of +1 unit", ", ".join(f"{k} {_num(v)}{money}"
                                                for k, v in list(inputs.items())[:MAX_ROWS])
                 or "no input is scarce"))
    caps = {k: v for k, v in values.get("pool_capacity", {}).items() if v}
    rows.append(("", "pool capacity: " + (", ".join(f"{k} {_num(v)}{money}"
                                                     for k, v in caps.items())
                                          or "no pool is full")))
    rows.append(("", f"({values.get('method', '')})"))
    return rows


def _tanks(problem: PoolingProblem, tanks: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Several periods: each tank's closing stock and quality, period by period."""
    flow = f" {problem.flow_unit}" if problem.flow_unit else ""
    rows: list[tuple[str, str]] = [("tanks", f"closing stock{flow} (quality) per period")]
    for pid in problem.pool_ids[:MAX_ROWS]:
        cells = []
        for entry in tanks.get(pid) or []:
            quality = ", ".join(f"{q} {_num(entry['quality'].get(q))}"
                                for q in problem.qualities if q in entry["quality"])
            stock = float(entry["stock"]) if abs(float(entry["stock"])) > 1e-9 else 0.0
            cells.append(f"{entry['period']}: {_num(stock)}"
                         + (f" ({quality})" if quality else ""))
        rows.append(("", f"{pid}: " + "; ".join(cells)))
    return rows


def _period_products(problem: PoolingProblem,
                     products: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [("products", "volume per period; quality [spec]")]
    for j, pid in enumerate(problem.product_ids[:MAX_ROWS]):
        entries = products.get(pid) or []
        if not entries:
            rows.append(("", f"{pid}: not made"))
            continue
        rows.append(("", f"{pid}: " + "; ".join(f"{e['period']}: {_num(e['amount'])}"
                                                 for e in entries)))
        for k, q in enumerate(problem.qualities):
            if not (np.isfinite(problem.spec_min[j, k]) or np.isfinite(problem.spec_max[j, k])):
                continue
            values = []
            for e in entries:
                value = e["quality"].get(q, np.nan)
                mark = _binding(problem, j, k, value).replace("  <- ", " ")
                values.append(f"{e['period']}: {_num(value)}{mark}")
            rows.append(("", f"    {q}{_unit(problem, k)} {_spec(problem, j, k)} "
                             + "; ".join(values)))
    return rows


def _period_marginal(problem: PoolingProblem,
                     analysis: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Several periods: value of one more unit per period (local, see mp_marginal)."""
    values = analysis.get("marginal_values") or {}
    if not values:
        return []
    money = f" {problem.money_unit}" if problem.money_unit else ""
    names = list(values.get("periods") or [])

    def cells(table: Mapping[str, list[float | None]]) -> list[str]:
        out = []
        for key, row in list(table.items())[:MAX_ROWS]:
            if any(v for v in row):
                out.append(f"{key} " + " / ".join(_num(v) for v in row))
        return out

    inputs = cells(values.get("inputs") or {})
    caps = cells(values.get("pool_capacity") or {})
    per = " / ".join(names)
    return [("value of +1 unit", f"per period ({per}){money}: "
             + (", ".join(inputs) or "no input is scarce")),
            ("", "tank size: " + (", ".join(caps) or "no tank is full")),
            ("", f"({values.get('method', '')})")]


def summarize(problem: PoolingProblem, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    solution = document.get("solution")
    if not isinstance(solution, Mapping):
        return []
    if problem.periods is not None:
        figures = (document.get("check") or {}).get("figures") or {}
        money = f" {problem.money_unit}" if problem.money_unit else ""
        return [("profit", f"{_num(solution.get('profit'))}{money} over "
                           f"{problem.periods.count} periods = revenue "
                           f"{_num(figures.get('revenue'))} - inputs "
                           f"{_num(figures.get('purchase_cost'))} - arcs "
                           f"{_num(figures.get('arc_cost'))} - holding "
                           f"{_num(figures.get('holding_cost'))}"
                           + (f" - fixed {_num(figures.get('fixed_cost'))}"
                              if figures.get("fixed_cost") else "")),
                *_tanks(problem, solution.get("tanks") or {}),
                *_period_products(problem, solution.get("products") or {}),
                *_period_marginal(problem, document.get("analysis") or {})]
    figures = (document.get("check") or {}).get("figures") or {}
    money = f" {problem.money_unit}" if problem.money_unit else ""
    rows: list[tuple[str, str]] = [
        ("profit", f"{_num(solution.get('profit'))}{money} = revenue "
                   f"{_num(figures.get('revenue'))} - inputs {_num(figures.get('purchase_cost'))}"
                   f" - arcs {_num(figures.get('arc_cost'))} - fixed "
                   f"{_num(figures.get('fixed_cost'))}"),
    ]
    rows += _pools(problem, solution.get("pools") or {})
    rows += _products(problem, solution.get("products") or {})
    rows += _marginal(problem, document.get("analysis") or {})
    return rows
