"""The blend in plant tables for ``optikit export``: the charge and the product's
composition against its specs (the ``export_tables`` hook)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from optikit_blend.model import BlendProblem


def blend_tables(problem: Any, document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    payload = document.get("solution")
    if not isinstance(payload, Mapping):
        return {}
    amounts = payload.get("amounts") or {}
    composition = payload.get("composition") or {}
    known = isinstance(problem, BlendProblem)
    charged = sum(v for v in amounts.values() if isinstance(v, int | float)) or 1.0
    charge = []
    for material, tonnes in sorted(amounts.items(), key=lambda kv: -kv[1]):
        row: dict[str, Any] = {"material": material, "tonnes": tonnes,
                               "share_pct": 100 * tonnes / charged}
        if known and material in problem.index:
            row["cost"] = float(problem.cost[problem.index[material]]) * tonnes
        charge.append(row)
    specs = []
    for name, value in composition.items():
        row = {"component": name, "pct": value}
        if known and name in problem.components:
            k = problem.components.index(name)
            lo, hi = float(problem.spec_min[k]), float(problem.spec_max[k])
            row["spec_min"] = None if math.isnan(lo) else lo
            row["spec_max"] = None if math.isnan(hi) else hi
            row["within_spec"] = (math.isnan(lo) or value >= lo - 1e-6) and (
                math.isnan(hi) or value <= hi + 1e-6)
        specs.append(row)
    return {"charge": charge, "composition_vs_spec": specs}
