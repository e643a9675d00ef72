"""The independent blend checker: everything recomputed from ``amounts`` alone.

It never looks at solver output other than the payload, so it also verifies solutions
written by hand or by other tools (``optikit check``).

Tolerances (the project's 1e-6 relative rule, with the scale each quantity lives on):
masses (yield balance, material bounds, lots, group shares) within ``1e-6 * total``;
compositions within ``1e-6 * max(1, |limit|)`` percentage points; ratios in their
linear form ``N - limit*D`` within ``1e-6 * max(1, N, limit*D)``.  A material counts
as used when its amount exceeds ``1e-9 * total``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.types import CheckReport, Violation
from optikit_blend.model import BlendProblem, charge_figures

RTOL = 1e-6
ATOL = 1e-9
USED_RTOL = 1e-9


def _amounts(
    problem: BlendProblem, payload: Mapping[str, Any], out: list[Violation]
) -> NDArray[np.float64] | None:
    amounts = payload.get("amounts")
    if not isinstance(amounts, Mapping):
        out.append(Violation("amounts", "the payload has no 'amounts' mapping"))
        return None
    index = problem.index
    x = np.zeros(problem.num_materials)
    for mid, value in amounts.items():
        if mid not in index:
            out.append(Violation(f"amounts.{mid}", f"unknown material {mid!r}"))
            continue
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(float(value)):
            out.append(Violation(f"amounts.{mid}", f"must be a finite number, not {value!r}"))
            continue
        x[index[mid]] = float(value)
    return x


def _check_materials(
    problem: BlendProblem, x: NDArray[np.float64], used: NDArray[np.bool_], out: list[Violation]
) -> None:
    tol = RTOL * problem.total + ATOL
    ids = problem.ids
    for i in np.flatnonzero(x < -tol):
        out.append(Violation(f"amounts.{ids[i]}", f"negative amount {x[i]:g}", float(-x[i])))
    for i in np.flatnonzero(x < problem.lower - tol):
        out.append(Violation(
            f"materials.{ids[i]}.min",
            f"{x[i]:g} t charged, min is {problem.lower[i]:g} t",
            float(problem.lower[i] - x[i]),
        ))
    for i in np.flatnonzero(x > problem.upper + tol):
        out.append(Violation(
            f"materials.{ids[i]}.max",
            f"{x[i]:g} t charged, max is {problem.upper[i]:g} t",
            float(x[i] - problem.upper[i]),
        ))
    short = used & (problem.min_lot > 0) & (x < problem.min_lot - tol)
    for i in np.flatnonzero(short):
        out.append(Violation(
            f"materials.{ids[i]}.min_lot",
            f"{x[i]:g} t charged, below the lot of {problem.min_lot[i]:g} t",
            float(problem.min_lot[i] - x[i]),
        ))


def _check_specs(problem: BlendProblem, pct: NDArray[np.float64], out: list[Violation]) -> None:
    for k in problem.spec_order:
        name, value = problem.components[k], float(pct[k])
        lo, hi = float(problem.spec_min[k]), float(problem.spec_max[k])
        if not math.isnan(lo) and value < lo - RTOL * max(1.0, abs(lo)):
            out.append(Violation(f"specs.{name}.min", f"{value:.8g} % < min {lo:g} %", lo - value))
        if not math.isnan(hi) and value > hi + RTOL * max(1.0, abs(hi)):
            out.append(Violation(f"specs.{name}.max", f"{value:.8g} % > max {hi:g} %", value - hi))


def _ratio_values(
    problem: BlendProblem, pct: NDArray[np.float64], out: list[Violation]
) -> dict[str, float | None]:
    values: dict[str, float | None] = {}
    for ratio in problem.ratios:
        num, den = float(pct @ ratio.numerator), float(pct @ ratio.denominator)
        values[ratio.name] = num / den if den > 0 else None
        for side, limit in (("min", ratio.min), ("max", ratio.max)):
            if limit is None:
                continue
            slack = num - limit * den if side == "min" else limit * den - num
            if slack < -RTOL * max(1.0, abs(num), abs(limit * den)):
                shown = "undefined (denominator 0)" if den <= 0 else f"{num / den:.8g}"
                out.append(Violation(
                    f"ratios.{ratio.name}.{side}",
                    f"ratio is {shown}, {side} is {limit:g}",
                    float(-slack / den) if den > 0 else None,
                ))
    return values


def _check_groups(
    problem: BlendProblem, x: NDArray[np.float64], used: NDArray[np.bool_], out: list[Violation]
) -> dict[str, float | None]:
    tol = RTOL * problem.total + ATOL
    shares: dict[str, float | None] = {}
    for group in problem.groups:
        mass = float(x[group.members].sum())
        ref = float(x.sum() if group.of is None else x[group.of].sum())
        shares[group.name] = mass / ref if ref > 0 else None
        if group.min is not None and mass - group.min * ref < -tol:
            out.append(Violation(
                f"groups.{group.name}.min",
                f"share {mass / ref if ref > 0 else 0:.8g} < min {group.min:g}",
                group.min * ref - mass,
            ))
        if group.max is not None and mass - group.max * ref > tol:
            out.append(Violation(
                f"groups.{group.name}.max",
                f"share {mass / ref if ref > 0 else math.inf:.8g} > max {group.max:g}",
                mass - group.max * ref,
            ))
        count = int(used[group.members].sum())
        if group.min_count is not None and count < group.min_count:
            out.append(Violation(
                f"groups.{group.name}.min_count",
                f"{count} materials used, min_count is {group.min_count}",
                float(group.min_count - count),
            ))
        if group.max_count is not None and count > group.max_count:
            out.append(Violation(
                f"groups.{group.name}.max_count",
                f"{count} materials used, max_count is {group.max_count}",
                float(count - group.max_count),
            ))
    return shares


def _check_reported(
    payload: Mapping[str, Any], key: str, actual: Mapping[str, float | None],
    out: list[Violation],
) -> None:
    """A payload's own composition/ratios, if given, must match the recomputed ones."""
    reported = payload.get(key)
    if not isinstance(reported, Mapping):
        return
    for name, value in reported.items():
        if name not in actual:
            out.append(Violation(f"{key}.{name}", f"unknown {key[:-1]} {name!r}"))
            continue
        true = actual[name]
        if value is None or true is None:
            if value is not true:
                out.append(Violation(f"{key}.{name}", f"reported {value}, recomputed {true}"))
            continue
        if not isinstance(value, int | float) or isinstance(value, bool):
            out.append(Violation(f"{key}.{name}", f"must be a number, not {value!r}"))
        elif abs(float(value) - true) > RTOL * max(1.0, abs(true)):
            out.append(Violation(
                f"{key}.{name}", f"reported {value:.8g}, recomputed {true:.8g}",
                abs(float(value) - true),
            ))


