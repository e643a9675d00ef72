"""routing and pyvrp against the plain routing model in the same run, with gaps to the best known.

    .venv/bin/python benchmarks/intralogistics/compare.py                  # repo copies
    .venv/bin/python benchmarks/intralogistics/compare.py --all            # all 56 (shared)
    .venv/bin/python benchmarks/intralogistics/compare.py --instances lc101 lr104 --limit 20
    .venv/bin/python benchmarks/intralogistics/compare.py --plants         # generated plants
    .venv/bin/python benchmarks/intralogistics/compare.py --plants --representable  # for pyvrp
    .venv/bin/python benchmarks/intralogistics/compare.py --option failures=8   # to routing
    .venv/bin/python benchmarks/intralogistics/compare.py --formulations routing pyvrp
    .venv/bin/python benchmarks/intralogistics/compare.py --small 6 7 8 --limit 20

``routing`` is the type's default formulation (PyVRP's search where PyVRP models the plant
and is installed); ``routing-ortools`` the same formulation held to OR-Tools
(``--option engine=ortools``).

For each Li & Lim instance and formulation it prints vehicles and distance (every answer
passed the independent checker: the core refuses otherwise), the best-known vehicles and
distance, and the distance gap where the vehicles match.  The summary says, for each run
but ``routing-plain`` (``pyvrp``, extra ``optikit[pyvrp]``, is skipped when it is not
installed), on how many instances it is lexicographically no worse than ``routing-plain``,
how many reach the best-known vehicle count, and the mean distance gap where they do.
``--plants`` solves generated plants (20 / 100 / 500 orders) and reports objective,
vehicles, late orders, the time to the first plan and the peak memory (``getrusage`` of a
child process).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COPIES = ROOT / "benchmarks" / "instances" / "intralogistics"
COPIES_200 = ROOT / "benchmarks" / "instances" / "intralogistics-200"
SHARED = ROOT.parent / "shared" / "instances" / "pdptw"
if not SHARED.is_dir():
    SHARED = ROOT.parents[1] / "shared" / "instances" / "pdptw"
FORMULATIONS = ["routing", "routing-ortools", "routing-plain", "pyvrp"]
# label -> (solver, formulation, its own options): ``routing-ortools`` is the default
# formulation held to OR-Tools (``routing`` searches with PyVRP where PyVRP models the plant)
RUNS = {"routing": ("ortools-routing", "routing", []),
        "routing-ortools": ("ortools-routing", "routing", ["engine=ortools"]),
        "routing-plain": ("ortools-routing", "routing-plain", []),
        "pyvrp": ("pyvrp", "pyvrp", []),
        # (``--small``) routing without its CP-SAT stage or PyVRP: what it was before them
        "routing-no-cpsat": ("ortools-routing", "routing", ["engine=ortools", "cpsat_orders=0"])}


def best_known() -> dict[str, tuple[int, float]]:
    """Vehicles and distance by lower-case instance name: the 100-customer copies and the
    whole 200-customer set (SINTEF's table; 58 of its files are not on this machine)."""
    known: dict[str, tuple[int, float]] = {}
    for folder in (COPIES, COPIES_200):
        with (folder / "best-known.csv").open() as f:
            known.update({r["instance"].lower(): (int(r["vehicles"]), float(r["distance"]))
                          for r in csv.DictReader(f)})
    return known


def from_folder(folder: Path, scratch: Path) -> list[Path]:
    """Every Li & Lim file in ``folder`` (``.pdptw``, or ``.txt`` as published), the
    ``.txt`` ones copied under ``scratch`` with the extension the reader is chosen by."""
    paths = []
    for path in sorted([*folder.glob("*.pdptw"), *folder.glob("*.txt")]):
        if path.suffix == ".txt":
            copy = scratch / f"{path.stem}.pdptw"
            copy.write_bytes(path.read_bytes())
            path = copy
        paths.append(path)
    return paths


OPTIONS: list[str] = []  # KEY=VALUE passed to the ``routing`` formulation only


def _run(path: Path, label: str, limit: float, threads: int) -> dict[str, Any]:
    """One ``optikit solve`` in a child process: the command's own limit, peak memory."""
    solver, formulation, own = RUNS[label]
    options = [*own, *(OPTIONS if formulation == "routing" else [])]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "solution.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        done = subprocess.run([sys.executable, "-m", "optikit", "solve", str(path), "--solver",
                        solver, "--formulation", formulation, "--time-limit",
                        str(limit), "--threads", str(threads), "--json", "-v", "-o", str(out),
                        *(a for o in options for a in ("--option", o))],
                       check=False, capture_output=True, text=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        doc: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
        if not doc:  # refused (pyvrp on a plant with batteries, say): the one-line error
            doc["error"] = (done.stderr.strip().splitlines() or ["no output"])[-1]
        doc["peak_mb"] = max(peak, before) / 1024
        return doc


