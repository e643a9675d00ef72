"""The independent checker for multi-period documents: tanks replayed from the flows alone.

Stocks and tank qualities are recomputed period by period from the opening stocks and the
flows (:mod:`optikit_pooling.mp_evaluate`); then the stock bounds, tank sizes, the least
batches (a pool ``min``: receipts and discharges per period are 0 or at least it), the
receive-or-discharge rule, arc bounds and fractions, supply and demand per period, the
product specs per period and the profit, and every figure the payload states.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from optikit.types import CheckReport, Violation
from optikit_pooling.checker import _over, _tol, _under, flow_entry
from optikit_pooling.evaluate import quality_table
from optikit_pooling.model import PoolingProblem
from optikit_pooling.mp_evaluate import Flows, PeriodFigures, evaluate_periods


def _read(problem: PoolingProblem, payload: Mapping[str, Any],
          out: list[Violation]) -> Flows | None:
    assert problem.periods is not None
    names = problem.periods.names
    flows = payload.get("flows")
    if not isinstance(flows, list):
        out.append(Violation("flows", "the payload has no list of flows"))
        return None
    arcs = {(a.source, a.target): a.index for a in problem.arcs}
    result: Flows = {}
    for n, entry in enumerate(flows):
        where = f"flows[{n}]"
        read = flow_entry(entry, where, "{from, to, period, amount}", out)
        if read is None:
            continue
        key, amount = read
        period = str(entry.get("period"))
        if key not in arcs:
            out.append(Violation(where, f"there is no arc {key[0]} -> {key[1]}"))
        elif period not in names:
            out.append(Violation(f"{where}.period", f"unknown period {entry.get('period')!r}"))
        elif (arcs[key], names.index(period)) in result:
            out.append(Violation(where, f"arc {key[0]} -> {key[1]} in period {period} "
                                 "is listed twice"))
        else:
            if amount < -_tol(0.0):
                out.append(Violation(where, f"negative flow {amount:g}", float(-amount)))
            result[arcs[key], names.index(period)] = max(float(amount), 0.0)
    return result


def _network(problem: PoolingProblem, flow: Flows, fig: PeriodFigures,
             out: list[Violation]) -> None:
    per = problem.periods
    assert per is not None
    for t, name in enumerate(per.names):
        for p, pid in enumerate(problem.pool_ids):
            where = f"pools[{pid}]"
            stock = float(fig.stock[p, t])
            _under(out, f"{where}.inventory.min (period {name})", stock,
                   float(per.stock_min[p]), "closing stock")
            _over(out, f"{where}.inventory.max (period {name})", stock,
                  float(per.stock_max[p]), "closing stock")
            _over(out, f"{where}.capacity (period {name})", float(fig.content[p, t]),
                  float(problem.pool_cap[p]), "opening stock plus receipts")
            least = float(problem.pool_min[p])
            for what, amount in (("receipts", float(fig.received[p, t])),
                                 ("discharges", float(fig.discharged[p, t]))):
                if least > 0 and amount > _tol(0.0):
                    _under(out, f"{where}.min (period {name})", amount, least,
                           what)
            if per.exclusive[p] and fig.received[p, t] > _tol(0.0) and fig.discharged[
                    p, t] > _tol(0.0):
                out.append(Violation(f"{where}.receive_and_discharge (period {name})",
                                     "the tank receives and discharges in one period"))
            for arc in problem.il:
                amount = flow.get((arc.index, t), 0.0)
                if arc.head == p and arc.fraction < 1.0:
                    _over(out, f"arcs[{arc.index}].fraction (period {name})", amount,
                          arc.fraction * float(fig.received[p, t]), "share of the inflow")
        for arc in problem.arcs:
            _over(out, f"arcs[{arc.index}].max (period {name})", flow.get((arc.index, t), 0.0),
                  arc.max, "flow")
        for i, iid in enumerate(problem.input_ids):
            used = float(fig.supply[i, t])
            _over(out, f"inputs[{iid}].max (period {name})", used, float(per.input_max[i, t]),
                  "used")
            _under(out, f"inputs[{iid}].min (period {name})", used, float(per.input_min[i, t]),
                   "used")
        for j, jid in enumerate(problem.product_ids):
            amount = float(fig.made[j, t])
            _over(out, f"products[{jid}].max (period {name})", amount,
                  float(per.demand_max[j, t]), "made")
            _under(out, f"products[{jid}].min (period {name})", amount,
                   float(per.demand_min[j, t]), "made")
            _specs(problem, fig, j, t, out)


def _specs(problem: PoolingProblem, fig: PeriodFigures, j: int, t: int,
           out: list[Violation]) -> None:
    if fig.made[j, t] <= 0:
        return
    name = problem.periods.names[t]  # type: ignore[union-attr]
    for k, quality in enumerate(problem.qualities):
        value = float(fig.product_quality[j, t, k])
        for side, limit in (("max", float(problem.spec_max[j, k])),
                            ("min", float(problem.spec_min[j, k]))):
            if not math.isfinite(limit):
                continue
            excess = value - limit if side == "max" else limit - value
            if excess > _tol(limit):
                out.append(Violation(
                    f"products[{problem.product_ids[j]}].quality_{side}.{quality} "
                    f"(period {name})", f"{quality} {problem.to_units(k, value):.10g} is "
                    f"{'above' if side == 'max' else 'below'} "
                    f"{problem.to_units(k, limit):.10g}", excess))


def _close(claimed: Any, actual: float) -> bool:
    return isinstance(claimed, int | float) and not isinstance(claimed, bool) and abs(
        claimed - actual) <= _tol(actual)


def _claims(problem: PoolingProblem, payload: Mapping[str, Any], fig: PeriodFigures,
            out: list[Violation]) -> None:
    names = problem.periods.names  # type: ignore[union-attr]
    if not _close(payload.get("profit"), fig.profit):
        out.append(Violation("profit", f"stated {payload.get('profit')!r}, the flows give "
                             f"{fig.profit:.10g}"))
    tanks = payload.get("tanks", {})
    tanks = tanks if isinstance(tanks, Mapping) else {}
    for p, pid in enumerate(problem.pool_ids):
        rows = tanks.get(pid)
        if not isinstance(rows, list) or len(rows) != len(names):
            out.append(Violation(f"tanks.{pid}", "needs one entry per period"))
            continue
        for t, row in enumerate(rows):
            row = row if isinstance(row, Mapping) else {}
            for key, actual in (("received", fig.received[p, t]),
                                ("discharged", fig.discharged[p, t]),
                                ("stock", fig.stock[p, t])):
                if not _close(row.get(key), float(actual)):
                    out.append(Violation(f"tanks.{pid}[{t}].{key}", f"stated {row.get(key)!r},"
                                         f" the flows give {float(actual):.10g}"))
            _quality_claim(problem, row, fig.tank_quality[p, t], f"tanks.{pid}[{t}]", out)
    products = payload.get("products", {})
    products = products if isinstance(products, Mapping) else {}
    for j, jid in enumerate(problem.product_ids):
        rows = {str(r.get("period")): r for r in products.get(jid, [])
                if isinstance(r, Mapping)} if isinstance(products.get(jid), list) else {}
        for t, name in enumerate(names):
            row = rows.get(name)
            if fig.made[j, t] > 0 and row is None:
                out.append(Violation(f"products.{jid}", f"made in period {name} but not "
                                     "reported"))
            elif row is not None:
                if not _close(row.get("amount"), float(fig.made[j, t])):
                    out.append(Violation(f"products.{jid}.amount (period {name})",
                                         f"stated {row.get('amount')!r}, the flows give "
                                         f"{float(fig.made[j, t]):.10g}"))
                _quality_claim(problem, row, fig.product_quality[j, t],
                               f"products.{jid} (period {name})", out)


def _quality_claim(problem: PoolingProblem, row: Mapping[str, Any], values: Any, where: str,
                   out: list[Violation]) -> None:
    actual = quality_table(problem, values)
    stated = row.get("quality") or {}
    for name, value in (stated.items() if isinstance(stated, Mapping) else []):
        if name not in actual or not _close(value, actual[name]):
            out.append(Violation(f"{where}.quality.{name}", f"stated {value!r}, the flows "
                                 f"give {actual.get(name, float('nan')):.10g}"))


def check_periods(problem: PoolingProblem, payload: Mapping[str, Any]) -> CheckReport:
    """The verdict on a multi-period payload (never raises on malformed input)."""
    violations: list[Violation] = []
    flow = _read(problem, payload, violations)
    if flow is None:
        return CheckReport(None, violations)
    fig = evaluate_periods(problem, flow)
    _network(problem, flow, fig, violations)
    _claims(problem, payload, fig, violations)
    figures: dict[str, Any] = {
        "profit": fig.profit, "revenue": fig.revenue, "purchase_cost": fig.purchase,
        "arc_cost": fig.arc_cost, "holding_cost": fig.holding, "fixed_cost": fig.fixed,
        "volume_sold": float(np.sum(fig.made)),
        "closing_stock": {pid: [float(v) for v in fig.stock[p]]
                          for p, pid in enumerate(problem.pool_ids)},
    }
    return CheckReport(fig.profit, violations, figures)
