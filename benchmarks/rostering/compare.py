"""cpsat against the cpsat-plain baseline in one run, and the 200-staff scale run.

    .venv/bin/python benchmarks/rostering/compare.py                     # Instance1..3 (repo)
    .venv/bin/python benchmarks/rostering/compare.py --shared            # + Instance4..7
    .venv/bin/python benchmarks/rostering/compare.py --instances Instance5 small-1 --limit 30
    .venv/bin/python benchmarks/rostering/compare.py --scale             # large-1, 25 s
    .venv/bin/python benchmarks/rostering/compare.py --shared --columns cpsat cpsat:lns=off \
        cpsat-plain                                  # + the whole-model solve alone

Each instance is solved by both formulations with the same limit (60 s) and threads (2);
the table shows the checked penalty, the status, the gap to the best-known value (the
published table for Instances 1-7) and the time the run first held its final value.  Every
answer has passed the independent checker (the core refuses otherwise).  The scale run
solves ``generate rostering --size large --seed 1`` in a child process and reports wall time
and peak resident memory (``getrusage`` of the child).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "benchmarks" / "instances" / "rostering"
SHARED = ROOT.parent.parent / "shared" / "instances" / "rostering"
BEST = {"Instance1": 607, "Instance2": 828, "Instance3": 1001, "Instance4": 1716,
        "Instance5": 1143, "Instance6": 1950, "Instance7": 1056}
FORMULATIONS = ("cpsat", "cpsat-plain")


def _column(spec: str) -> tuple[str, dict[str, Any]]:
    """``formulation[:key=value,...]`` -> the formulation and its ``--option`` values."""
    name, _, rest = spec.partition(":")
    options = dict(item.split("=", 1) for item in rest.split(",") if item)
    return name, options


def _problem(name: str) -> Any:
    for folder in (HERE, SHARED, Path("/work/shared/instances/rostering")):
        if (folder / f"{name}.roster").exists():
            return folder / f"{name}.roster"
    from optikit_rostering.generator import generate

    size, _, seed = name.partition("-")
    return generate(int(seed), size)


def _run(problem: Any, column: str, limit: float, threads: int) -> dict[str, Any]:
    import optikit

    events: list[tuple[float, float]] = []

    def seen(event: Any) -> None:
        if event.objective is not None:
            events.append((event.time_s, event.objective))

    formulation, options = _column(column)
    started = time.monotonic()
    solution = optikit.solve(problem, formulation=formulation, time_limit=limit,
                             threads=threads, seed=0, on_progress=seen, options=options)
    wall = time.monotonic() - started
    value = solution.objective
    first_best = next((t for t, v in events if value is not None and v <= value + 1e-9), wall)
    return {"status": str(solution.status), "objective": value, "bound": solution.bound,
            "wall": wall, "time_to_best": first_best, "checked": solution.check is not None
            and solution.check.ok}


def compare(names: list[str], limit: float, threads: int,
            columns: tuple[str, ...] = FORMULATIONS) -> None:
    print(f"{'instance':<11} {'best':>6}  " + "  ".join(
        f"{f:>19} {'gap':>6} {'t_best':>6}" for f in columns))
    for name in names:
        problem = _problem(name)
        best = BEST.get(name)
        cells = []
        for f in columns:
            r = _run(problem, f, limit, threads)
            value = r["objective"]
            gap = "-" if best is None or value is None else f"{(value - best) / best:.1%}"
            mark = "*" if r["status"] == "optimal" else " "
            shown = "-" if value is None else f"{value:,.0f}{mark}"
            cells.append(f"{shown:>19} {gap:>6} {r['time_to_best']:>6.1f}")
            if not r["checked"] and value is not None:
                cells[-1] += " UNCHECKED"
        print(f"{name:<11} {best or '-':>6}  " + "  ".join(cells), flush=True)
    print("* proven optimal; gap to the best-known value; t_best: seconds until the final value")


def scale(limit: float, threads: int) -> None:
    from optikit_rostering.generator import generate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large-1.json"
        path.write_text(json.dumps(generate(1, "large")))
        out = Path(tmp) / "solution.json"
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "optikit", "solve", str(path), "--time-limit",
                        str(limit), "--threads", str(threads), "-o", str(out), "--quiet"],
                       check=False)
        wall = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        doc = json.loads(out.read_text()) if out.exists() else {}
    print(f"large-1 (200 staff x 28 days x 3 shifts): status {doc.get('status')}, penalty "
          f"{doc.get('objective')}, wall {wall:.1f} s, peak RSS {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="*")
    parser.add_argument("--shared", action="store_true", help="add Instance4..7")
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scale", action="store_true", help="only the 200-staff run")
    parser.add_argument("--columns", nargs="*", default=list(FORMULATIONS),
                        help="formulation[:option=value,...] per column")
    args = parser.parse_args()
    if args.scale:
        scale(25.0 if args.limit == 60.0 else args.limit, args.threads)
        return
    names = args.instances or ["Instance1", "Instance2", "Instance3"]
    if args.shared and not args.instances:
        names += ["Instance4", "Instance5", "Instance6", "Instance7"]
    compare(names, args.limit, args.threads, tuple(args.columns))


if __name__ == "__main__":
    main()
