"""fl against the big-M baseline on the same backend in the same run, and the scale run.

    .venv/bin/python benchmarks/lot-sizing/compare.py                 # F1, G73, generated
    .venv/bin/python benchmarks/lot-sizing/compare.py --scale         # + 100x52x3 with fl
    .venv/bin/python benchmarks/lot-sizing/compare.py --instances F1 small-1 --limit 30

Every run uses ``--threads 2`` (override with ``--threads``) and the time limit (60 s).
For each instance and formulation it prints the status, the objective, the proven bound
and gap, the wall time and the time the run first held the best plan (the known optimum
for F1 and G73, else the better of the two answers).  Two speed-ups are reported as
geometric means of bigm / fl: the time to a proof (an unproven run counts as the limit,
so such a pair is a bound, marked ``>=``/``<=``/``~``) and the time to the best plan.  Every
answer has passed the independent checker (the core refuses otherwise).  The scale run
solves ``generate lot-sizing --size large --seed 1`` with the default ``fl`` (or
``--scale-formulation rf``) in a child process and
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
KNOWN = {"F1": 40854.0, "G73": 253984.0}
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
    out["trajectory"] = [(e.time_s, e.objective) for e in result.trajectory
                         if e.objective is not None]
    if out.get("objective") is not None:  # the answer itself, at the end
        out["trajectory"].append((out["wall_s"], out["objective"]))
    return out


def _time_to(doc: dict[str, Any], target: float) -> float | None:
    """First time the run held a plan within 1e-6 (relative) of ``target``."""
    for at, value in doc["trajectory"]:
        if value <= target + 1e-6 * max(1.0, abs(target)):
            return float(at)
    return None


def compare(names: list[str], limit: float, threads: int, formulations: list[str]) -> None:
    proof: list[float] = []
    best: list[float] = []
    print(f"{'instance':10} {'formul.':7} {'status':9} {'objective':>12} {'bound':>12} "
          f"{'gap %':>7} {'time s':>7} {'to best':>7}")
    fast, base = formulations
    for name in names:
        document = _document(name)
        docs = {f: _run(document, f, limit, threads) for f in formulations}
        found = [d["objective"] for d in docs.values() if d.get("objective") is not None]
        target = KNOWN.get(name, min(found) if found else float("nan"))
        times, reach = {}, {}
        for formulation, doc in docs.items():
            proven = doc["status"] == "optimal"
            times[formulation] = (doc["wall_s"] if proven else limit, proven)
            reach[formulation] = _time_to(doc, target) if found else None
            gap = doc.get("gap")
            to_best = reach[formulation]
            print(f"{name:10} {formulation:7} {doc['status']:9} "
                  f"{doc.get('objective') or float('nan'):12,.1f} "
                  f"{doc.get('bound') or float('nan'):12,.1f} "
                  f"{100 * gap if gap is not None else float('nan'):7.3f} "
                  f"{doc['wall_s']:7.2f} "
                  f"{'-' if to_best is None else f'{to_best:.2f}':>7}", flush=True)
        (t_f, p_f), (t_b, p_b) = times[fast], times[base]
        mark = "" if p_f and p_b else (">=" if p_f else "<=" if p_b else "~")
        proof.append(t_b / t_f)
        r_f = reach[fast] if reach[fast] is not None else limit
        r_b = reach[base] if reach[base] is not None else limit
        best.append(r_b / max(r_f, 1e-3))
        print(f"{'':10} proof time {base}/{fast} {mark}{t_b / t_f:.2f}; time to the best "
              f"plan ({target:,.1f}) {base}/{fast} {r_b / max(r_f, 1e-3):.2f}", flush=True)
    for label, ratios in (("proof time", proof), ("time to best plan", best)):
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"geometric mean {label} {base}/{fast} over {len(ratios)} instances: {geo:.2f}")


def scale(limit: float, threads: int, formulation: str) -> None:
    from optikit_lotsizing.generator import generate

    with tempfile.TemporaryDirectory() as tmp:
        problem = Path(tmp) / "large.json"
        problem.write_text(json.dumps(generate(1, "large")))
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "optikit", "solve", str(problem), "--formulation", formulation,
             "--threads", str(threads), "--time-limit", str(limit), "--json"],
            capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode not in (0, 4):
        print(f"scale run failed ({done.returncode}): {done.stderr.strip()}")
        return
    doc = json.loads(done.stdout)
    gap = doc.get("gap")
    print(f"scale 100 items x 52 periods x 3 levels ({formulation}, highs, {threads} threads): "
          f"{doc['status']}, objective {doc.get('objective')}, bound {doc.get('bound')}, "
          f"gap {'-' if gap is None else f'{100 * gap:.2f} %'}, "
          f"checked {doc.get('check', {}).get('feasible')}, wall {wall:.1f} s, "
          f"peak RSS {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="*", default=DEFAULT)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--formulations", nargs=2, default=["fl", "bigm"],
                        help="the formulation to test and the baseline")
    parser.add_argument("--scale", action="store_true", help="also run the scale instance")
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument("--scale-formulation", default="fl",
                        help="formulation of the scale run (fl, the default, or rf)")
    args = parser.parse_args()
    if not args.scale_only:
        compare(args.instances, args.limit, args.threads, args.formulations)
    if args.scale or args.scale_only:
        scale(args.limit, args.threads, args.scale_formulation)


if __name__ == "__main__":
    main()
