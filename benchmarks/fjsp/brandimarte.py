"""Brandimarte mk01..mk10: the ``cpsat`` formulation against the plain CP-SAT model.

Every run is a separate child process (so memory figures are per run and runs do not
share caches), executed one at a time with the same time limit and threads.  Every
reported schedule is re-checked here with the independent checker (``check_solution``)
besides the runner's own check.  Gaps are relative to the best-known upper bound in
``benchmarks/instances/fjsp/brandimarte/bounds.json``.

Then a scale run on the generated large instance (100 jobs x 20 machines, about 1,200
operations, changeovers, due dates): time to the first incumbent, final checked
objective, and the child's peak memory (``resource.getrusage`` ru_maxrss).

    .venv/bin/python benchmarks/fjsp/brandimarte.py                 # full: ~21 min
    .venv/bin/python benchmarks/fjsp/brandimarte.py --time-limit 10 --instances mk06 mk10
    .venv/bin/python benchmarks/fjsp/brandimarte.py --skip-mk --scale-seeds 1 2 3
    .venv/bin/python benchmarks/fjsp/brandimarte.py --instances mk06 mk10 --seeds 0 1 2

``--seeds`` repeats the Brandimarte runs per seed and ends with a summary over seeds.

``--json FILE`` also writes every run's figures; ``--option KEY=VALUE`` passes an
option to the ``cpsat`` formulation (e.g. ``tabu_stall=8000``: a stalled tabu walk
hands its thread to an LNS).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SET_DIR = ROOT / "benchmarks" / "instances" / "fjsp" / "brandimarte"
FORMULATIONS = ("cpsat", "cpsat-plain")


def _child(task: dict[str, Any], out: Any) -> None:
    """Solve one problem in this (child) process; send a small result dict back."""
    import resource

    from optikit.plugins import get_registry
    from optikit.problem_io import load_document, load_problem
    from optikit.runner import check_solution, solve
    from optikit.types import SolveOptions

    started = time.monotonic()
    registry = get_registry()
    if "file" in task:
        loaded = load_problem(Path(task["file"]), registry)
    else:
        document = registry.problem_types["fjsp"].generate(task["seed"], task["size"])
        loaded = load_document(document, registry, source=f"generated {task['size']}")
    options = SolveOptions(
        time_limit=task["time_limit"],
        threads=task["threads"],
        seed=task.get("seed", 0),
        extra=dict(task.get("options", {})),
    )
    result = solve(
        loaded, registry, solver="cpsat", formulation=task["formulation"], options=options
    )
    doc = result.document
    recheck = check_solution(loaded, doc) if "solution" in doc else None
    first = next((e.time_s for e in result.trajectory if e.objective is not None), None)
    out.send(
        {
            "status": doc["status"],
            "objective": doc.get("objective"),
            "bound": doc.get("bound"),
            "time_s": doc.get("time_s"),
            "wall_s": time.monotonic() - started,
            "checked": bool(recheck and recheck.feasible),
            "first_incumbent_s": first,
            "operations": loaded.problem.shop.num_operations,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "stats": {
                k: v
                for k, v in (doc.get("stats") or {}).items()
                if isinstance(v, int | float | str)
            },
        }
    )
    out.close()


def run_isolated(task: dict[str, Any]) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(task, send))
    proc.start()
    send.close()
    try:
        result = receive.recv()
    except EOFError:
        result = {"status": "crashed", "objective": None, "checked": False}
    proc.join()
    return result


def gap(value: float | None, best: float) -> float | None:
    return None if value is None else (value - best) / best * 100.0


def fmt(value: float | None, spec: str = "g") -> str:
    return "-" if value is None else format(value, spec)


def brandimarte(args: argparse.Namespace) -> list[dict[str, Any]]:
    bounds = json.loads((SET_DIR / "bounds.json").read_text())["instances"]
    rows = []
    for name in args.instances:
        row: dict[str, Any] = {
            "instance": name,
            "bks": bounds[name]["ub"],
            "lb": bounds[name]["lb"],
        }
        for formulation in FORMULATIONS:
            if formulation == "cpsat-plain" and args.skip_plain:
                continue
            task = {
                "file": str(SET_DIR / f"{name}.fjs"),
                "formulation": formulation,
                "time_limit": args.time_limit,
                "threads": args.threads,
                "seed": args.seed,
                "options": args.option if formulation == "cpsat" else {},
            }
            res = run_isolated(task)
            if res["objective"] is not None and not res["checked"]:
                raise SystemExit(f"{name} {formulation}: schedule failed the check")
            row[formulation] = res
            print(
                f"  {name} {formulation:12s} {res['status']:9s} {fmt(res['objective'])} "
                f"(bound {fmt(res['bound'])}, {res.get('wall_s', 0):.1f} s)",
                flush=True,
            )
        rows.append(row)
    print()
    print(f"Brandimarte, {args.time_limit:g} s per run, {args.threads} threads, seed {args.seed}")
    print(
        f"{'instance':9s} {'LB':>5s} {'BKS':>5s} {'optikit':>8s} {'gap%':>6s} "
        f"{'plain':>6s} {'gap%':>6s}  {'optikit bound':>13s}"
    )
    gaps: dict[str, list[float]] = {f: [] for f in FORMULATIONS}
    for row in rows:
        cells = []
        for formulation in FORMULATIONS:
            res = row.get(formulation)
            value = res["objective"] if res else None
            g = gap(value, row["bks"])
            if g is not None:
                gaps[formulation].append(g)
            cells += [fmt(value), fmt(g, ".2f")]
        bound = row["cpsat"]["bound"] if "cpsat" in row else None
        print(
            f"{row['instance']:9s} {row['lb']:5d} {row['bks']:5d} {cells[0]:>8s} "
            f"{cells[1]:>6s} {cells[2]:>6s} {cells[3]:>6s}  {fmt(bound):>13s}"
        )
    for formulation in FORMULATIONS:
        if gaps[formulation]:
            print(f"mean gap {formulation}: {statistics.mean(gaps[formulation]):.2f}%")
    if all("cpsat-plain" in r and "cpsat" in r for r in rows):
        worse = [
            r["instance"]
            for r in rows
            if (r["cpsat"]["objective"] or 1e18) > (r["cpsat-plain"]["objective"] or 1e18)
        ]
        print("optikit worse than plain on: " + (", ".join(worse) if worse else "none"))
    return rows


def summarise_seeds(per_seed: dict[int, list[dict[str, Any]]]) -> None:
    """Objectives per instance over the seeds, mean gaps, and where plain was better."""
    print()
    print(f"Over seeds {', '.join(map(str, per_seed))}:")
    gaps: dict[str, list[float]] = {f: [] for f in FORMULATIONS}
    worse = []
    names = [row["instance"] for row in next(iter(per_seed.values()))]
    for i, name in enumerate(names):
        cells = []
        for formulation in FORMULATIONS:
            values = []
            for seed, rows in per_seed.items():
                res = rows[i].get(formulation)
                if res is None:
                    continue
                values.append(res["objective"])
                g = gap(res["objective"], rows[i]["bks"])
                if g is not None:
                    gaps[formulation].append(g)
                other = rows[i].get("cpsat-plain")
                if formulation == "cpsat" and other and (res["objective"] or 1e18) > (
                    other["objective"] or 1e18
                ):
                    worse.append(f"{name} (seed {seed})")
            if values:
                cells.append(f"{formulation} " + " ".join(fmt(v) for v in values))
        bks = next(iter(per_seed.values()))[i]["bks"]
        print(f"  {name} (BKS {bks}): " + "; ".join(cells))
    for formulation in FORMULATIONS:
        if gaps[formulation]:
            print(f"mean gap {formulation} over seeds: {statistics.mean(gaps[formulation]):.2f}%")
    print("optikit worse than plain on: " + (", ".join(worse) if worse else "none"))


def scale(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    print()
    print(
        f"Scale: generated 'large' (100 jobs x 20 machines), {args.scale_time_limit:g} s, "
        f"{args.threads} threads"
    )
    print(
        f"{'seed':>4s} {'ops':>5s} {'first sched. s':>14s} {'status':>9s} {'objective':>10s} "
        f"{'heuristic':>10s} {'bound':>10s} {'wall s':>7s} {'peak MB':>8s}"
    )
    for seed in args.scale_seeds:
        task = {
            "size": "large",
            "seed": seed,
            "formulation": "cpsat",
            "time_limit": args.scale_time_limit,
            "threads": args.threads,
        }
        res = run_isolated(task)
        if res["objective"] is None or not res["checked"]:
            raise SystemExit(f"large seed {seed}: no checked schedule ({res['status']})")
        rows.append({"seed": seed, **res})
        print(
            f"{seed:4d} {res['operations']:5d} {fmt(res['first_incumbent_s'], '.2f'):>14s} "
            f"{res['status']:>9s} {fmt(res['objective'], '.0f'):>10s} "
            f"{fmt(res['stats'].get('heuristic_objective'), '.0f'):>10s} "
            f"{fmt(res['bound'], '.0f'):>10s} {res['wall_s']:7.1f} {res['peak_rss_mb']:8.0f}",
            flush=True,
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", help="several seeds (overrides --seed)")
    parser.add_argument("--instances", nargs="+", default=[f"mk{i:02d}" for i in range(1, 11)])
    parser.add_argument("--skip-plain", action="store_true")
    parser.add_argument("--skip-mk", action="store_true", help="only the scale run")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--scale-seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--scale-time-limit", type=float, default=60.0)
    parser.add_argument("--json", type=Path, help="write all figures to this file")
    parser.add_argument(
        "--option", action="append", default=[], metavar="KEY=VALUE",
        help="an --option of the cpsat formulation (repeatable), e.g. tabu_stall=8000",
    )
    args = parser.parse_args(argv)
    args.option = dict(item.split("=", 1) for item in args.option)
    report: dict[str, Any] = {"time_limit": args.time_limit, "threads": args.threads}
    if not args.skip_mk:
        per_seed = {}
        for seed in args.seeds or [args.seed]:
            args.seed = seed
            per_seed[seed] = brandimarte(args)
        report["brandimarte"] = per_seed[args.seed]
        if args.seeds:
            report["brandimarte_seeds"] = per_seed
            summarise_seeds(per_seed)
    if not args.skip_scale:
        report["scale"] = scale(args)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
