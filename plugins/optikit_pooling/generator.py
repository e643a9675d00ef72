"""Seeded random pooling instances.

Sizes: ``tiny`` (3 inputs, 1 pool, 2 products, 1 quality: Haverly-like), ``small`` (6, 2,
3, 2), ``medium`` (12, 5, 8, 3), and ``large``: like Alfaki and Haugland's ``randstd``
set, 20-60 inputs, 15-30 pools, 15-50 products, 1-4 qualities, random arcs.  Prices exceed
costs so that some blend pays; specs are drawn inside the inputs' quality range so that
pooling decides what can be made.
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


def generate(seed: int, size: str = "small") -> dict[str, Any]:
    """A random ``pooling`` document (sizes in the module docstring)."""
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
