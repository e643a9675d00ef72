"""cpsat against the cpsat-plain baseline in one run, and the 200-staff scale run.

    .venv/bin/python benchmarks/rostering/compare.py                     # Instance1..3 (repo)
    .venv/bin/python benchmarks/rostering/compare.py --shared            # + Instance4..7
    .venv/bin/python benchmarks/rostering/compare.py --large             # Instance8..12 present
    .venv/bin/python benchmarks/rostering/compare.py --instances Instance5 small-1 --limit 30
    .venv/bin/python benchmarks/rostering/compare.py --scale             # large-1, 25 s
    .venv/bin/python benchmarks/rostering/compare.py --shared --columns cpsat cpsat:lns=off \
        cpsat-plain                                  # + the whole-model solve alone

Each instance is solved by both formulations with the same limit (60 s) and threads (2);
the table shows the checked penalty, the status, the gap to the best-known value (the
published tables for Instances 1-12) and the time the run first held its final value.  Every
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
#: Best-known penalties: the best of the "60-minute runtime" table of ORProjects/NRP
#: (ComputationalResults/README.md; Curtois & Qu 2014, Rahimian et al. 2017 and that study);
#: Instance8's 1,308 is Curtois & Qu's branch and price.
BEST = {"Instance1": 607, "Instance2": 828, "Instance3": 1001, "Instance4": 1716,
        "Instance5": 1143, "Instance6": 1950, "Instance7": 1056, "Instance8": 1308,
        "Instance9": 439, "Instance10": 4631, "Instance11": 3443, "Instance12": 4040}
LARGE = ("Instance8", "Instance9", "Instance10", "Instance11", "Instance12")
FORMULATIONS = ("cpsat", "cpsat-plain")


def _column(spec: str) -> tuple[str, dict[str, Any]]:
    """``formulation[:key=value,...]`` -> the formulation and its ``--option`` values."""
    name, _, rest = spec.partition(":")
    options = dict(item.split("=", 1) for item in rest.split(",") if item)
    return name, options


def _present(name: str) -> Path | None:
    """The first copy of a benchmark file: the repository's, then the shared set's."""
    for folder in (HERE, SHARED, Path("/work/shared/instances/rostering")):
        if (folder / f"{name}.roster").exists():
            return folder / f"{name}.roster"
    return None


def _problem(name: str) -> Any:
    if (path := _present(name)) is not None:
        return path
    if name in BEST:
        raise SystemExit(f"{name}.roster is in none of {HERE}, {SHARED}: copy the benchmark "
                         "file there")
    from optikit_rostering.generator import generate

    size, _, seed = name.partition("-")
    return generate(int(seed), size)


def _run(problem: Any, column: str, limit: float, threads: int, seed: int = 0) -> dict[str, Any]:
    import optikit

    events: list[tuple[float, float]] = []

    def seen(event: Any) -> None:
        if event.objective is not None:
            events.append((event.time_s, event.objective))

    formulation, options = _column(column)
    started = time.monotonic()
    solution = optikit.solve(problem, formulation=formulation, time_limit=limit,
                             threads=threads, seed=seed, on_progress=seen, options=options)
    wall = time.monotonic() - started
    value = solution.objective
    first_best = next((t for t, v in events if value is not None and v <= value + 1e-9), wall)
    return {"status": str(solution.status), "objective": value, "bound": solution.bound,
            "wall": wall, "time_to_best": first_best, "checked": solution.check is not None
            and solution.check.ok, "stats": solution.document.get("stats") or {}}


#: The formulation's stats shown by ``--stats``: where the time of a ``cpsat`` run went.
TRACED = ("colgen_s", "colgen_rounds", "colgen_converged", "colgen_lp", "colgen_bound",
          "colgen_lp_s", "colgen_step", "colgen_dives", "colgen_dive", "colgen_dives_found",
          "colgen_dive_fixed", "colgen_dive_steps", "colgen_dive_s",
          "colgen_mip", "colgen_rounded", "colgen_fixed", "colgen_fixed_s", "colgen_repair",
          "colgen_retries", "colgen_repair_s", "bp_nodes", "bp_rounds", "bp_pricing_s",
          "bp_completions", "bp_best", "bp_proved", "bp_s",
          "first_solve", "first_solve_s", "lns_steps",
          "lns_improvements", "whole_restarts")


def phases(run: dict[str, Any]) -> str:
    """One run's value, when it was first held and its search phases (``--stats``)."""
    shown = " ".join(f"{k}={run['stats'][k]}" for k in TRACED if k in run["stats"])
    value = "-" if run["objective"] is None else f"{run['objective']:.0f}"
    return f"{value} at {run['time_to_best']:.1f}s" + (f" ({shown})" if shown else "")


