"""cpsat against the cpsat-plain baseline on the same instances, in one run.

    .venv/bin/python benchmarks/car-sequencing/compare.py                  # repo copies
    .venv/bin/python benchmarks/car-sequencing/compare.py --set2-all       # all 70 of set 2
    .venv/bin/python benchmarks/car-sequencing/compare.py --instances set1_19-71 --limit 30
    .venv/bin/python benchmarks/car-sequencing/compare.py --generated small-1 medium-1
    .venv/bin/python benchmarks/car-sequencing/compare.py --scale          # 1,000 cars

Each instance is solved by both formulations with ``--threads 2`` (``--threads``) and the
time limit (``--limit``, 30 s).  Per run: status, objective (checked by the independent
checker, the core refuses anything else), proven bound, time to the first sequence and
time to the run's best (to zero violations on CSPLib files).  The footer counts the
instances each formulation brought to zero (CSPLib) and the median time to zero, and for
all instances how often the main formulation was better / equal / worse than the plain one.
``--scale`` solves ``generate car-sequencing --size large --seed 1`` with the main
formulation in a child process and reports time to the first checked sequence, the final
objective and the peak resident memory of the child.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "benchmarks" / "instances" / "carseq"
SHARED = ROOT.parent.parent / "shared" / "instances" / "carseq"
FORMULATIONS = ("cpsat", "cpsat-plain")


def _document(name: str) -> dict[str, Any]:
    from optikit_carseq.generator import generate
    from optikit_carseq.reader import read_carseq

    for folder in (INSTANCES, SHARED):
        if (folder / f"{name}.carseq").exists():
            return read_carseq(folder / f"{name}.carseq")
    size, _, seed = name.partition("-")
    return generate(int(seed), size)


def _run(document: dict[str, Any], formulation: str, limit: float, threads: int,
         seed: int = 0, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """One checked solve through the public API, with its trajectory."""
    from optikit import api

    events: list[tuple[float, float]] = []
    answer = api.solve(document, solver="cpsat", formulation=formulation, time_limit=limit,
                       threads=threads, seed=seed,
                       options=options if formulation == "cpsat" else None,
                       on_progress=lambda e: events.append((e.time_s, e.objective))
                       if e.objective is not None else None)
    out = dict(answer.document)
    out["trajectory"] = sorted(events)
    if answer.objective is not None:
        out["trajectory"].append((float(out.get("time_s") or limit), answer.objective))
    return out


def _time_to(doc: dict[str, Any], target: float | None) -> float | None:
    if target is None:
        return None
    for at, value in doc["trajectory"]:
        if value <= target + 1e-9:
            return float(at)
    return None


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def compare(names: list[str], limit: float, threads: int,
            formulations: tuple[str, ...] = FORMULATIONS, seeds: tuple[int, ...] = (0,),
            options: dict[str, Any] | None = None) -> None:
    print(f"{'instance':14} {'seed':>4} {'formulation':12} {'status':9} {'objective':>12} "
          f"{'bound':>12} {'first s':>7} {'best s':>7}")
    zero: dict[str, list[float]] = {f: [] for f in formulations}
    csplib = 0
    wins = [0, 0, 0]
    runs = [(name, seed) for name in names for seed in seeds]
    for name, seed in runs:
        document = _document(name)
        is_csplib = document.get("objective") == {"weights": {"high": 1}}
        csplib += is_csplib
        docs = {f: _run(document, f, limit, threads, seed, options) for f in formulations}
        values = [d.get("objective") for d in docs.values() if d.get("objective") is not None]
        best = min(values) if values else None
        for f, d in docs.items():
            first = d["trajectory"][0][0] if d["trajectory"] else None
            to_best = _time_to(d, best)
            if is_csplib and d.get("objective") == 0 and to_best is not None:
                zero[f].append(to_best)
            print(f"{name:14} {seed:>4} {f:12} {d['status']:9} "
                  f"{_fmt(d.get('objective'), ',.0f'):>12} {_fmt(d.get('bound'), ',.0f'):>12} "
                  f"{_fmt(first, '.2f'):>7} {_fmt(to_best, '.2f'):>7}", flush=True)
        if not all(f in docs for f in FORMULATIONS):
            continue
        main, plain = (docs[f].get("objective") for f in FORMULATIONS)
        if main is not None and (plain is None or main < plain - 1e-9):
            wins[0] += 1
        elif main is not None and abs(main - plain) <= 1e-9:
            wins[1] += 1
        else:
            wins[2] += 1
    print()
    for f in formulations:
        if csplib:
            times = zero[f]
            median = statistics.median(times) if times else None
            print(f"{f:12} zero violations on {len(times)}/{csplib} CSPLib runs; "
                  f"median time to zero {_fmt(median, '.2f')} s")
    print(f"cpsat vs cpsat-plain: better {wins[0]}, equal {wins[1]}, worse {wins[2]} "
          f"(of {len(runs)} runs; limit {limit:g} s, {threads} threads)")


def scale(limit: float, threads: int) -> None:
    """The 1,000-car line in a child process: time to the first sequence, peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        problem = Path(tmp) / "large.yaml"
        solution = Path(tmp) / "large.json"
        exe = Path(sys.executable).parent / "optikit"
        subprocess.run([str(exe), "generate", "car-sequencing", "--size", "large", "--seed",
                        "1", "-o", str(problem)], check=True, capture_output=True)
        started = time.monotonic()
        subprocess.run([str(exe), "solve", str(problem), "--time-limit", str(limit),
                        "--threads", str(threads), "--json", "-o", str(solution)],
                       check=False, capture_output=True)
        wall = time.monotonic() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        doc = json.loads(solution.read_text())
    figures = doc.get("check", {}).get("figures", {})
    print(f"large (1,000 cars, 8 options, paint batches): status {doc['status']}, checked "
          f"{doc.get('check', {}).get('feasible')}, objective {doc.get('objective'):,.0f}; "
          f"first sequence after {doc.get('stats', {}).get('first_solution_s', '?')} s, "
          f"wall {wall:.1f} s, peak memory {peak_mb:.0f} MB; high-priority excess "
          f"{figures.get('high_priority_excess')}, colour changes "
          f"{figures.get('colour_changes')}, low-priority excess "
          f"{figures.get('low_priority_excess')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", nargs="*", default=None)
    parser.add_argument("--generated", nargs="*", default=[])
    parser.add_argument("--set2-all", action="store_true",
                        help="all 70 set-2 instances from ../shared/instances/carseq")
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scale", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="run every instance once per seed (both formulations)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="a --option of the cpsat formulation (repeatable)")
    parser.add_argument("--formulations", nargs="+", default=list(FORMULATIONS),
                        help="formulations to run (default: cpsat cpsat-plain)")
    args = parser.parse_args()
    if args.instances is not None:
        names = list(args.instances)
    elif args.set2_all:
        names = sorted(p.stem for p in SHARED.glob("[6-9]?-??.carseq"))
    else:
        names = sorted(p.stem for p in INSTANCES.glob("*.carseq"))
    names += args.generated
    if names:
        options = dict(o.split("=", 1) for o in args.option) or None
        compare(names, args.limit, args.threads, tuple(args.formulations), tuple(args.seeds),
                options)
    if args.scale:
        scale(args.limit, args.threads)


if __name__ == "__main__":
    main()
