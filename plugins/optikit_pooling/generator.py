"""Seeded random pooling instances.

Sizes: ``tiny`` (3 inputs, 1 pool, 2 products, 1 quality: Haverly-like), ``small`` (6, 2,
3, 2), ``medium`` (12, 5, 8, 3), and ``large``: like Alfaki and Haugland's ``randstd``
set, 20-60 inputs, 15-30 pools, 15-50 products, 1-4 qualities, random arcs.  Prices exceed
costs so that some blend pays; specs are drawn inside the inputs' quality range so that
pooling decides what can be made.  A size with ``:N`` (``small:3``) plans N periods: costs,
prices and demands vary by period and every pool is a tank with an opening stock (of the
quality of its first input), stock bounds and a holding cost.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SIZES = ("tiny", "small", "medium", "large")


def _shape(size: str, rng: np.random.Generator) -> tuple[int, int, int, int, float]:
    if size == "tiny":
        return 3, 1, 2, 1, 1.0
    if size == "small":
        return 6, 2, 3, 2, 0.7
    if size == "medium":
        return 12, 5, 8, 3, 0.4
    if size == "large":
        return (int(rng.integers(20, 61)), int(rng.integers(15, 31)), int(rng.integers(15, 51)),
                int(rng.integers(1, 5)), 0.25)
    raise ValueError(f"unknown size {size!r} (known: {', '.join(SIZES)})")


def _round(value: float, digits: int = 2) -> float:
    return float(round(float(value), digits))


def _periods(document: dict[str, Any], count: int, rng: np.random.Generator) -> None:
    """Turn a one-period document into a ``count``-period one with tank stocks."""
    document["periods"] = count
    for item, key in [(i, "cost") for i in document["inputs"]] + [
            (p, "price") for p in document["products"]]:
        item[key] = [_round(item[key] * rng.uniform(0.9, 1.1)) for _ in range(count)]
    for product in document["products"]:
        product["max"] = [_round(product["max"] * rng.uniform(0.6, 1.4), 0)
                          for _ in range(count)]
    first = {arc["to"]: arc["from"] for arc in reversed(document["arcs"])}
    quality = {i["id"]: i["quality"] for i in document["inputs"]}
    for pool in document["pools"]:
        pool["inventory"] = {"initial": _round(pool["capacity"] * rng.uniform(0.0, 0.3), 0),
                             "quality": dict(quality[first[pool["id"]]]),
                             "max": _round(pool["capacity"] * 0.8, 0),
                             "holding_cost": _round(rng.uniform(0.05, 0.5))}


def generate(seed: int, size: str = "small") -> dict[str, Any]:
    """A random ``pooling`` document (sizes in the module docstring)."""
    if ":" in size:
        base, _, count = size.partition(":")
        if not count.isdigit() or not 1 <= int(count) <= 52:
            raise ValueError(f"periods in size {size!r} must be 1..52 (e.g. small:3)")
        document = generate(seed, base)
        _periods(document, int(count), np.random.default_rng([int(seed) & 0xFFFFFFFF,
                                                              int(count)]))
        document["name"] += f"-{count}p"
        return document
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} (known: {', '.join(SIZES)})")
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, SIZES.index(size)])
    n_in, n_pool, n_prod, n_q, density = _shape(size, rng)
    qualities = [f"q{k + 1}" for k in range(n_q)]
    lam = rng.uniform(0.5, 5.0, size=(n_in, n_q))
    inputs = [
        {"id": f"c{i + 1}", "cost": _round(rng.uniform(3, 16)),
         "max": _round(rng.uniform(60, 300), 0),
         "quality": {q: _round(lam[i, k]) for k, q in enumerate(qualities)}}
        for i in range(n_in)
    ]
    pools = [{"id": f"o{p + 1}", "capacity": _round(rng.uniform(100, 300), 0)}
             for p in range(n_pool)]
    products = []
    for j in range(n_prod):
        spec = {q: _round(rng.uniform(1.5, 3.5)) for q in qualities}
        products.append({"id": f"p{j + 1}", "price": _round(rng.uniform(9, 18)),
                         "max": _round(rng.uniform(50, 200), 0), "quality_max": spec})
    arcs: list[dict[str, Any]] = []
    for p in range(n_pool):
        feeds = [i for i in range(n_in) if rng.random() < density]
        while len(feeds) < 2:
            feeds = sorted({*feeds, int(rng.integers(n_in))})
        arcs += [{"from": f"c{i + 1}", "to": f"o{p + 1}"} for i in feeds]
    for p in range(n_pool):
        outs = [j for j in range(n_prod) if rng.random() < density]
        if not outs:
            outs = [int(rng.integers(n_prod))]
        arcs += [{"from": f"o{p + 1}", "to": f"p{j + 1}"} for j in outs]
    for i in range(n_in):
        for j in range(n_prod):
            if rng.random() < density / 2:
                arcs.append({"from": f"c{i + 1}", "to": f"p{j + 1}"})
    return {
        "type": "pooling",
        "name": f"random-{size}-{seed}",
        "description": f"random pooling instance (optikit generator, size {size}, seed {seed})",
        "qualities": qualities,
        "inputs": inputs,
        "pools": pools,
        "products": products,
        "arcs": arcs,
    }
