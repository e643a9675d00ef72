"""Seeded random blends that are feasible by construction.

A hidden blend ``x0`` of a few materials is drawn first; every limit (specs, ratios,
group shares and counts, material bounds, lots, ``max_materials``) is then placed around
``x0``'s own figures and rounded outwards, so ``x0`` satisfies them all.

Sizes: ``tiny`` (6 materials x 4 components), ``small`` (30 x 6), ``medium`` (500 x 9),
``large`` (20,000 x 13) or a number of materials (``"2500"``, 13 components).  A ``-milp``
suffix (``"small-milp"``) adds lots, group counts and ``max_materials``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

COMPONENTS = ("Fe", "SiO2", "Al2O3", "CaO", "MgO", "S", "P", "K2O", "Na2O", "MnO",
              "TiO2", "Zn", "C")
# Dirichlet weights: iron dominates, gangue next, impurities small.
_ALPHA = np.array([6.0, 1.5, 0.8, 1.0, 0.6, 0.08, 0.06, 0.05, 0.05, 0.2, 0.1, 0.03, 0.3])
SIZES = {"tiny": (6, 4), "small": (30, 6), "medium": (500, 9), "large": (20_000, 13)}
TOTAL = 1000.0
HIDDEN = 6  # materials in the hidden blend


def _shape(size: str) -> tuple[int, int, bool]:
    base, _, flag = size.partition("-")
    if flag not in ("", "milp"):
        raise ValueError(f"unknown size suffix {flag!r} (only '-milp')")
    if base in SIZES:
        n, k = SIZES[base]
    elif base.isdigit() and len(base) <= 7 and 2 <= int(base) <= 1_000_000:
        n, k = int(base), len(COMPONENTS)
    else:
        raise ValueError(
            f"unknown size {size!r}: use tiny, small, medium, large or a number of materials "
            "(2 to 1,000,000), optionally with '-milp'"
        )
    return n, k, flag == "milp"


def _floor(value: float, digits: int) -> float:
    scale = 10.0**digits
    return math.floor(value * scale) / scale


def _ceil(value: float, digits: int) -> float:
    scale = 10.0**digits
    return math.ceil(value * scale) / scale


def _materials(rng: np.random.Generator, n: int, k: int) -> dict[str, NDArray[Any]]:
    loss = np.where(rng.random(n) < 0.3, np.round(rng.uniform(1.0, 15.0, n), 2), 0.0)
    listed = rng.uniform(60.0, 95.0, n) * (1.0 - loss / 100.0)
    comp = rng.dirichlet(_ALPHA[:k], size=n) * listed[:, None]
    comp = np.round(np.floor(comp * 1000.0) / 1000.0, 3)  # 3 decimals, down: sums stay <= 100
    comp[:, : min(k, 2)] = np.maximum(comp[:, : min(k, 2)], 0.001)  # Fe, SiO2 always present
    cost = np.round(20.0 + 2.5 * comp[:, 0] + rng.uniform(0.0, 60.0, n), 2)
    return {"comp": comp, "loss": loss, "cost": cost}


def _hidden_blend(rng: np.random.Generator, yields: NDArray[np.float64]) -> NDArray[np.float64]:
    n = yields.size
    chosen = rng.choice(n, size=min(HIDDEN, n), replace=False)
    x0 = np.zeros(n)
    x0[chosen] = rng.dirichlet(np.ones(chosen.size))
    return x0 * TOTAL / float((yields[chosen] * x0[chosen]).sum())


def _specs(
    rng: np.random.Generator, pct: NDArray[np.float64], present: NDArray[np.bool_]
) -> dict[str, Any]:
    specs: dict[str, Any] = {}
    for j in np.flatnonzero(present):
        value = float(pct[j])
        spec: dict[str, float] = {}
        low = _floor(value * (1 - rng.uniform(0.01, 0.15)), 4)
        if j < 5 and low > 0 and rng.random() < 0.8:
            spec["min"] = low
        if rng.random() < 0.9:
            # Never a zero cap: it would only ban every material containing the component.
            high = max(_ceil(value * (1 + rng.uniform(0.01, 0.15)), 4), 0.001)
            spec["max"] = min(100.0, high)
        if spec:
            specs[COMPONENTS[j]] = spec
    return specs


def _ratio(name: str, num: dict[str, float], den: dict[str, float], pct: NDArray[np.float64],
           rng: np.random.Generator) -> dict[str, Any]:
    index = {c: j for j, c in enumerate(COMPONENTS)}
    n = sum(w * pct[index[c]] for c, w in num.items())
    d = sum(w * pct[index[c]] for c, w in den.items())
    value = n / d
    return {
        "name": name,
        "numerator": num,
        "denominator": den,
        "min": _floor(value * (1 - rng.uniform(0.03, 0.1)), 4),
        "max": _ceil(value * (1 + rng.uniform(0.03, 0.1)), 4),
    }


def _groups(rng: np.random.Generator, ids: list[str], x0: NDArray[np.float64],
            milp: bool) -> list[dict[str, Any]]:
    n = len(ids)
    groups: list[dict[str, Any]] = []
    members = np.flatnonzero(rng.random(n) < 0.25)
    if members.size == 0:
        members = np.array([0])
    share = float(x0[members].sum() / x0.sum())
    group: dict[str, Any] = {
        "name": "group_a",
        "materials": [ids[i] for i in members],
        "max": min(1.0, _ceil(share + 0.25 * (1 - share), 4)),
    }
    if _floor(share * 0.6, 4) > 0:
        group["min"] = _floor(share * 0.6, 4)
    if milp:
        used = int((x0[members] > 0).sum())
        group["max_count"] = max(used, 1) + 1
        if used:
            group["min_count"] = 1
    groups.append(group)
    # A cap relative to a reference subset (the `of` field): members within a base mix.
    base = np.flatnonzero((rng.random(n) < 0.5) | (x0 > 0))
    capped = base[: max(1, base.size // 4)]
    ratio = float(x0[capped].sum() / x0[base].sum())
    groups.append({
        "name": "group_b",
        "materials": [ids[i] for i in capped],
        "of": [ids[i] for i in base],
        "max": min(1.0, _ceil(ratio + 0.2 * (1 - ratio), 4)),
    })
    return groups


def generate(seed: int, size: str = "small") -> dict[str, Any]:
    """A random blend document (``size`` as in the module docstring)."""
    n, k, milp = _shape(size)
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, n, k, int(milp)])
    data = _materials(rng, n, k)
    comp, loss, cost = data["comp"], data["loss"], data["cost"]
    x0 = _hidden_blend(rng, 1.0 - loss / 100.0)
    used = np.flatnonzero(x0)
    pct = (comp[used] * x0[used, None]).sum(axis=0) / TOTAL
    width = len(str(n))
    ids = [f"M{i:0{width}d}" for i in range(1, n + 1)]
    comp_rows = comp.tolist()
    names = COMPONENTS[:k]
    materials: list[dict[str, Any]] = []
    with_max = rng.random(n) < 0.2
    for i in range(n):
        row = comp_rows[i]
        material: dict[str, Any] = {
            "id": ids[i],
            "cost": float(cost[i]),
            "composition": {c: v for c, v in zip(names, row, strict=True) if v > 0},
        }
        if loss[i] > 0:
            material["loss"] = float(loss[i])
        if with_max[i]:
            material["max"] = _ceil(max(x0[i] * 1.2, TOTAL * 0.05), 3)
        materials.append(material)
    if milp:
        for j in np.flatnonzero(rng.random(n) < 0.4):
            lot = x0[j] * 0.8 if x0[j] > 0 else TOTAL * rng.uniform(0.02, 0.1)
            cap = materials[j].get("max", math.inf)
            materials[j]["min_lot"] = min(_floor(lot, 3), cap) or 0.001
    document: dict[str, Any] = {
        "type": "blend",
        "name": f"random-blend-{size}-s{seed}",
        "description": f"Random blend (optikit_blend.generator, seed {seed}, size {size}); "
                       "feasible by construction.",
        "total": TOTAL,
        "materials": materials,
        "specs": _specs(rng, pct, np.asarray((comp > 0).any(axis=0))),
    }
    present = {names[j] for j in np.flatnonzero((comp > 0).any(axis=0))}
    ratios = []
    for name, num, den in (
        ("basicity", {"CaO": 1.0}, {"SiO2": 1.0}),
        ("quaternary_basicity", {"CaO": 1.0, "MgO": 1.0}, {"SiO2": 1.0, "Al2O3": 1.0}),
    ):
        if set(num) | set(den) <= present:
            ratios.append(_ratio(name, num, den, pct, rng))
    if ratios:
        document["ratios"] = ratios
    document["groups"] = _groups(rng, ids, x0, milp)
    if milp:
        document["max_materials"] = int((x0 > 0).sum()) + 2
    return document
