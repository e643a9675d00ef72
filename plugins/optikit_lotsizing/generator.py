"""Seeded random lot-sizing instances at 70-90 % capacity utilisation.

- ``tiny``: 2 end items on a line, a sub-assembly on a press (lead time 1), a bought part
  from two suppliers (MOQ, multiple, price breaks), 6 periods; every feature once.
- ``small`` (10 items x 15 periods) and ``medium`` (20 x 30): single-level, one machine
  with setup times, Trigeiro-Thomas-McClain style (the benchmark class of the targets).
- ``large``: 100 items, 52 weekly periods, 3 levels: 40 end items on two lines, 40
  sub-assemblies on a third, 20 bought raw materials from two suppliers; overtime at a
  cost (up to 25 % of the regular capacity).

Single-level capacities are raised until a plan built backwards from the last period
(each period's load plus every setup it needs, surplus moved one period earlier) fits,
so those instances are feasible by construction; ``large`` relies on overtime for slack
(and initial stocks covering the lead times).  Utilisation = processing load / regular capacity.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

SIZES = ("tiny", "small", "medium", "large")


def _r(value: float, digits: int = 2) -> float | int:
    out = round(float(value), digits)
    return int(out) if float(out).is_integer() else out


def _demand(rng: np.random.Generator, n: int, periods: int, zeros: float = 0.1
            ) -> NDArray[np.float64]:
    mean = rng.uniform(60, 140, n)[:, None]
    raw = rng.normal(mean, 0.2 * mean, (n, periods)).clip(0)
    raw[rng.random((n, periods)) < zeros] = 0.0
    return np.asarray(np.round(raw), dtype=np.float64)


def backward_fill_fits(demand: NDArray[np.float64], a: NDArray[np.float64],
                       st: NDArray[np.float64], capacity: float) -> bool:
    """True if making each item as late as possible (setups included) fits."""
    carry = np.zeros(demand.shape[0])
    for t in range(demand.shape[1] - 1, -1, -1):
        need = demand[:, t] + carry
        room = capacity
        carry = need.copy()
        for i in np.argsort(-need):
            if need[i] <= 0 or room <= st[i]:
                continue
            made = min(need[i], (room - st[i]) / a[i])
            room -= st[i] + made * a[i]
            carry[i] -= made
    return bool(carry.max(initial=0.0) <= 1e-9)


def _single_level(rng: np.random.Generator, n: int, periods: int) -> dict[str, Any]:
    demand = _demand(rng, n, periods)
    a = np.ones(n)
    st = np.round(rng.uniform(10, 50, n))
    util = rng.uniform(0.7, 0.9)
    capacity = float(np.ceil((a @ demand).mean() / util))
    while not backward_fill_fits(demand, a, st, capacity):
        capacity = float(np.ceil(capacity * 1.02))
    items = [
        {"id": f"P{i + 1}", "holding_cost": _r(rng.uniform(1, 5), 0),
         "demand": [_r(d) for d in demand[i]],
         "production": [{"resource": "M1", "time_per_unit": _r(a[i]),
                         "setup_time": _r(st[i]), "setup_cost": _r(rng.uniform(200, 1000), 0)}]}
        for i in range(n)
    ]
    return {"periods": periods, "resources": [{"id": "M1", "capacity": _r(capacity)}],
            "items": items}


def _tiny(rng: np.random.Generator) -> dict[str, Any]:
    periods = 6
    d = _demand(rng, 2, periods, zeros=0.0) / 2
    return {
        "periods": periods,
        "resources": [
            {"id": "line", "capacity": 200, "overtime": {"max": 40, "cost": 3}},
            {"id": "press", "capacity": 160},
        ],
        "items": [
            {"id": "A", "holding_cost": 2, "demand": [_r(v) for v in d[0]],
             "initial_stock": _r(d[0, 0]), "safety_stock": 5,
             "production": [{"resource": "line", "time_per_unit": 1, "setup_time": 20,
                             "setup_cost": _r(rng.uniform(150, 300), 0)}],
             "components": [{"item": "S", "quantity": 1}]},
            {"id": "B", "holding_cost": 2, "demand": [_r(v) for v in d[1]],
             "backlog_cost": 15,
             "production": [{"resource": "line", "time_per_unit": 1, "setup_time": 20,
                             "setup_cost": _r(rng.uniform(150, 300), 0)}],
             "components": [{"item": "S", "quantity": 1}, {"item": "R", "quantity": 2}]},
            {"id": "S", "holding_cost": 1, "lead_time": 1, "initial_stock": _r(d[:, :2].sum()),
             "production": [{"resource": "press", "time_per_unit": 0.5, "setup_time": 30,
                             "setup_cost": _r(rng.uniform(100, 200), 0)}],
             "components": [{"item": "R", "quantity": 1}]},
            {"id": "R", "holding_cost": 0.2, "initial_stock": _r(3 * d[:, :2].sum()),
             "sources": [
                 {"supplier": "north", "lead_time": 1, "order_cost": 80, "min_order": 100,
                  "order_multiple": 50,
                  "price_breaks": [{"min_quantity": 0, "price": 3},
                                   {"min_quantity": 400, "price": 2.7}]},
                 {"supplier": "south", "lead_time": 2, "unit_price": 2.5, "order_cost": 40},
             ]},
        ],
    }


def _large(rng: np.random.Generator, periods: int = 52, n_end: int = 40, n_sub: int = 40,
           n_raw: int = 20) -> dict[str, Any]:
    demand = _demand(rng, n_end, periods, zeros=0.2) / 2
    sub_of = [rng.choice(n_sub, size=2, replace=False) for _ in range(n_end)]
    raw_of = [rng.choice(n_raw, size=2, replace=False) for _ in range(n_sub)]
    use = np.zeros((n_sub, periods))
    for e in range(n_end):
        for s in sub_of[e]:
            use[s] += demand[e]
    raw_use = np.zeros((n_raw, periods))
    for s in range(n_sub):
        for r in raw_of[s]:
            raw_use[r] += use[s]
    util = rng.uniform(0.7, 0.9, 3)
    a_end = rng.uniform(0.5, 1.5, n_end)
    a_sub = rng.uniform(0.3, 1.0, n_sub)
    line_of = np.arange(n_end) % 2
    loads = [float((a_end[line_of == k] @ demand[line_of == k]).mean()) for k in (0, 1)]
    loads.append(float((a_sub @ use).mean()))
    names = ("line1", "line2", "press")
    resources = [{"id": names[k], "capacity": _r(np.ceil(loads[k] / util[k]), 0),
                  "overtime": {"max": _r(np.ceil(0.25 * loads[k] / util[k]), 0), "cost": 4}}
                 for k in range(3)]
    items: list[dict[str, Any]] = []
    for e in range(n_end):
        items.append({
            "id": f"E{e + 1}", "holding_cost": _r(rng.uniform(2, 4)),
            "demand": [_r(v) for v in demand[e]], "initial_stock": _r(demand[e, 0], 0),
            "production": [{"resource": names[line_of[e]], "time_per_unit": _r(a_end[e]),
                            "setup_time": _r(rng.uniform(5, 20), 0),
                            "setup_cost": _r(rng.uniform(100, 400), 0)}],
            "components": [{"item": f"S{s + 1}", "quantity": 1} for s in sorted(sub_of[e])],
        })
    for s in range(n_sub):
        items.append({
            "id": f"S{s + 1}", "holding_cost": _r(rng.uniform(0.8, 1.5)), "lead_time": 1,
            "initial_stock": _r(use[s, :2].sum(), 0),
            "production": [{"resource": "press", "time_per_unit": _r(a_sub[s]),
                            "setup_time": _r(rng.uniform(5, 15), 0),
                            "setup_cost": _r(rng.uniform(50, 250), 0)}],
            "components": [{"item": f"R{r + 1}", "quantity": 1} for r in sorted(raw_of[s])],
        })
    for r in range(n_raw):
        price = rng.uniform(1, 3)
        items.append({
            "id": f"R{r + 1}", "holding_cost": _r(0.1 * price),
            "initial_stock": _r(raw_use[r, :4].sum(), 0),
            "sources": [
                {"supplier": "near", "lead_time": 1, "unit_price": _r(1.1 * price),
                 "order_cost": 60},
                {"supplier": "far", "lead_time": 3, "order_cost": 150, "min_order": 500,
                 "order_multiple": 100,
                 "price_breaks": [{"min_quantity": 0, "price": _r(price)},
                                  {"min_quantity": 2000, "price": _r(0.93 * price)}]},
            ],
        })
    return {"periods": periods, "period_unit": "week", "resources": resources, "items": items}


def generate(seed: int, size: str = "small") -> dict[str, Any]:
    """A ``lot-sizing`` document; the same seed and size give the same document."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: use {', '.join(SIZES)}")
    rng = np.random.default_rng([seed, SIZES.index(size)])
    if size == "tiny":
        body = _tiny(rng)
    elif size == "large":
        body = _large(rng)
    else:
        n, periods = (10, 15) if size == "small" else (20, 30)
        body = _single_level(rng, n, periods)
    return {"type": "lot-sizing", "name": f"generated-{size}-{seed}", **body}


def generate_structured(seed: int, periods: int, n_end: int, n_sub: int, n_raw: int
                        ) -> dict[str, Any]:
    """A ``large``-shaped document (3 levels, two lines and a press, two suppliers) of any
    size: small ones have proven optima, so a bound that is measured on the 100 x 52 x 3
    instance can be checked for how much it loses (``benchmarks/lot-sizing``)."""
    rng = np.random.default_rng([seed, len(SIZES), periods, n_end, n_sub, n_raw])
    body = _large(rng, periods, n_end, n_sub, n_raw)
    return {"type": "lot-sizing",
            "name": f"generated-structured-{n_end}-{n_sub}-{n_raw}x{periods}-{seed}", **body}