def compare(names: list[str], limit: float, threads: int,
            columns: tuple[str, ...] = FORMULATIONS, seeds: tuple[int, ...] = (0,),
            traced: bool = False) -> None:
    """One row per instance; with several seeds each column shows the mean and the range,
    and ``wins`` counts the seeds on which the first column is at least as good as each
    other (seed by seed, the same seed for every column).  ``traced``: one line per run
    with its phases (:func:`phases`)."""
    many = len(seeds) > 1
    width = 27 if many else 19
    print(f"{'instance':<11} {'best':>6}  " + "  ".join(
        f"{f:>{width}} {'gap':>6} {'t_best':>6}" for f in columns)
        + ("  first>=other" if many else ""))
    for name in names:
        problem = _problem(name)
        best = BEST.get(name)
        cells, values = [], []
        for f in columns:
            runs = [_run(problem, f, limit, threads, seed) for seed in seeds]
            found = [r["objective"] for r in runs if r["objective"] is not None]
            values.append([r["objective"] for r in runs])
            if traced:
                for seed, r in zip(seeds, runs, strict=True):
                    print(f"  {name} {f} seed {seed}: {phases(r)}", flush=True)
            if many:
                print(f"  {name} {f}: " + " ".join(
                    "-" if r["objective"] is None else f"{r['objective']:.0f}" for r in runs),
                    flush=True)
            mean = sum(found) / len(found) if len(found) == len(runs) else None
            gap = "-" if best is None or mean is None else f"{(mean - best) / best:.1%}"
            mark = "*" if all(r["status"] == "optimal" for r in runs) else " "
            shown = "-" if mean is None else f"{mean:,.0f}{mark}"
            if many and mean is not None:
                shown += f" [{min(found):,.0f}-{max(found):,.0f}]"
            t_best = sum(r["time_to_best"] for r in runs) / len(runs)
            cells.append(f"{shown:>{width}} {gap:>6} {t_best:>6.1f}")
            if any(not r["checked"] and r["objective"] is not None for r in runs):
                cells[-1] += " UNCHECKED"
        wins = ""
        if many:
            wins = "  " + " ".join(f"{_wins(values[0], other)}/{len(seeds)}"
                                   for other in values[1:])
        print(f"{name:<11} {best or '-':>6}  " + "  ".join(cells) + wins, flush=True)
    print("* proven optimal; gap to the best-known value; t_best: seconds until the final value"
          + ("; values are means over the seeds [min-max]" if many else ""))


def _wins(first: list[float | None], other: list[float | None]) -> int:
    """Seeds on which ``first`` found a roster at least as good as ``other``'s."""
    return sum(a is not None and (b is None or a <= b + 1e-9)
               for a, b in zip(first, other, strict=True))


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
    parser.add_argument("--large", action="store_true",
                        help="Instance8..12 (the repository's copies, else ../shared; missing "
                        "ones are skipped)")
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scale", action="store_true", help="only the 200-staff run")
    parser.add_argument("--seeds", type=int, nargs="*", default=[0],
                        help="solver seeds; several give the mean and range per column")
    parser.add_argument("--columns", nargs="*", default=list(FORMULATIONS),
                        help="formulation[:option=value,...] per column")
    parser.add_argument("--stats", action="store_true",
                        help="one line per run: value, time to it, the search phases")
    args = parser.parse_args()
    if args.scale:
        scale(25.0 if args.limit == 60.0 else args.limit, args.threads)
        return
    names = args.instances or ([] if args.large else ["Instance1", "Instance2", "Instance3"])
    if args.shared and not args.instances:
        names += ["Instance4", "Instance5", "Instance6", "Instance7"]
    if args.large and not args.instances:
        missing = [name for name in LARGE if not _present(name)]
        if missing:
            print(f"not on this machine (skipped): {' '.join(missing)}", flush=True)
        names += [name for name in LARGE if name not in missing]
    compare(names, args.limit, args.threads, tuple(args.columns), tuple(args.seeds),
            args.stats)


if __name__ == "__main__":
    main()