def lilim(paths: list[Path], limit: float, threads: int) -> None:
    known = best_known()
    print(f"{'instance':9} {'formulation':15} {'veh':>4} {'distance':>10} {'bks veh':>7} "
          f"{'bks dist':>10} {'gap %':>7} {'time s':>7}")
    searched = [f for f in FORMULATIONS if f != "routing-plain"]
    no_worse = dict.fromkeys(searched, 0)
    reach = dict.fromkeys(searched, 0)
    gaps: dict[str, list[float]] = {f: [] for f in searched}
    for path in paths:
        name = path.stem
        results = {f: _run(path, f, limit, threads) for f in FORMULATIONS}
        bv, bd = known.get(name.lower(), (0, float("nan")))
        keys = {}
        for f, doc in results.items():
            veh = (doc.get("analysis") or {}).get("vehicles")
            dist = doc.get("objective")
            keys[f] = (veh if veh is not None else 10**9, dist if dist is not None else 1e18)
            gap = (100 * (dist - bd) / bd) if veh == bv and dist is not None else None
            print(f"{name:9} {f:15} {veh if veh is not None else '-':>4} "
                  f"{dist if dist is not None else float('nan'):>10.2f} {bv:>7} {bd:>10.2f} "
                  f"{gap if gap is not None else float('nan'):>7.2f} "
                  f"{doc.get('time_s', float('nan')):>7.1f}")
            if f in reach and veh is not None and veh <= bv:
                reach[f] += 1
                if gap is not None:
                    gaps[f].append(gap)
        for f in searched:
            plain = keys.get("routing-plain", (10**9, 1e18))
            if keys[f] <= (plain[0], plain[1] + 1e-6):
                no_worse[f] += 1
    n = len(paths)
    for f in searched:
        print(f"\n{f}: lexicographically no worse than routing-plain {no_worse[f]}/{n}; "
              f"best-known vehicle count {reach[f]}/{n}", end="")
        if gaps[f]:
            print(f"; mean distance gap where vehicles match "
                  f"{sum(gaps[f]) / len(gaps[f]):.2f} % ({len(gaps[f])} instances)", end="")
    print()


def representable(doc: dict[str, Any]) -> dict[str, Any]:
    """A generated plant without what PyVRP cannot model: batteries, chargers, lateness."""
    for vehicle in doc["vehicles"]:
        vehicle.pop("battery", None)
    doc.pop("chargers", None)
    doc["objective"] = {"vehicles": doc["objective"].get("vehicles", 0), "distance": 1}
    return doc


