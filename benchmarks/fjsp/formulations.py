"""The fjsp formulations side by side on small instances, and the heuristic's speed.

Part 1 (``--formulations``): Kacem and Fattahi instances with known optima, solved by
``cpsat``, ``cpsat-plain`` and the disjunctive MILP (``milp``) on CBC (through PuLP) and
HiGHS, each with the same time limit; every answer re-checked.  The MILP is meant for
cross-checking and small cases: this shows where it stops keeping up.

Part 2 (``--heuristic``): time to the first feasible schedule (one dispatching pass)
and to the full constructive result (rules and restarts within their budget) on every
copied instance and on generated shops up to 100 jobs x 20 machines.

    .venv/bin/python benchmarks/fjsp/formulations.py --formulations --time-limit 10
    .venv/bin/python benchmarks/fjsp/formulations.py --heuristic
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from optikit_fjsp import heuristic
from optikit_fjsp.checker import check
from optikit_fjsp.generator import generate
from optikit_fjsp.model import parse
from optikit_fjsp.reader import read_fjs
from optikit_fjsp.timetable import objective_value, to_schedule

from optikit.plugins import get_registry
from optikit.problem_io import load_document, load_problem
from optikit.runner import check_solution, solve
from optikit.scheduling import schedule_to_payload
from optikit.types import SolveOptions

INSTANCES = Path(__file__).resolve().parents[1] / "instances" / "fjsp"
SMALL = [
    "kacem1",
    "kacem2",
    *(f"sfjs{i:02d}" for i in range(1, 11)),
    *(f"mfjs{i:02d}" for i in range(1, 6)),
]
RUNS = [("cpsat", "cpsat"), ("cpsat", "cpsat-plain"), ("cbc", "milp"), ("highs", "milp")]


def known_optima() -> dict[str, float]:
    out: dict[str, float] = {}
    for path in INSTANCES.glob("*/bounds.json"):
        for name, entry in json.loads(path.read_text())["instances"].items():
            if entry["lb"] == entry["ub"]:
                out[name] = entry["ub"]
    return out


def formulations(time_limit: float, threads: int) -> None:
    registry = get_registry()
    optima = known_optima()
    header = f"{'instance':9s} {'opt':>5s}" + "".join(f" {s + '/' + f:>18s}" for s, f in RUNS)
    print(f"Formulations, {time_limit:g} s, {threads} threads (value, status, seconds)")
    print(header)
    for name in SMALL:
        path = next(INSTANCES.glob(f"*/{name}.fjs"))
        loaded = load_problem(path, registry)
        cells = []
        for solver, formulation in RUNS:
            options = SolveOptions(time_limit=time_limit, threads=threads)
            doc = solve(
                loaded, registry, solver=solver, formulation=formulation, options=options
            ).document
            if "solution" in doc and not check_solution(loaded, doc).feasible:
                raise SystemExit(f"{name} {solver}/{formulation}: schedule failed the check")
            value = "-" if doc.get("objective") is None else f"{doc['objective']:g}"
            cells.append(f"{value} {doc['status'][:3]} {doc['time_s']:.1f}")
        print(
            f"{name:9s} {optima.get(name, float('nan')):5g}" + "".join(f" {c:>18s}" for c in cells),
            flush=True,
        )


def heuristic_speed() -> None:
    rows: list[tuple[str, int, float, float, float]] = []
    problems: list[tuple[str, Any]] = [
        (p.stem, parse(read_fjs(p))) for p in sorted(INSTANCES.glob("*/*.fjs"))
    ]
    registry = get_registry()
    for size in ("medium", "large"):
        document = generate(1, size)
        problems.append(
            (f"generated-{size}", load_document(document, registry, source=size).problem)
        )
    for name, problem in problems:
        rule = (
            next(iter(heuristic.TARDINESS_RULES.values()))
            if (problem.objective.uses_tardiness)
            else heuristic.MAKESPAN_RULES["mwkr"]
        )
        started = time.perf_counter()
        first = heuristic.dispatch(problem.flat, rule)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        best = heuristic.construct(problem, budget=0.3, seed=0)
        full_s = time.perf_counter() - started
        for sol in (first, best):
            payload = schedule_to_payload(problem.shop, to_schedule(problem.flat, sol))
            if not check(problem, payload).feasible:
                raise SystemExit(f"{name}: heuristic schedule failed the check")
        rows.append((name, problem.flat.num_ops, first_s, full_s, objective_value(problem, best)))
    print(f"{'instance':18s} {'ops':>5s} {'first s':>8s} {'full s':>7s} {'objective':>10s}")
    for name, ops, first_s, full_s, value in rows:
        print(f"{name:18s} {ops:5d} {first_s:8.3f} {full_s:7.3f} {value:10g}")
    print(
        f"slowest first schedule: {max(r[2] for r in rows):.3f} s; "
        f"slowest full construction: {max(r[3] for r in rows):.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formulations", action="store_true")
    parser.add_argument("--heuristic", action="store_true")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not (args.formulations or args.heuristic):
        parser.error("choose --formulations and/or --heuristic")
    if args.heuristic:
        heuristic_speed()
    if args.formulations:
        formulations(args.time_limit, args.threads)


if __name__ == "__main__":
    main()
