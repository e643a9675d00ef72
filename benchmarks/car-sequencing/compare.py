"""cpsat against the cpsat-plain baseline on the same instances, in one run.

    .venv/bin/python benchmarks/car-sequencing/compare.py                  # repo copies
    .venv/bin/python benchmarks/car-sequencing/compare.py --set2-all       # all 70 of set 2
    .venv/bin/python benchmarks/car-sequencing/compare.py --instances set1_19-71 --limit 30
    .venv/bin/python benchmarks/car-sequencing/compare.py --generated small-1 medium-1
    .venv/bin/python benchmarks/car-sequencing/compare.py --instances --scale 300 large

Each instance is solved by both formulations with ``--threads 2`` (``--threads``) and the
time limit (``--limit``, 30 s).  Per run: status, objective (checked by the independent
checker, the core refuses anything else), proven bound, time to the first sequence and
time to the run's best (to zero violations on CSPLib files).  The footer counts the
instances each formulation brought to zero (CSPLib) and the median time to zero, and for
all instances how often the main formulation was better / equal / worse than the plain one.
``--scale 300 medium large --seeds 1 2`` generates those lines (a size name or a number of
cars) and runs each formulation as its own ``optikit solve`` command, as a user would:
status, checked objective with its high / colour / low terms, time to the first checked
sequence, the command's wall time and its peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
        values = [float(d["objective"]) for d in docs.values() if d.get("objective") is not None]
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
        wins[_verdict(main, plain)] += 1
    print()
    for f in formulations:
        if csplib:
            times = zero[f]
            median = statistics.median(times) if times else None
            print(f"{f:12} zero violations on {len(times)}/{csplib} CSPLib runs; "
                  f"median time to zero {_fmt(median, '.2f')} s")
    print(f"cpsat vs cpsat-plain: better {wins[0]}, equal {wins[1]}, worse {wins[2]} "
          f"(of {len(runs)} runs; limit {limit:g} s, {threads} threads)")


PROGRESS = re.compile(r"^\s*([\d.]+)s\s+objective\s+[\d,.]+")


def _command(args: list[str], log: Path) -> tuple[int, float, float]:
    """Run ``optikit ARGS`` as a child: (exit code, wall seconds, peak resident MB).

    The peak is this child's own (``wait4``), so runs in one benchmark do not mix.
    """
    exe = Path(sys.executable).parent / "optikit"
    started = time.monotonic()
    with log.open("w") as out:
        child = subprocess.Popen([str(exe), *args], stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, time.monotonic() - started, usage.ru_maxrss / 1024


def scale(sizes: list[str], seeds: tuple[int, ...], limit: float, threads: int,
          formulations: tuple[str, ...] = FORMULATIONS) -> None:
    """Generated lines, each formulation as its own ``optikit solve`` command.

    Per run: status, checked objective and its terms, time to the first checked sequence
    (the first progress line of ``-v``), the command's wall time (the limit covers the
    whole command) and its peak memory.
    """
    print(f"{'line':12} {'seed':>4} {'formulation':12} {'status':9} {'objective':>14} "
          f"{'high':>5} {'colour':>6} {'low':>5} {'first s':>7} {'wall s':>6} {'MB':>5}")
    wins = [0, 0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            for seed in seeds:
                problem = Path(tmp) / f"line-{size}-{seed}.yaml"
                _command(["generate", "car-sequencing", "--size", size, "--seed", str(seed),
                          "-o", str(problem)], Path(tmp) / "generate.log")
                values: dict[str, float | None] = {}
                for f in formulations:
                    solution, log = Path(tmp) / f"{f}.json", Path(tmp) / f"{f}.log"
                    solution.unlink(missing_ok=True)
                    _code, wall, peak = _command(
                        ["solve", str(problem), "--formulation", f, "--time-limit", str(limit),
                         "--threads", str(threads), "--seed", str(seed), "-v",
                         "-o", str(solution)], log)
                    doc = json.loads(solution.read_text()) if solution.exists() else {}
                    figures = (doc.get("check") or {}).get("figures", {})
                    first = next((float(m.group(1)) for line in log.read_text().splitlines()
                                  if (m := PROGRESS.match(line))), None)
                    values[f] = doc.get("objective")
                    print(f"{size:12} {seed:>4} {f:12} {doc.get('status', '-'):9} "
                          f"{_fmt(doc.get('objective'), ',.0f'):>14} "
                          f"{figures.get('high_priority_excess', '-'):>5} "
                          f"{figures.get('colour_changes', '-'):>6} "
                          f"{figures.get('low_priority_excess', '-'):>5} "
                          f"{_fmt(first, '.2f'):>7} {wall:>6.1f} {peak:>5.0f}", flush=True)
                if all(f in values for f in FORMULATIONS):
                    main, plain = (values[f] for f in FORMULATIONS)
                    wins[_verdict(main, plain)] += 1
    print(f"cpsat vs cpsat-plain: better {wins[0]}, equal {wins[1]}, worse {wins[2]} "
          f"(limit {limit:g} s, {threads} threads)")


def _verdict(main: float | None, plain: float | None) -> int:
    """0: the main formulation is better, 1: equal, 2: worse (no answer is worst)."""
    if main is None:
        return 1 if plain is None else 2
    if plain is None or main < plain - 1e-9:
        return 0
    return 1 if abs(main - plain) <= 1e-9 else 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", nargs="*", default=None)
    parser.add_argument("--generated", nargs="*", default=[])
    parser.add_argument("--set2-all", action="store_true",
                        help="all 70 set-2 instances from ../shared/instances/carseq")
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scale", nargs="*", default=None, metavar="SIZE",
                        help="generated lines (sizes or car counts; default: large), each "
                        "formulation as its own optikit command: wall time, peak memory")
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
    if args.scale is not None:
        scale(args.scale or ["large"], tuple(args.seeds), args.limit, args.threads,
              tuple(args.formulations))


if __name__ == "__main__":
    main()