def check(problem: BlendProblem, payload: Mapping[str, Any]) -> CheckReport:
    """Recompute feasibility and cost of a blend from its ``amounts``."""
    violations: list[Violation] = []
    x = _amounts(problem, payload, violations)
    if x is None:
        return CheckReport(None, violations)
    total = problem.total
    used = x > USED_RTOL * total
    content, product, cost = charge_figures(problem, x)
    if abs(product - total) > RTOL * total + ATOL:
        violations.append(Violation(
            "total",
            f"the charge yields {product:.10g} t of product, total is {total:g} t",
            abs(product - total),
        ))
    _check_materials(problem, x, used, violations)
    pct = content * 100.0 / total
    _check_specs(problem, pct, violations)
    ratios = _ratio_values(problem, pct, violations)
    shares = _check_groups(problem, x, used, violations)
    n_used = int(used.sum())
    if problem.max_materials is not None and n_used > problem.max_materials:
        violations.append(Violation(
            "max_materials",
            f"{n_used} materials used, max_materials is {problem.max_materials}",
            float(n_used - problem.max_materials),
        ))
    composition = {c: float(v) for c, v in zip(problem.components, pct, strict=True)}
    _check_reported(payload, "composition", composition, violations)
    _check_reported(payload, "ratios", ratios, violations)
    figures = {
        "product_t": product,
        "cost_per_t": cost / total,
        "materials_used": n_used,
        "composition": composition,
        "ratios": ratios,
        "group_shares": shares,
    }
    return CheckReport(cost, violations, figures)
