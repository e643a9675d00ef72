"""The independent lot-sizing checker: everything recomputed from the payload alone.

From ``production`` and ``purchases`` it rebuilds the stock of every item and period
(production arrives ``lead_time`` periods after it starts and consumes its components
when it starts; orders arrive after the supplier's lead time), then checks stock against
safety stock and backlog rules, capacity per resource and period (setup times included,
overtime within its limit), order rules (MOQ, multiples, price breaks), and recomputes the
cost.  A positive quantity implies a setup.  Reported ``stock``/``backlog`` must match.

Tolerance: quantities within ``1e-6 * scale`` (scale: the largest item's total demand,
at least 1); a quantity above ``1e-9 * scale`` counts as produced (and so set up).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.types import CheckReport, Violation
from optikit_lotsizing.model import LotSizingProblem, Source

RTOL = 1e-6
USED = 1e-9


def scale(problem: LotSizingProblem) -> float:
    total = problem.demand.sum(axis=1)
    return float(max(1.0, total.max(initial=0.0), problem.initial.max(initial=0.0)))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(float(value)) else None


def _item(problem: LotSizingProblem, value: Any) -> int | None:
    return problem.index.get(value) if isinstance(value, str) else None


def _period(value: Any, periods: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        return None
    return int(value) - 1 if 1 <= value <= periods else None


def _production(
    problem: LotSizingProblem, payload: Mapping[str, Any], tol: float, out: list[Violation]
) -> NDArray[np.float64]:
    x = np.zeros((problem.num_items, problem.periods))
    seen: set[tuple[int, int]] = set()
    rows = payload.get("production")
    if not isinstance(rows, list):
        out.append(Violation("production", "the payload has no 'production' list"))
        return x
    for k, row in enumerate(rows):
        where = f"production[{k}]"
        if not isinstance(row, Mapping):
            out.append(Violation(where, "must be an object {item, period, quantity}"))
            continue
        i = _item(problem, row.get("item"))
        t = _period(row.get("period"), problem.periods)
        q = _number(row.get("quantity"))
        if i is None or t is None or q is None:
            out.append(Violation(where, f"bad item, period or quantity in {dict(row)!r}"))
            continue
        if (i, t) in seen:
            out.append(Violation(where, f"{problem.ids[i]} in period {t + 1} listed twice"))
        seen.add((i, t))
        if q < -tol:
            out.append(Violation(where, f"negative quantity {q:g}", -q))
        elif q > tol and not problem.produced[i]:
            out.append(Violation(where, f"{problem.ids[i]} has no production routing", q))
        elif q > tol and t + problem.lead[i] >= problem.periods:
            out.append(Violation(where, f"{problem.ids[i]} started in period {t + 1} would be "
                                        "ready after the last period", q))
        x[i, t] += q
    return x


def _purchases(
    problem: LotSizingProblem, payload: Mapping[str, Any], tol: float, out: list[Violation]
) -> tuple[NDArray[np.float64], float, int]:
    """Arrivals per item and period, the purchase cost and the number of orders."""
    arrive = np.zeros((problem.num_items, problem.periods))
    offers: dict[tuple[int, str], Source] = {(s.item, s.supplier): s for s in problem.sources}
    rows = payload.get("purchases", [])
    cost, orders = 0.0, 0
    if not isinstance(rows, list):
        out.append(Violation("purchases", "must be a list"))
        return arrive, cost, orders
    seen: set[tuple[int, str, int]] = set()
    for k, row in enumerate(rows):
        where = f"purchases[{k}]"
        if not isinstance(row, Mapping):
            out.append(Violation(where, "must be an object {item, supplier, period, quantity}"))
            continue
        i = _item(problem, row.get("item"))
        t = _period(row.get("period"), problem.periods)
        q = _number(row.get("quantity"))
        supplier = row.get("supplier")
        source = offers.get((i, supplier)) if isinstance(supplier, str) and i is not None \
            else None
        if i is None or t is None or q is None or source is None:
            out.append(Violation(where, f"bad item, supplier, period or quantity in "
                                        f"{dict(row)!r}"))
            continue
        if (i, source.supplier, t) in seen:
            out.append(Violation(where, "the same order is listed twice"))
        seen.add((i, source.supplier, t))
        if q < -tol:
            out.append(Violation(where, f"negative quantity {q:g}", -q))
            continue
        if q <= tol:
            continue
        if t + source.lead_time >= problem.periods:
            out.append(Violation(where, "the order would arrive after the last period", q))
            continue
        if q < source.min_order - tol:
            out.append(Violation(f"{where}.quantity", f"{q:g} is below the minimum order "
                                 f"{source.min_order:g}", source.min_order - q))
        if source.multiple > 0:
            ratio = q / source.multiple
            if abs(ratio - round(ratio)) > RTOL * max(1.0, ratio):
                out.append(Violation(f"{where}.quantity", f"{q:g} is not a multiple of "
                                     f"{source.multiple:g}"))
        price = source.price(q)
        if price is None:
            out.append(Violation(f"{where}.quantity", f"{q:g} is below the first price break "
                                 f"{source.break_from[0]:g}", float(source.break_from[0] - q)))
            price = float(source.break_price[0])
        cost += price * q + source.order_cost
        orders += 1
        arrive[i, t + source.lead_time] += q
    return arrive, cost, orders


def net_stock(
    problem: LotSizingProblem, x: NDArray[np.float64], bought: NDArray[np.float64]
) -> NDArray[np.float64]:
    """End-of-period stock minus backlog per item and period."""
    ready = np.zeros_like(x)
    for i in range(problem.num_items):
        lead = int(problem.lead[i])
        ready[i, lead:] = x[i, : problem.periods - lead]
    used = problem.bom @ x
    flow = ready + bought - used - problem.demand
    return problem.initial[:, None] + np.cumsum(flow, axis=1)


def _stock_rules(
    problem: LotSizingProblem, net: NDArray[np.float64], tol: float, out: list[Violation]
) -> None:
    last = problem.periods - 1
    for i in range(problem.num_items):
        item = problem.ids[i]
        if problem.backlog[i]:
            if net[i, last] < -tol:
                out.append(Violation(f"stock.{item}[{last + 1}]", f"{-net[i, last]:g} units "
                                     "still backlogged after the last period", -net[i, last]))
            continue
        short = np.flatnonzero(net[i] < problem.safety[i] - tol)
        if short.size:
            t = int(short[0])
            what = "safety stock" if problem.safety[i] > 0 else "no backlog allowed"
            out.append(Violation(f"stock.{item}[{t + 1}]", f"stock {net[i, t]:.6g} is below "
                                 f"{problem.safety[i]:g} ({what}) in {short.size} period(s)",
                                 float(problem.safety[i] - net[i, t])))


def _capacity(
    problem: LotSizingProblem, x: NDArray[np.float64], setups: NDArray[np.bool_], tol: float,
    out: list[Violation],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Load and overtime per resource and period."""
    load = problem.time_per_unit.T @ x + problem.setup_time.T @ setups.astype(float)
    overtime = np.maximum(load - problem.capacity, 0.0)
    ctol = RTOL * np.maximum(1.0, problem.capacity)
    over = overtime - problem.overtime_max > ctol
    for r, t in zip(*np.nonzero(over), strict=True):
        out.append(Violation(
            f"resources.{problem.resource_ids[r]}[{t + 1}]",
            f"load {load[r, t]:.6g} exceeds capacity {problem.capacity[r, t]:g} + overtime "
            f"{problem.overtime_max[r, t]:g}", float(overtime[r, t] - problem.overtime_max[r, t]),
        ))
    overtime[ctol >= overtime] = 0.0  # within tolerance: no overtime paid
    return load, overtime


