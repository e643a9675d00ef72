"""Random mixed-model flexible shops: products, changeovers, releases, due dates.

The shape imitates a mixed-model line: each job is one order of a product family; the
family fixes the routing through work centres (stages), and each stage has a few
eligible machines of different speeds.  Changeovers between families are sequence
dependent on the machines of some stages (paint, pressing) and absent on others.  Due
dates follow the usual generator of the weighted-tardiness literature (Crauwels, Potts &
Van Wassenhove 1998): ``d ~ U[P(1 - TF - RDD/2), P(1 - TF + RDD/2)]`` around the
estimated makespan ``P``, with tardiness factor TF = 0.3 and range RDD = 0.6, never
earlier than the job's own release plus its work.

Sizes: ``tiny`` 4 jobs x 3 machines, ``small`` 10 x 5, ``medium`` 30 x 10, ``large``
100 jobs x 20 machines with about 1,200 operations.  Same (seed, size) -> same document.
"""

from __future__ import annotations

import random
from typing import Any

# size -> (jobs, machines, stages, operations per job (min, max), products, max alternatives)
SIZES: dict[str, tuple[int, int, int, tuple[int, int], int, int]] = {
    "tiny": (4, 3, 2, (2, 3), 2, 2),
    "small": (10, 5, 3, (3, 4), 3, 2),
    "medium": (30, 10, 5, (6, 10), 4, 3),
    "large": (100, 20, 8, (10, 14), 5, 3),
}
TARDINESS_FACTOR = 0.3
DUE_RANGE = 0.6


def generate(seed: int, size: str, calendars: str | None = None) -> dict[str, Any]:
    """A reproducible ``fjsp`` document of the given size (``calendars``: a shift preset
    of :mod:`optikit_fjsp.generator_calendars`)."""
    document = _generate(seed, size)
    if calendars is not None:
        from optikit_fjsp.generator_calendars import add_calendars

        add_calendars(document, calendars, seed)
    return document


def _generate(seed: int, size: str) -> dict[str, Any]:
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} for fjsp (known: {', '.join(SIZES)})")
    n_jobs, n_machines, n_stages, (ops_lo, ops_hi), n_products, max_alt = SIZES[size]
    rng = random.Random(f"fjsp-{size}-{seed}")
    machines = [f"M{m + 1}" for m in range(n_machines)]
    # Work centres: machines split into stages; every stage gets at least one machine.
    stage_of = [m % n_stages for m in range(n_machines)]
    rng.shuffle(stage_of)
    stages = [[m for m in range(n_machines) if stage_of[m] == s] for s in range(n_stages)]
    speed = [rng.uniform(0.8, 1.25) for _ in range(n_machines)]
    products = [f"P{p + 1}" for p in range(n_products)]
    # Each family visits the stages in its own order (a routing); route lengths are spread
    # evenly over the size's range so the operation count stays near its middle.
    routing = {}
    for i, p in enumerate(products):
        length = ops_lo + (i * (ops_hi - ops_lo)) // max(1, n_products - 1)
        routing[p] = [rng.randrange(n_stages) for _ in range(length)]
    setup_stages = set(rng.sample(range(n_stages), max(1, n_stages // 2)))

    jobs: list[dict[str, Any]] = []
    work: list[float] = []
    for j in range(n_jobs):
        # Every family appears at least once, so every size has changeovers.
        product = products[j] if j < n_products else rng.choice(products)
        operations = []
        job_work = 0.0
        for stage in routing[product]:
            base = rng.randint(2, 20)
            pool = stages[stage]
            k = min(len(pool), rng.randint(1, max_alt))
            chosen = sorted(rng.sample(pool, k))
            durations = [max(1, round(base * speed[m])) for m in chosen]
            modes = [
                {"machine": machines[m], "duration": d}
                for m, d in zip(chosen, durations, strict=True)
            ]
            job_work += sum(durations) / len(durations)
            operations.append({"modes": modes})
        jobs.append(
            {
                "id": f"J{j + 1}",
                "product": product,
                "weight": rng.choice((1, 1, 2, 3)),
                "operations": operations,
            }
        )
        work.append(job_work)
    # Estimated makespan: the busiest stage's work spread over its machines.
    estimate = max(1.0, sum(work) / n_machines * 1.3)
    for job, job_work in zip(jobs, work, strict=True):
        release = rng.randint(0, int(0.2 * estimate))
        lo = estimate * (1 - TARDINESS_FACTOR - DUE_RANGE / 2)
        hi = estimate * (1 - TARDINESS_FACTOR + DUE_RANGE / 2)
        due = max(round(rng.uniform(lo, hi)), release + round(job_work))
        if release:
            job["release"] = release
        job["due"] = due
    setups: dict[str, dict[str, dict[str, int]]] = {}
    used = [p for p in products if any(job["product"] == p for job in jobs)]
    for m in range(n_machines):
        if stage_of[m] not in setup_stages:
            continue
        table: dict[str, dict[str, int]] = {}
        for a in used:
            row = {b: rng.randint(2, 8) for b in used if b != a}
            table[a] = row
        if any(table.values()):
            setups[machines[m]] = table
    return {
        "type": "fjsp",
        "name": f"generated-{size}-{seed}",
        "description": (
            f"generated mixed-model shop: {n_jobs} jobs of {n_products} product families, "
            f"{n_machines} machines in {n_stages} work centres, changeovers on "
            f"{len(setups)} machines, due dates (TF {TARDINESS_FACTOR}, RDD {DUE_RANGE})"
        ),
        "machines": [{"id": m} for m in machines],
        "jobs": jobs,
        "setups": setups,
        "objective": {"makespan": 1, "total_weighted_tardiness": 1},
    }
