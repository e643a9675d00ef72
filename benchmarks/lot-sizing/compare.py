"""fl against the big-M baseline on the same backend in the same run, and the scale run.

    .venv/bin/python benchmarks/lot-sizing/compare.py                 # F1, G73, generated
    .venv/bin/python benchmarks/lot-sizing/compare.py --scale         # + 100x52x3 with rf
    .venv/bin/python benchmarks/lot-sizing/compare.py --instances F1 small-1 --limit 30

Every run uses ``--threads 2`` (override with ``--threads``) and the time limit (60 s).
For each instance and formulation it prints the status, the objective, the proven bound
and gap, and the wall time; the time to a proven optimum counts as the time, an unproven
run as the limit (so the ratio of such a pair is a bound, marked ``>=``/``<=``).  The
geometric mean of time(bigm) / time(fl) over the instances is the speed-up.  Every
answer has passed the independent checker (the core refuses otherwise).  The scale run
solves ``generate lot-sizing --size large --seed 1`` with ``rf`` in a child process and
reports wall time and peak resident memory (``getrusage`` of the child).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "benchmarks" / "instances" / "lot-sizing"
DEFAULT = ["F1", "G73", "small-1", "small-2", "small-3", "medium-1", "medium-2", "medium-3"]


def _document(name: str) -> dict[str, Any]:
    from optikit_lotsizing.generator import generate
    from optikit_lotsizing.reader import read_clsp

    if (INSTANCES / f"{name}.clsp").exists():
        return read_clsp(INSTANCES / f"{name}.clsp")
    size, _, seed = name.partition("-")
    return generate(int(seed), size)


def _run(document: dict[str, Any], formulation: str, limit: float, threads: int
         ) -> dict[str, Any]:
    from optikit.plugins import get_registry
    from optikit.problem_io import load_document
    from optikit.runner import solve
    from optikit.types import SolveOptions

    registry = get_registry()
    loaded = load_document(document, registry, source=str(document.get("name")))
    started = time.monotonic()
    result = solve(loaded, registry, solver="highs", formulation=formulation,
                   options=SolveOptions(time_limit=limit, threads=threads, seed=0))
    out = dict(result.document)
    out["wall_s"] = time.monotonic() - started
    return out


def compare(names: list[str], limit: float, threads: int) -> None:
    ratios: list[float] = []
    print(f"{'instance':10} {'formulation':6} {'status':9} {'objective':>12} {'bound':>12} "
          f"{'gap %':>7} {'time s':>7}")
    for name in names:
        document = _document(name)
        times = {}
        for formulation in ("fl", "bigm"):
            doc = _run(document, formulation, limit, threads)
            proven = doc["status"] == "optimal"
            times[formulation] = (doc["wall_s"] if proven else limit, proven)
            gap = doc.get("gap")
            print(f"{name:10} {formulation:6} {doc['status']:9} "
                  f"{doc.get('objective') or float('nan'):12,.1f} "
                  f"{doc.get('bound') or float('nan'):12,.1f} "
                  f"{100 * gap if gap is not None else float('nan'):7.3f} "
                  f"{doc['wall_s']:7.2f}", flush=True)
        (t_fl, p_fl), (t_bm, p_bm) = times["fl"], times["bigm"]
        mark = "" if p_fl and p_bm else (">=" if p_fl else "<=" if p_bm else "~")
        ratios.append(t_bm / t_fl)
        print(f"{'':10} time(bigm)/time(fl) {mark}{t_bm / t_fl:.2f}", flush=True)
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"geometric mean time(bigm)/time(fl) over {len(ratios)} instances: {geo:.2f}")


def scale(limit: float, threads: int) -> None:
    from optikit_lotsizing.generator import generate

    with tempfile.TemporaryDirectory() as tmp:
        problem = Path(tmp) / "large.json"
        problem.write_text(json.dumps(generate(1, "large")))
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "optikit", "solve", str(problem), "--formulation", "rf",
             "--threads", str(threads), "--time-limit", str(limit), "--json"],
            capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode not in (0, 4):
        print(f"scale run failed ({done.returncode}): {done.stderr.strip()}")
        return
    doc = json.loads(done.stdout)
    gap = doc.get("gap")
    print(f"scale 100 items x 52 periods x 3 levels (rf, highs, {threads} threads): "
          f"{doc['status']}, objective {doc.get('objective')}, bound {doc.get('bound')}, "
          f"gap {'-' if gap is None else f'{100 * gap:.2f} %'}, "
          f"checked {doc.get('check', {}).get('feasible')}, wall {wall:.1f} s, "
          f"peak RSS {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="*", default=DEFAULT)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scale", action="store_true", help="also run the scale instance")
    parser.add_argument("--scale-only", action="store_true")
    args = parser.parse_args()
    if not args.scale_only:
        compare(args.instances, args.limit, args.threads)
    if args.scale or args.scale_only:
        scale(args.limit, args.threads)


if __name__ == "__main__":
    main()