def plants(limit: float, threads: int, sizes: list[str], plain: bool = False) -> None:
    from optikit_intralogistics.generator import generate

    print(f"{'plant':14} {'formulation':15} {'objective':>11} {'veh':>4} {'late':>5} "
          f"{'first plan s':>12} {'time s':>7} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"plant-{size}.json"
            doc = generate(1, size)
            path.write_text(json.dumps(representable(doc) if plain else doc))
            for f in FORMULATIONS:
                doc = _run(path, f, limit, threads)
                if "error" in doc:
                    print(f"{size:14} {f:15} {doc['error'].split(': ', 2)[-1]}")
                    continue
                fig = (doc.get("check") or {}).get("figures") or {}
                first = (doc.get("stats") or {}).get("first_plan_s")
                print(f"{size:14} {f:15} {doc.get('objective') or float('nan'):>11.1f} "
                      f"{fig.get('vehicles', '-'):>4} {len(fig.get('late_orders', [])):>5} "
                      f"{first if first is not None else float('nan'):>12.2f} "
                      f"{doc.get('time_s', float('nan')):>7.1f} {doc['peak_mb']:>8.0f}")


def small(limit: float, threads: int, orders: list[int], plain: bool = False) -> None:
    """Small plants (the first N orders of the generated small plant, no batteries: CP-SAT
    does not model them; lateness kept unless ``plain``): ``routing`` with and without its
    CP-SAT stage."""
    from optikit_intralogistics.generator import generate

    print(f"{'orders':>6} {'formulation':17} {'status':9} {'objective':>10} {'bound':>10} "
          f"{'engine':18} {'time s':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in orders:
            doc = generate(1, "small")
            doc["orders"] = doc["orders"][:n]
            for vehicle in doc["vehicles"]:
                vehicle.pop("battery", None)
            doc.pop("chargers", None)
            if plain:
                doc = representable(doc)
            path = Path(tmp) / f"plant-{n}.json"
            path.write_text(json.dumps(doc))
            for label in ("routing", "routing-no-cpsat"):
                out = _run(path, label, limit, threads)
                bound = out.get("bound")
                print(f"{n:>6} {label:17} {out.get('status', '-'):9} "
                      f"{out.get('objective') or float('nan'):>10.2f} "
                      f"{bound if bound is not None else float('nan'):>10.2f} "
                      f"{(out.get('stats') or {}).get('engine', '-'):18} "
                      f"{out.get('time_s', float('nan')):>7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="*", help="names, e.g. lc101 lr104")
    parser.add_argument("--all", action="store_true", help="all 56 from ../shared")
    parser.add_argument("--set200", action="store_true",
                        help="the 200-customer copies (instances/intralogistics-200)")
    parser.add_argument("--dir", type=Path, metavar="FOLDER",
                        help="every Li & Lim file in FOLDER (.pdptw or .txt), e.g. the whole "
                        "200-customer set from SINTEF; best known from the tables here")
    parser.add_argument("--plants", action="store_true", help="generated plants instead")
    parser.add_argument("--representable", action="store_true",
                        help="with --plants or --small: no batteries, chargers or lateness "
                        "(pyvrp runs)")
    parser.add_argument("--sizes", nargs="*", default=["small", "medium", "large"])
    parser.add_argument("--small", nargs="*", type=int, metavar="N",
                        help="small plants of N orders: routing with and without CP-SAT")
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="option of the routing formulation, in both its runs "
                        "(repeatable)")
    parser.add_argument("--formulations", nargs="*", default=list(FORMULATIONS),
                        choices=list(FORMULATIONS), help="routing-plain always runs")
    args = parser.parse_args()
    OPTIONS.extend(args.option)
    FORMULATIONS[:] = [f for f in FORMULATIONS
                       if f in args.formulations or f == "routing-plain"]
    if "pyvrp" in FORMULATIONS and importlib.util.find_spec("pyvrp") is None:
        print("pyvrp is not installed (pip install 'optikit[pyvrp]'): skipped")
        FORMULATIONS.remove("pyvrp")
    if args.small is not None:
        small(args.limit, args.threads, args.small or [6, 7, 8], args.representable)
        return
    if args.plants:
        plants(args.limit, args.threads, args.sizes, args.representable)
        return
    if args.dir is not None:
        if not args.dir.is_dir():
            parser.error(f"--dir {args.dir}: not a folder")
        with tempfile.TemporaryDirectory() as scratch:
            lilim(from_folder(args.dir, Path(scratch)), args.limit, args.threads)
        return
    folder = SHARED if args.all else COPIES_200 if args.set200 else COPIES
    paths = sorted(folder.glob("*.pdptw"))
    if args.instances:
        wanted = set(args.instances)
        paths = [p for p in sorted({*COPIES.glob("*.pdptw"), *COPIES_200.glob("*.pdptw"),
                                    *SHARED.glob("*.pdptw")})
                 if p.stem in wanted]
        paths = list({p.stem: p for p in paths}.values())
    lilim(paths, args.limit, args.threads)


if __name__ == "__main__":
    main()
