"""The independent checker: everything recomputed from the payload's ``flows`` alone.

Balances, capacities, minimum fills, arc bounds and fractions, supply and demand, pool
and product qualities (flow-weighted means) against the specs, and the profit.  The
figures a payload states (``profit``, ``pools``, ``products``) must agree with the flows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from optikit.types import CheckReport, Violation
from optikit_pooling.evaluate import Figures, evaluate, quality_table
from optikit_pooling.model import PoolingProblem

REL = 1e-6


def _tol(reference: float) -> float:
    return REL * max(1.0, abs(reference))


def flow_entry(entry: Any, where: str, shape: str,
               out: list[Violation]) -> tuple[tuple[str, str], float] | None:
    """One entry of ``flows`` as ((from, to), amount), or None after noting what is wrong."""
    if not isinstance(entry, Mapping):
        out.append(Violation(where, f"not an object {shape}"))
        return None
    amount = entry.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(
            amount):
        out.append(Violation(where, f"amount {amount!r} is not a finite number"))
        return None
    return (str(entry.get("from")), str(entry.get("to"))), float(amount)


def _read_flows(problem: PoolingProblem, payload: Mapping[str, Any],
                out: list[Violation]) -> dict[int, float] | None:
    flows = payload.get("flows") if isinstance(payload, Mapping) else None
    if not isinstance(flows, list):
        out.append(Violation("flows", "the payload has no list of flows"))
        return None
    arcs = {(a.source, a.target): a.index for a in problem.arcs}
    result: dict[int, float] = {}
    for n, entry in enumerate(flows):
        where = f"flows[{n}]"
        read = flow_entry(entry, where, "{from, to, amount}", out)
        if read is None:
            continue
        key, amount = read
        if key not in arcs:
            out.append(Violation(where, f"there is no arc {key[0]} -> {key[1]}"))
            continue
        if arcs[key] in result:
            out.append(Violation(where, f"arc {key[0]} -> {key[1]} is listed twice"))
            continue
        if amount < -_tol(0.0):
            out.append(Violation(where, f"negative flow {amount:g}", float(-amount)))
        result[arcs[key]] = max(float(amount), 0.0)
    return result


def _over(out: list[Violation], name: str, value: float, limit: float, what: str) -> None:
    if math.isfinite(limit) and value > limit + _tol(limit):
        out.append(Violation(name, f"{what} {value:.10g} exceeds {limit:.10g}", value - limit))


def _under(out: list[Violation], name: str, value: float, limit: float, what: str) -> None:
    if value < limit - _tol(limit):
        out.append(Violation(name, f"{what} {value:.10g} is below {limit:.10g}", limit - value))


def _network(problem: PoolingProblem, flow: dict[int, float], fig: Figures,
             out: list[Violation]) -> None:
    for p, pid in enumerate(problem.pool_ids):
        inflow, outflow = fig.pool_in[p], fig.pool_out[p]
        if abs(inflow - outflow) > _tol(max(inflow, outflow)):
            out.append(Violation(f"pools[{pid}].balance", f"inflow {inflow:.10g} but outflow "
                                 f"{outflow:.10g}", abs(inflow - outflow)))
        _over(out, f"pools[{pid}].capacity", inflow, float(problem.pool_cap[p]), "throughput")
        if inflow > 0 and problem.pool_min[p] > 0:
            _under(out, f"pools[{pid}].min", inflow, float(problem.pool_min[p]),
                   "used, but throughput")
    for arc in problem.arcs:
        amount = flow.get(arc.index, 0.0)
        name = f"arcs[{arc.index}]"
        _over(out, name, amount, arc.max, f"flow {arc.source} -> {arc.target}")
        if arc.kind == "il" and arc.fraction < 1.0:
            share_cap = arc.fraction * fig.pool_in[arc.head]
            if amount > share_cap + _tol(fig.pool_in[arc.head]):
                out.append(Violation(f"{name}.fraction", f"{arc.source} is "
                                     f"{amount / fig.pool_in[arc.head]:.6g} of {arc.target}'s "
                                     f"inflow, above {arc.fraction:g}", amount - share_cap))
    for i, iid in enumerate(problem.input_ids):
        _over(out, f"inputs[{iid}].max", fig.supply[i], float(problem.input_max[i]), "used")
        _under(out, f"inputs[{iid}].min", fig.supply[i], float(problem.input_min[i]), "used")
    for j, jid in enumerate(problem.product_ids):
        _over(out, f"products[{jid}].max", fig.made[j], float(problem.demand_max[j]), "made")
        _under(out, f"products[{jid}].min", fig.made[j], float(problem.demand_min[j]), "made")


def _specs(problem: PoolingProblem, fig: Figures, out: list[Violation]) -> list[str]:
    binding: list[str] = []
    for j, jid in enumerate(problem.product_ids):
        if not fig.made[j] > 0:
            continue
        for k, name in enumerate(problem.qualities):
            value = float(fig.product_quality[j, k])
            low, high = float(problem.spec_min[j, k]), float(problem.spec_max[j, k])
            shown = problem.to_units(k, value)
            for side, limit in (("max", high), ("min", low)):
                if not math.isfinite(limit):
                    continue
                excess = value - limit if side == "max" else limit - value
                if excess > _tol(limit):
                    out.append(Violation(
                        f"products[{jid}].quality_{side}.{name}",
                        f"{name} {shown:.10g} is {'above' if side == 'max' else 'below'} "
                        f"{problem.to_units(k, limit):.10g}", excess))
                elif abs(excess) <= 1e-5 * max(1.0, abs(limit)):
                    binding.append(f"{jid}.{name}.{side}")
    return binding


def _claims(problem: PoolingProblem, payload: Mapping[str, Any], fig: Figures,
            out: list[Violation]) -> None:
    profit = payload.get("profit")
    if isinstance(profit, bool) or not isinstance(profit, int | float):
        out.append(Violation("profit", "the payload states no profit"))
    elif abs(float(profit) - fig.profit) > _tol(fig.profit):
        out.append(Violation("profit", f"stated {profit:.10g}, the flows give "
                             f"{fig.profit:.10g}", abs(float(profit) - fig.profit)))
    for key, ids, amounts, qualities, field in (
        ("pools", problem.pool_ids, fig.pool_in, fig.pool_quality, "throughput"),
        ("products", problem.product_ids, fig.made, fig.product_quality, "amount"),
    ):
        stated = payload.get(key, {})
        if not isinstance(stated, Mapping):
            out.append(Violation(key, "not an object"))
            continue
        for n, nid in enumerate(ids):
            entry = stated.get(nid)
            if amounts[n] > 0 and not isinstance(entry, Mapping):
                out.append(Violation(f"{key}.{nid}", "carries flow but is not reported"))
                continue
            if entry is None:
                continue
            if not isinstance(entry, Mapping):
                out.append(Violation(f"{key}.{nid}", "not an object"))
                continue
            claimed = entry.get(field)
            if not isinstance(claimed, int | float) or abs(claimed - amounts[n]) > _tol(
                    amounts[n]):
                out.append(Violation(f"{key}.{nid}.{field}", f"stated {claimed!r}, the flows "
                                     f"give {amounts[n]:.10g}"))
            actual = quality_table(problem, qualities[n])
            for name, value in (entry.get("quality") or {}).items():
                if name not in actual or not isinstance(value, int | float) or abs(
                        value - actual[name]) > _tol(actual[name]):
                    out.append(Violation(f"{key}.{nid}.quality.{name}",
                                         f"stated {value!r}, the flows give "
                                         f"{actual.get(name, float('nan')):.10g}"))
        for nid in stated:
            if nid not in ids:
                out.append(Violation(f"{key}.{nid}", "unknown id"))


def check(problem: PoolingProblem, payload: Mapping[str, Any]) -> CheckReport:
    """The verdict on a payload (never raises on malformed input)."""
    violations: list[Violation] = []
    if not isinstance(payload, Mapping):
        return CheckReport(None, [Violation("solution", "the payload is not an object")])
    if problem.periods is not None:
        from optikit_pooling.mp_checker import check_periods

        return check_periods(problem, payload)
    flow = _read_flows(problem, payload, violations)
    if flow is None:
        return CheckReport(None, violations)
    fig = evaluate(problem, flow)
    _network(problem, flow, fig, violations)
    binding = _specs(problem, fig, violations)
    _claims(problem, payload, fig, violations)
    figures: dict[str, Any] = {
        "profit": fig.profit,
        "revenue": fig.revenue,
        "purchase_cost": fig.purchase,
        "arc_cost": fig.arc_cost,
        "fixed_cost": fig.fixed_cost,
        "volume_sold": float(np.sum(fig.made)),
        "binding_specs": binding,
    }
    return CheckReport(fig.profit, violations, figures)
