"""Measure the maintenance formulations on generated instances (not a test).

    python benchmarks/maintenance/cp_vs_milp.py [--quick]

For tiny and small instances both formulations are run to optimality and their optima
compared (they must agree: this certifies the CP-SAT model); for medium and large ones
CP-SAT runs with a time limit and the final gap is reported.  One thread per solve.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from optikit_maintenance import generate

from optikit.problem_io import load_document
from optikit.runner import solve
from optikit.testing import isolated_registry
from optikit.types import SolveOptions


def run(registry: Any, document: dict[str, Any], solver: str, limit: float) -> dict[str, Any]:
    loaded = load_document(document, registry, source=document["name"])
    started = time.monotonic()
    result = solve(loaded, registry, solver=solver,
                   options=SolveOptions(time_limit=limit, threads=1, seed=0))
    doc = result.document
    return {"status": doc["status"], "objective": doc["objective"], "bound": doc["bound"],
            "gap": doc["gap"], "seconds": time.monotonic() - started}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer seeds, shorter limits")
    args = parser.parse_args()
    seeds = range(2) if args.quick else range(5)
    registry = isolated_registry(entry_points=True, load=["maintenance", "ortools", "highs"])

    print("size   seed  H     CP status  CP s    MILP status  MILP s   optimum        agree")
    for size in ("tiny", "small"):
        for seed in seeds:
            document = generate(seed, size)
            cp = run(registry, document, "cpsat", 60)
            milp = run(registry, document, "highs", 120)
            agree = (cp["objective"] is not None and milp["objective"] is not None
                     and abs(cp["objective"] - milp["objective"]) <= 1e-6 * max(
                         1.0, abs(cp["objective"])))
            print(f"{size:6} {seed:4}  {document['horizon']:4}  {cp['status']:9}  "
                  f"{cp['seconds']:6.2f}  {milp['status']:11}  {milp['seconds']:7.2f}  "
                  f"{cp['objective']:13.4f}  {agree}")

    limits = {"medium": 5.0 if args.quick else 10.0, "large": 10.0 if args.quick else 30.0}
    print("\nsize   seed  H     limit  CP status  objective      bound          gap")
    for size, limit in limits.items():
        for seed in range(3 if not args.quick else 1):
            document = generate(seed, size)
            cp = run(registry, document, "cpsat", limit)
            gap = "-" if cp["gap"] is None else f"{100 * cp['gap']:.3f}%"
            print(f"{size:6} {seed:4}  {document['horizon']:4}  {limit:5.0f}  "
                  f"{cp['status']:9}  {cp['objective']:13.4f}  {cp['bound']:13.4f}  {gap}")


if __name__ == "__main__":
    main()
