"""Batching machines: the ``cpsat`` and ``cpsat-plain`` formulations side by side.

Generated shops with batch furnaces (:mod:`optikit_fjsp.batching_generator`), each
solved by both formulations with the same time limit and threads, every answer
re-checked by the independent checker; objective, proven bound, status, time and how
full the furnace batches were.

    .venv/bin/python benchmarks/fjsp/batching.py --time-limit 30
    .venv/bin/python benchmarks/fjsp/batching.py --sizes tiny small --seeds 1 2 3
    .venv/bin/python benchmarks/fjsp/batching.py --shifts   # furnaces and all machines on shifts

``--shifts`` gives every machine a calendar of two 40-unit shifts with a 10-unit break and
30 units off in every 120 (a batch must fit one shift) and marks the first operation of
every third job interruptible.
"""

from __future__ import annotations

import argparse
from typing import Any

from optikit_fjsp.batching_generator import generate

from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.runner import check_solution, solve
from optikit.types import SolveOptions

FORMULATIONS = ("cpsat", "cpsat-plain")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["tiny", "small", "medium"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--shifts", action="store_true", help="working-time calendars")
    args = parser.parse_args()
    registry = get_registry()
    print(f"Batching: {args.time_limit:g} s, {args.threads} threads per run")
    print(f"{'instance':26s} {'ops':>4s} " + " ".join(
        f"{f + ': value bound status s fill':>44s}" for f in FORMULATIONS))
    wins = {f: 0 for f in FORMULATIONS}
    for size in args.sizes:
        for seed in args.seeds:
            document = generate(seed, size)
            if args.shifts:
                add_shifts(document)
            loaded = load_document(document, registry, source=document["name"])
            cells = []
            values = {}
            for formulation in FORMULATIONS:
                options = SolveOptions(time_limit=args.time_limit, threads=args.threads,
                                       seed=seed)
                doc = solve(loaded, registry, solver="cpsat", formulation=formulation,
                            options=options).document
                if "solution" in doc and not check_solution(loaded, doc).feasible:
                    raise SystemExit(f"{document['name']} {formulation}: failed the check")
                value = doc.get("objective")
                values[formulation] = value
                bound = doc.get("bound")
                batches = doc.get("check", {}).get("figures", {}).get("batches", {})
                fill = (sum(b["fill"] * b["batches"] for b in batches.values())
                        / max(1, sum(b["batches"] for b in batches.values())))
                cells.append(
                    f"{'-' if value is None else f'{value:g}':>8s} "
                    f"{'-' if bound is None else f'{bound:g}':>8s} {doc['status'][:4]:>5s} "
                    f"{doc['time_s']:6.1f} {fill:5.0%}"
                )
            best = min((v for v in values.values() if v is not None), default=None)
            for f, v in values.items():
                if v is not None and v == best:
                    wins[f] += 1
            ops = loaded.problem.flat.num_ops
            print(f"{document['name']:26s} {ops:4d} " + " ".join(f"{c:>44s}" for c in cells),
                  flush=True)
    print("best (ties count for both): " + ", ".join(f"{f} {n}" for f, n in wins.items()))


def add_shifts(document: dict[str, Any]) -> None:
    """Two shifts of 40 with a break of 10, then 30 off, every 120 units, on every machine."""
    document["calendars"] = {"shifts": {"working": [{"start": 0, "end": 40},
                                                    {"start": 50, "end": 90}], "repeat": 120}}
    document["calendar"] = "shifts"
    for job in document["jobs"][::3]:
        job["operations"][0]["interruptible"] = True
    document["name"] += "-shifts"


if __name__ == "__main__":
    main()