def _reported(
    problem: LotSizingProblem, payload: Mapping[str, Any], key: str,
    actual: NDArray[np.float64], tol: float, out: list[Violation],
) -> None:
    reported = payload.get(key)
    if reported is None:
        return
    if not isinstance(reported, Mapping):
        out.append(Violation(key, "must map items to a list of values per period"))
        return
    for item, values in reported.items():
        i = _item(problem, item)
        if i is None or not isinstance(values, list) or len(values) != problem.periods:
            out.append(Violation(f"{key}.{item}", "unknown item or not one value per period"))
            continue
        nums = [_number(v) for v in values]
        for t, v in enumerate(nums):
            if v is None or abs(v - actual[i, t]) > tol:
                out.append(Violation(f"{key}.{item}[{t + 1}]", f"reported {values[t]!r}, "
                                     f"recomputed {actual[i, t]:.6g}"))
                break


def check(problem: LotSizingProblem, payload: Mapping[str, Any]) -> CheckReport:
    """Recompute feasibility and cost of a production and purchasing plan."""
    out: list[Violation] = []
    tol = RTOL * scale(problem)
    x = _production(problem, payload, tol, out)
    bought, purchase_cost, orders = _purchases(problem, payload, tol, out)
    net = net_stock(problem, x, bought)
    _stock_rules(problem, net, tol, out)
    setups = x > USED * scale(problem)
    load, overtime = _capacity(problem, x, setups, tol, out)
    stock, backlog = np.maximum(net, 0.0), np.maximum(-net, 0.0)
    _reported(problem, payload, "stock", stock, tol, out)
    _reported(problem, payload, "backlog", backlog, tol, out)
    costs = {
        "setup": float(problem.setup_cost @ setups.sum(axis=1)),
        "holding": float(problem.holding @ stock.sum(axis=1)),
        "backlog": float(np.nan_to_num(problem.backlog_cost) @ backlog.sum(axis=1)),
        "overtime": float(problem.overtime_cost @ overtime.sum(axis=1)),
        "purchase": purchase_cost,
    }
    late = np.maximum(np.diff(backlog, axis=1, prepend=0.0), 0.0).sum()
    demand = problem.demand.sum()
    figures = {
        "costs": costs,
        "setups": int(setups.sum()),
        "setups_per_resource": {r: int(setups[problem.uses[:, k]].sum())
                                for k, r in enumerate(problem.resource_ids)},
        "orders": orders,
        "load": load.tolist(),
        "overtime": overtime.tolist(),
        "stock": stock.tolist(),
        "backlog": backlog.tolist(),
        "service_level": float(1.0 - late / demand) if demand > 0 else 1.0,
    }
    return CheckReport(float(sum(costs.values())), out, figures)
