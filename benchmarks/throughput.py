"""Throughput of ``optikit bench``: ``--jobs 2`` against ``--jobs 1`` on a 20-run suite.

Every run uses one thread, so two concurrent runs should finish the suite in about half
the time.  The script writes a 20-run suite (or uses ``--suite``), runs it twice into
fresh ledgers, and prints runs per minute for both, measured two ways:

- ``end-to-end``: wall time of the whole ``optikit bench`` command (planning included);
- ``run phase``: from the first run's start to the last run's finish, from the ledger.

    .venv/bin/python benchmarks/throughput.py          # fixed work (see below)
    .venv/bin/python benchmarks/throughput.py --type fjsp --size large --time-limit 5

By default every run is a fixed amount of work: CP-SAT with one worker solves each of 20
generated energy-scheduling instances (size ``small``) to proven optimality, so a run
takes longer when it gets less CPU and the speed-up shows real parallelism.  (Runs that
stop at their time limit take the same wall time however busy the machine is, so they
would scale by construction; the second example measures that case.)  Timings need an
otherwise idle machine with at least two cores: the load average is printed with the
figures, and so is the CPU time used (``cores busy`` = CPU seconds / wall seconds; on an
idle machine about 1 for ``--jobs 1`` and 2 for ``--jobs 2``, less when other processes
take their share).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

TARGET = 1.8


def default_suite(time_limit: float, size: str, problem_type: str, solver: str) -> dict[str, Any]:
    return {
        "name": "throughput",
        "description": "20 one-thread runs of equal length, for the --jobs scaling check",
        "time_limit": time_limit,
        "threads": 1,
        "grace": 30,
        "sets": [{
            "name": "generated",
            "generate": {"type": problem_type, "size": size, "count": 20},
            "solvers": [solver],
        }],
    }


def run(suite: Path, db: Path, jobs: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "optikit.bench", "bench", str(suite), "--db", str(db),
           "--jobs", str(jobs), "--json", "-q"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU of the coordinator and every child it waited for.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"optikit bench failed ({proc.returncode}):\n{proc.stderr}")
    summary = json.loads(proc.stdout)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT started_at, finished_at, outcome, time_s, wall_s FROM runs "
        "WHERE outcome != 'skipped'"
    ).fetchall()
    conn.close()
    if not rows:
        raise SystemExit("no run was executed (is the plugin installed?)")
    starts = [dt.datetime.fromisoformat(r[0]) for r in rows]
    ends = [dt.datetime.fromisoformat(r[1]) for r in rows]
    span = (max(ends) - min(starts)).total_seconds()
    outcomes: dict[str, int] = {}
    for r in rows:
        outcomes[r[2]] = outcomes.get(r[2], 0) + 1
    return {
        "jobs": jobs,
        "runs": len(rows),
        "wall_s": wall,
        "span_s": span,
        "runs_per_min_wall": 60 * len(rows) / wall,
        "runs_per_min_span": 60 * len(rows) / span,
        "mean_child_wall_s": sum(r[4] for r in rows) / len(rows),
        "cpu_s": cpu,
        "cores_busy": cpu / wall,
        "cpu_s_per_run": cpu / len(rows),
        "outcomes": outcomes,
        "summary": summary,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", type=Path, help="use this suite instead of the default")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--type", default="energy-scheduling",
                        help="problem type of the default suite")
    parser.add_argument("--size", default="small", help="generator size of the default suite")
    parser.add_argument("--solver", default="cpsat")
    parser.add_argument("--keep", type=Path, help="keep suite and ledgers in this directory")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="optikit-throughput-"))
    workdir.mkdir(parents=True, exist_ok=True)
    suite = args.suite
    if suite is None:
        suite = workdir / "throughput.yaml"
        doc = default_suite(args.time_limit, args.size, args.type, args.solver)
        suite.write_text(yaml.safe_dump(doc, sort_keys=False))
    load_before = os.getloadavg()
    results = []
    for jobs in (1, 2):
        db = workdir / f"jobs{jobs}.sqlite"
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            path.unlink(missing_ok=True)
        results.append(run(suite, db, jobs))
    one, two = results
    ratio_wall = two["runs_per_min_wall"] / one["runs_per_min_wall"]
    ratio_span = two["runs_per_min_span"] / one["runs_per_min_span"]
    figures = {
        "suite": str(suite),
        "results": results,
        "speedup_end_to_end": ratio_wall,
        "speedup_run_phase": ratio_span,
        "target": TARGET,
        "meets_target": ratio_wall >= TARGET,
        "cores": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"suite: {suite}")
        print(f"cores: {figures['cores']}, load average before "
              f"{load_before[0]:.2f}, after {figures['load_average_after'][0]:.2f}")
        for r in results:
            print(
                f"--jobs {r['jobs']}: {r['runs']} runs, end-to-end {r['wall_s']:.1f} s "
                f"({r['runs_per_min_wall']:.1f} runs/min), run phase {r['span_s']:.1f} s "
                f"({r['runs_per_min_span']:.1f} runs/min), mean child wall "
                f"{r['mean_child_wall_s']:.2f} s, CPU {r['cpu_s']:.0f} s "
                f"({r['cpu_s_per_run']:.1f} s/run, {r['cores_busy']:.2f} cores busy), "
                f"outcomes {r['outcomes']}"
            )
        print(f"speed-up --jobs 2 / --jobs 1: end-to-end {ratio_wall:.2f}x, "
              f"run phase {ratio_span:.2f}x (target >= {TARGET}x: "
              f"{'met' if ratio_wall >= TARGET else 'NOT met'})")
        print(f"ledgers kept in {workdir}" if args.keep else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
