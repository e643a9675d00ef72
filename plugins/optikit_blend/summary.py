"""Key figures of a blend solution for the human summary: (label, text) rows.

Rows with an empty label continue the row above (the CLI indents them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from optikit.numbers import number
from optikit.units import money
from optikit_blend.model import BlendProblem

#: Used materials listed one by one; the rest are counted.
MAX_MATERIAL_ROWS = 15
MAX_BINDING_ROWS = 15


def _num(value: float | None, digits: int = 6) -> str:
    if value is None:
        return "-"
    return number(value)


def _limits(lo: float | None, hi: float | None) -> str:
    return f"[{_num(lo) if lo is not None else '-'}, {_num(hi) if hi is not None else '-'}]"


def _material_rows(problem: BlendProblem, amounts: Mapping[str, float]) -> list[tuple[str, str]]:
    index = problem.index
    charged = sum(amounts.values()) or 1.0
    ordered = sorted(amounts.items(), key=lambda kv: -kv[1])
    rows = [("materials used", f"{len(ordered)} of {problem.num_materials} "
                               f"({_num(charged)} t charged)")]
    width = max((len(m) for m, _ in ordered[:MAX_MATERIAL_ROWS]), default=0)
    for mid, tonnes in ordered[:MAX_MATERIAL_ROWS]:
        cost = problem.cost[index[mid]] * tonnes if mid in index else float("nan")
        rows.append(("", f"{mid.ljust(width)}  {_num(tonnes):>10} t  "
                         f"{100 * tonnes / charged:6.2f} %  cost "
                         f"{money(cost, problem.currency)}"))
    if len(ordered) > MAX_MATERIAL_ROWS:
        rows.append(("", f"... and {len(ordered) - MAX_MATERIAL_ROWS} more"))
    return rows


def _composition_rows(
    problem: BlendProblem, composition: Mapping[str, float]
) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    specified = [problem.components[k] for k in problem.spec_order]
    width = max((len(c) for c in specified), default=0)
    for k in problem.spec_order:
        name = problem.components[k]
        lo, hi = problem.spec_min[k], problem.spec_max[k]
        lo_v = None if np.isnan(lo) else float(lo)
        hi_v = None if np.isnan(hi) else float(hi)
        value = composition.get(name)
        rows.append(("", f"{name.ljust(width)}  {_num(value):>10} %  spec {_limits(lo_v, hi_v)}"))
    others = [c for c in problem.components if c not in specified and c in composition]
    if others:
        text = ", ".join(f"{c} {_num(composition[c], 4)} %" for c in others)
        rows.append(("", f"no spec: {text}"))
    return [("composition", "mass % of product vs spec [min, max]"), *rows] if rows else []


def _binding_rows(analysis: Mapping[str, Any], currency: str = "") -> list[tuple[str, str]]:
    entries = analysis.get("binding") or []
    if not entries:
        return []
    source = analysis.get("duals_from", "")
    rows = [("binding", f"{len(entries)} constraint(s); prices from the {source}")]
    for entry in entries[:MAX_BINDING_ROWS]:
        unit = entry.get("unit", "")
        cost = entry.get("tighten_cost")
        if unit == "share of charged mass":  # a whole unit of share is 100 %: show 1 point
            per, cost = "per 0.01 of share", None if cost is None else cost / 100.0
        elif unit == "ratio":
            per = "per unit of ratio"
        else:
            per = f"per {unit.split()[0]}" if unit else "per unit"
        price = ("no dual" if cost is None
                 else f"tightening costs {money(cost, currency, None)} {per}")
        rows.append(("", f"{entry['kind']} {entry['name']} {entry['side']} "
                         f"{_num(entry['limit'])}: {price}"))
    if len(entries) > MAX_BINDING_ROWS:
        rows.append(("", f"... and {len(entries) - MAX_BINDING_ROWS} more"))
    return rows


def summarize(problem: BlendProblem, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Cost per tonne, materials, composition vs specs, ratios, binding constraints."""
    solution = document.get("solution") or {}
    amounts: Mapping[str, float] = solution.get("amounts") or {}
    objective = document.get("objective")
    rows: list[tuple[str, str]] = []
    if isinstance(objective, int | float):
        cur = problem.currency
        rows.append(("cost per tonne", money(objective / problem.total, cur)))
        rows.append(("total cost", f"{money(objective, cur)} for {_num(problem.total)} t of "
                                   "product"))
    rows.extend(_material_rows(problem, amounts))
    rows.extend(_composition_rows(problem, solution.get("composition") or {}))
    values = solution.get("ratios") or {}
    if problem.ratios:
        rows.append(("ratios", "value vs [min, max]"))
        width = max(len(r.name) for r in problem.ratios)
        for ratio in problem.ratios:
            rows.append(("", f"{ratio.name.ljust(width)}  {_num(values.get(ratio.name)):>10}  "
                             f"{_limits(ratio.min, ratio.max)}"))
    analysis = document.get("analysis")
    if isinstance(analysis, Mapping):
        rows.extend(_binding_rows(analysis, problem.currency))
    rows.extend(_unusable_rows(problem))
    return rows


def _unusable_rows(problem: BlendProblem) -> list[tuple[str, str]]:
    """Materials the document makes unusable: the user likely meant something else."""
    if not problem.unusable:
        return []
    names = ", ".join(problem.ids[i] for i in problem.unusable[:10])
    more = len(problem.unusable) - 10
    names += f" and {more} more" if more > 0 else ""
    return [("warning", f"never used (min_lot above max): {names}")]
