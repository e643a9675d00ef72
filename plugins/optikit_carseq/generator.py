"""Seeded random car-sequencing lines in the native format.

- ``tiny``: 12 cars, 3 options, 4 variants, 2 colours with a batch limit and two of
  yesterday's cars: every feature once, solved to optimality in a moment.
- ``small`` / ``medium`` / ``large``: 100 / 400 / 1,000 cars, 5 / 6 / 8 options with
  the usual station ratings (1/2, 2/3, 1/3, 2/5, 1/5, ...), 12 / 20 / 30 variants, 6 / 8 /
  10 colours, paint batches of at most 10-15 cars, yesterday's last 10 cars, and the
  ROADEF 2005 ranking (high-priority options, then colour changes, then low-priority ones).
- a number of cars (``--size 300``): that many cars with the options, variants and
  colours of the smallest named size at least as long (300 cars: ``medium``'s), for the
  200-400-car lines between the named sizes.

Option utilisation (demand x q / (p x cars)) is drawn in 0.6-0.9 for high-priority
options, so those lines are usually feasible, and up to 1.1 for low-priority ones.
"""

from __future__ import annotations

import random
from typing import Any

SIZES = {"tiny": (12, 3, 4, 2), "small": (100, 5, 12, 6), "medium": (400, 6, 20, 8),
         "large": (1000, 8, 30, 10)}
RATINGS = ((1, 2), (2, 3), (1, 3), (2, 5), (1, 5), (3, 4), (1, 4), (2, 7))
STATIONS = ("sunroof", "air conditioning", "tow bar", "heated seats", "navigation",
            "alloy wheels", "roof rails", "rear camera")
COLOURS = ("white", "black", "silver", "blue", "red", "grey", "green", "orange", "beige",
           "brown")


def _shape(size: str) -> tuple[int, int, int, int]:
    """(cars, options, variants, colours) of a named size or of a car count."""
    if size in SIZES:
        return SIZES[size]
    if size.isdigit() and 10 <= int(size) <= 5000:
        n = int(size)
        named = next((v for k, v in SIZES.items() if k != "tiny" and v[0] >= n),
                     SIZES["large"])
        return (n, *named[1:])
    raise ValueError(f"unknown size {size!r}; use one of {', '.join(SIZES)} or a number of "
                     "cars (10-5000)")


def generate(seed: int, size: str) -> dict[str, Any]:
    n, num_options, num_classes, num_colours = _shape(size)
    rng = random.Random(f"car-sequencing:{size}:{seed}")
    options: list[dict[str, Any]] = []
    share: list[float] = []
    for j in range(num_options):
        p, q = RATINGS[j]
        high = j < (num_options + 1) // 2
        util = rng.uniform(0.6, 0.9) if high else rng.uniform(0.7, 1.1)
        share.append(util * p / q)
        options.append({"id": STATIONS[j].replace(" ", "_"), "max": p, "window": q,
                        "priority": "high" if high else "low", "station": STATIONS[j]})
    colours = list(COLOURS[:num_colours])
    popularity = [rng.uniform(0.5, 3.0) for _ in colours]
    # Variants: option sets drawn to match the target shares, then counts per variant.
    weights = [rng.uniform(0.3, 2.0) for _ in range(num_classes)]
    total = sum(weights)
    counts = [int(n * w / total) for w in weights]
    for i in range(n - sum(counts)):
        counts[i % num_classes] += 1
    # Each option goes to a random subset of variants whose cars add up to its target
    # demand (never above it), so the drawn utilisation holds.
    members: list[list[str]] = [[] for _ in range(num_classes)]
    for j in range(num_options):
        target = round(share[j] * n)
        order = list(range(num_classes))
        rng.shuffle(order)
        demand = 0
        for k in order:
            if demand + counts[k] <= target:
                members[k].append(options[j]["id"])
                demand += counts[k]
    classes: list[dict[str, Any]] = []
    for k in range(num_classes):
        colour = rng.choices(colours, weights=popularity)[0]
        classes.append({"id": f"V{k + 1:02d}", "count": counts[k], "options": members[k],
                        "colour": colour})
    # The batch limit must leave a way to interleave the most common colour (yesterday's
    # cars may lengthen the first run).
    tail = 2 if size == "tiny" else 10
    per_colour = {c: sum(k["count"] for k in classes if k["colour"] == c) for c in colours}
    top = max(per_colour.values())
    needed = -(-top // (n - top + 1)) + tail
    batch = max(3 if size == "tiny" else rng.randint(10, 15), needed)
    previous = [rng.choice(classes)["id"] for _ in range(tail)]
    document: dict[str, Any] = {
        "type": "car-sequencing",
        "name": f"line-{size}-{seed}",
        "options": options,
        "classes": classes,
        "paint": {"max_batch": batch, "change_cost": 1},
        "previous": previous,
        "objective": {"lexicographic": ["high", "colour", "low"]},
    }
    return document
