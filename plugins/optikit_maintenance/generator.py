"""Seeded random maintenance instances (``optikit generate maintenance --size small``).

Generated instances are feasible: the horizon leaves room to run all maintenance first
(each crew's tasks one after another, within shifts, twice over) and then every job one
operation at a time; windows and RUL deadlines all end after that maintenance phase.  Due dates
are tight, so maintenance timing, lateness and breakdown risk pull against each other.
"""

from __future__ import annotations

import random
from typing import Any

#: machines, crews, tasks, jobs, operations per job, modes per operation (max)
SIZES: dict[str, tuple[int, int, int, int, int, int]] = {
    "tiny": (2, 1, 2, 3, 2, 1),
    "small": (3, 1, 3, 5, 2, 2),
    "medium": (6, 2, 8, 18, 3, 2),
    "large": (12, 3, 18, 60, 4, 3),
}
SHIFT_PERIOD, SHIFT_LENGTH = 24, 16


def _curve(rng: random.Random, scale: int) -> list[list[float | int]]:
    """An S-shaped breakdown probability by time, as a few piecewise-linear points."""
    knee = rng.randint(max(2, scale // 3), max(3, scale))
    return [[0, 0.0], [knee, round(rng.uniform(0.1, 0.3), 2)],
            [2 * knee, round(rng.uniform(0.5, 0.8), 2)], [3 * knee, 0.95]]


def generate(seed: int, size: str) -> dict[str, Any]:
    """The same ``(seed, size)`` always gives the same document."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} (known: {', '.join(SIZES)})")
    n_machines, n_crews, n_tasks, n_jobs, n_ops, n_modes = SIZES[size]
    rng = random.Random(f"maintenance:{seed}:{size}")
    machines = [f"M{i + 1}" for i in range(n_machines)]

    jobs: list[dict[str, Any]] = []
    serial, chains = 0, []
    for j in range(n_jobs):
        operations: list[dict[str, Any]] = []
        chain = 0
        for _ in range(rng.randint(1, n_ops)):
            chosen = rng.sample(machines, rng.randint(1, min(n_modes, n_machines)))
            durations = [rng.randint(2, 9) for _ in chosen]
            operations.append({"modes": [{"machine": m, "duration": d}
                                         for m, d in zip(chosen, durations, strict=True)]})
            chain += max(durations)
        serial += chain
        chains.append(chain)
        jobs.append({"id": f"J{j + 1}", "operations": operations})
    load = serial // n_machines

    crews: list[dict[str, Any]] = []
    for c in range(n_crews):
        crew: dict[str, Any] = {"id": f"crew{c + 1}", "size": rng.randint(1, 2)}
        crews.append(crew)
    tasks: list[dict[str, Any]] = []
    crew_work = [0] * n_crews
    for t in range(n_tasks):
        machine = machines[t % n_machines]
        c = t % n_crews
        duration = rng.randint(2, 8)
        crew_work[c] += duration
        tasks.append({"id": f"PM{t + 1}-{machine}", "machine": machine, "duration": duration,
                      "crew": crews[c]["id"], "renews": t < n_machines})

    # Room for all maintenance (with night gaps) followed by all production, one at a time.
    maintenance_span = 2 * max(crew_work) + 2 * SHIFT_PERIOD
    horizon = maintenance_span + serial + 10
    for crew in crews:
        if rng.random() < 0.5:
            crew["shifts"] = [{"start": a, "end": min(a + SHIFT_LENGTH, horizon)}
                              for a in range(0, horizon, SHIFT_PERIOD)]

    machine_docs = []
    for i, m in enumerate(machines):
        doc: dict[str, Any] = {"id": m, "downtime_cost": rng.randint(5, 40)}
        if rng.random() < 0.8:
            doc["failure"] = {"probability": _curve(rng, max(load, 8)),
                              "repair_time": rng.randint(4, 16),
                              "repair_cost": rng.randint(50, 400)}
        renewing = i < n_tasks
        if renewing and rng.random() < 0.5:
            doc["rul"] = maintenance_span + 3 + rng.randint(0, max(1, load))
            doc["rul_safety"] = rng.randint(0, 3)
        machine_docs.append(doc)

    for t, task in enumerate(tasks):
        if "rul" not in machine_docs[t % n_machines] or not task["renews"]:
            if rng.random() < 0.3:
                task["optional"] = True
                task["skip_cost"] = rng.randint(0, 200)
            if rng.random() < 0.4:  # "not before a few hours, done by a date"
                task["window"] = {"start": rng.randint(0, 8),
                                  "end": rng.randint(maintenance_span, horizon)}
        task["technicians"] = rng.randint(1, next(c["size"] for c in crews
                                                  if c["id"] == task["crew"]))

    for job, chain in zip(jobs, chains, strict=True):
        release = rng.randint(0, max(1, load // 2))
        job["release"] = release
        job["due"] = release + chain + rng.randint(0, max(1, load // 2))
        job["weight"] = rng.randint(1, 5)

    return {
        "type": "maintenance",
        "name": f"maintenance-{size}-{seed}",
        "time_unit": "hour",
        "horizon": horizon,
        "machines": machine_docs,
        "crews": crews,
        "tasks": tasks,
        "jobs": jobs,
    }
