"""Pooling benchmark: the 14 literature instances and randstd-like generated ones.

Targets (issue 14): on Haverly 1-3, Ben-Tal 4-5, Adhya 1-4, Foulds 2-5 and RT2 the
``pq`` formulation on SCIP proves the published global optimum (status ``optimal``) in
under 10 s each; the SLP answer sits beside it (how often it is stuck); the plain
p-formulation and the piecewise McCormick bound (HiGHS) complete the table.  On large
generated instances (20-60 inputs, 15-30 pools, 15-50 products) ``pq`` returns a checked
solution and a proven gap at 60 s, with and without optikit's alternating-LP heuristic.

Every run goes through optikit's runner in this process, with the independent checker.

    .venv/bin/python benchmarks/pooling/literature.py                # literature table
    .venv/bin/python benchmarks/pooling/literature.py --large 4      # + 4 large instances
    .venv/bin/python benchmarks/pooling/literature.py --only haverly1 rt2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "benchmarks" / "instances" / "pooling"

#: Published global optima (profit); benchmarks/instances/pooling/README.md.
KNOWN = {
    "haverly1": 400.0, "haverly2": 600.0, "haverly3": 750.0, "bental4": 450.0,
    "bental5": 3500.0, "adhya1": 549.80305, "adhya2": 549.80305, "adhya3": 561.044687,
    "adhya4": 877.64574, "rt2": 4391.8259, "foulds2": 1100.0, "foulds3": 8.0,
    "foulds4": 8.0, "foulds5": 8.0,
}


def run(document: dict[str, Any], solver: str, formulation: str, limit: float,
        extra: dict[str, Any] | None = None) -> dict[str, Any]:
    from optikit.plugins import get_registry
    from optikit.problem_io import load_document
    from optikit.runner import solve
    from optikit.types import SolveOptions

    registry = get_registry()
    loaded = load_document(document, registry, source=document.get("name", "bench"))
    options = SolveOptions(time_limit=limit, threads=1, seed=0, extra=extra or {})
    result = solve(loaded, registry, solver=solver, formulation=formulation, options=options)
    return result.document


def _f(value: float | None, digits: int = 7) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def literature(names: list[str], limit: float) -> list[dict[str, Any]]:
    rows = []
    print("| instance | known | pq objective | pq bound | pq status | pq time s | "
          "p-plain objective / status / time s | slp (uniform) | slp (first) | "
          "mccormick bound (4 pieces) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        document = json.loads((INSTANCES / f"{name}.json").read_text())
        known = KNOWN[name]
        pq = run(document, "scip", "pq", limit)
        plain = run(document, "scip", "p-plain", limit)
        slp = {start: run(document, "highs", "slp", limit, {"start": start})
               for start in ("uniform", "first")}
        mcc = run(document, "highs", "mccormick", limit, {"segments": 4})

        def stuck(doc: dict[str, Any], known: float = known) -> str:
            obj = doc.get("objective")
            if obj is None:
                return f"none ({doc['status']})"
            flag = "stuck" if obj < known - 1e-6 * max(1.0, abs(known)) else "global"
            return f"{obj:.6g} {flag}"

        row = {"instance": name, "known": known, "pq": pq, "p-plain": plain, "slp": slp,
               "mccormick": mcc}
        rows.append(row)
        print(f"| {name} | {known:g} | {_f(pq.get('objective'))} | {_f(pq.get('bound'))} | "
              f"{pq['status']} | {pq['time_s']:.2f} | {_f(plain.get('objective'))} / "
              f"{plain['status']} / {plain['time_s']:.2f} | {stuck(slp['uniform'])} | "
              f"{stuck(slp['first'])} | {_f(mcc.get('bound'))} |", flush=True)
    proven = sum(r["pq"]["status"] == "optimal" and abs(r["pq"]["objective"] - r["known"])
                 <= 1e-6 * max(1.0, abs(r["known"])) for r in rows)
    under10 = sum(r["pq"]["time_s"] < 10 for r in rows)
    stuck_count = {s: sum(r["slp"][s].get("objective") is None or r["slp"][s]["objective"]
                          < r["known"] - 1e-6 * max(1.0, abs(r["known"])) for r in rows)
                   for s in ("uniform", "first")}
    print(f"\npq proves the published optimum on {proven}/{len(rows)} instances, "
          f"{under10}/{len(rows)} in under 10 s; SLP stuck below it on "
          f"{stuck_count['uniform']}/{len(rows)} (uniform start) and "
          f"{stuck_count['first']}/{len(rows)} (first-input start).")
    return rows


def large(count: int, limit: float) -> None:
    from optikit_pooling.generator import generate

    print("\n| instance | inputs/pools/products/qualities | pq objective | bound | gap | "
          "heuristic profit | SCIP alone (no heuristic): objective / bound / gap |")
    print("|---|---|---|---|---|---|---|")
    for seed in range(1, count + 1):
        document = generate(seed, "large")
        shape = (f"{len(document['inputs'])}/{len(document['pools'])}/"
                 f"{len(document['products'])}/{len(document['qualities'])}")
        pq = run(document, "scip", "pq", limit)
        alone = run(document, "scip", "pq", limit, {"heuristic": False})
        print(f"| large-{seed} | {shape} | {_f(pq.get('objective'))} | {_f(pq.get('bound'))} | "
              f"{_f(pq.get('gap'), 3)} | {_f(pq.get('stats', {}).get('heuristic_profit'))} | "
              f"{_f(alone.get('objective'))} / {_f(alone.get('bound'))} / "
              f"{_f(alone.get('gap'), 3)} ({alone['status']}) |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="instances to run")
    parser.add_argument("--limit", type=float, default=60.0, help="time limit per run (s)")
    parser.add_argument("--large", type=int, default=0, help="large generated instances")
    parser.add_argument("--large-limit", type=float, default=60.0)
    args = parser.parse_args()
    print(f"# pooling benchmark (load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} CPUs at the start)\n")
    names = args.only if args.only is not None else list(KNOWN)
    unknown = [n for n in names if n not in KNOWN]
    if unknown:
        print(f"unknown instances: {unknown}", file=sys.stderr)
        return 2
    if names:
        literature(names, args.limit)
    if args.large:
        large(args.large, args.large_limit)
    print(f"\n(load average {os.getloadavg()[0]:.2f} at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
