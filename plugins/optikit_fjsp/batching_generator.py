"""Random shops with a heat-treatment step: the fjsp generator plus batch furnaces.

Each job of :func:`optikit_fjsp.generator.generate` gets one furnace operation after
its first operation (sawing or turning before hardening, grinding after): a recipe
(``family``) drawn from a few, a recipe time with some spread between parts, and a
``size`` of 1-3 baskets.  ``small`` and larger shops have two furnaces (one of them
slower) so that the furnace choice is part of the problem.  Due dates move back by the
furnace time.  Same (seed, size) -> same document.
"""

from __future__ import annotations

import random
from typing import Any

from optikit_fjsp.generator import generate as generate_shop

# recipe -> (furnace time, spread between parts)
RECIPES = {"harden": (12, 3), "anneal": (18, 4), "temper": (8, 2)}
# size -> (furnaces, capacity in baskets, recipes used)
FURNACES: dict[str, tuple[int, int, int]] = {
    "tiny": (1, 4, 2),
    "small": (2, 5, 2),
    "medium": (2, 6, 3),
    "large": (3, 8, 3),
}


def generate(seed: int, size: str) -> dict[str, Any]:
    """A reproducible ``fjsp`` document with batch furnaces."""
    doc = generate_shop(seed, size)
    n_furnaces, capacity, n_recipes = FURNACES[size]
    rng = random.Random(f"fjsp-batching-{size}-{seed}")
    furnaces = [f"HT{i + 1}" for i in range(n_furnaces)]
    doc["machines"] += [
        {"id": f, "batch": {"capacity": capacity, "cycle": 6}} for f in furnaces
    ]
    recipes = list(RECIPES)[:n_recipes]
    for job in doc["jobs"]:
        recipe = rng.choice(recipes)
        base, spread = RECIPES[recipe]
        time = base + rng.randint(-spread, spread)
        modes = [{"machine": f, "duration": time + (2 if i else 0)}
                 for i, f in enumerate(furnaces)]
        step = {"family": recipe, "size": rng.randint(1, 3), "modes": modes}
        job["operations"].insert(1, step)
        job["due"] = job["due"] + time
    doc["name"] = f"generated-batching-{size}-{seed}"
    doc["description"] += (
        f"; {n_furnaces} batch furnace(s) of {capacity} baskets, {n_recipes} recipes"
    )
    return doc
