"""Reproducible comparison of LNS settings on Brandimarte instances.

Wall-clock results on a shared machine move with the load, so this script budgets
*work* instead: every sub-solve is single-threaded and limited in CP-SAT deterministic
time, and a run stops after a total deterministic-time budget.  The same seed and
settings give the same trajectory whatever the load (only the wall time changes).  On
this project's 2-core machine a budget of about 5 corresponds to the LNS part of a
60 s run with 2 threads.

    .venv/bin/python benchmarks/fjsp/lns_ablation.py --budget 5 --seeds 0 1 \\
        --instances mk06 mk10 --settings '{}' '{"tie_break": 0}' '{"sub_dtime": 0.05}'

Each ``--settings`` entry is a JSON object of :class:`optikit_fjsp.lns.LnsSettings`
fields.  The start is the dispatching heuristic (seeded, fixed restart count).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from optikit_fjsp import heuristic, lns
from optikit_fjsp.model import parse
from optikit_fjsp.reader import read_fjs
from optikit_fjsp.timetable import makespan

from optikit.plugins import get_registry
from optikit.types import SolveContext, SolveOptions

SET_DIR = Path(__file__).resolve().parents[1] / "instances" / "fjsp" / "brandimarte"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=5.0, help="total CP-SAT dtime")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--instances", nargs="+", default=["mk06", "mk10"])
    parser.add_argument("--settings", nargs="+", default=["{}"])
    args = parser.parse_args()
    backend = get_registry().backends["cpsat"]
    bks = {
        k: v["ub"]
        for k, v in json.loads((SET_DIR / "bounds.json").read_text())["instances"].items()
    }
    for raw in args.settings:
        fields = {
            "sub_time": 60.0,
            **json.loads(raw),
            "dtime_budget": args.budget,
            "parallel": 1,
            "workers": 1,
        }
        settings = lns.LnsSettings(**fields)
        gaps = []
        for name in args.instances:
            problem = parse(read_fjs(SET_DIR / f"{name}.fjs"))
            values, iterations, started = [], [], time.monotonic()
            for seed in args.seeds:
                start = heuristic.construct(problem, budget=60.0, seed=seed, max_restarts=200)
                ctx = SolveContext(SolveOptions(time_limit=None, threads=1, seed=seed))
                state = lns.improve(
                    problem,
                    backend,
                    ctx,
                    start,
                    horizon=makespan(problem.flat, start),
                    settings=settings,
                )
                values.append(state.best_value)
                iterations.append(state.iterations)
                gaps.append((state.best_value - bks[name]) / bks[name] * 100)
            wall = (time.monotonic() - started) / len(args.seeds)
            print(
                f"{raw:40s} {name}: {values} mean {statistics.mean(values):.1f} "
                f"iterations {iterations} ({wall:.0f} s/run)",
                flush=True,
            )
        print(f"{raw:40s} mean gap {statistics.mean(gaps):.2f}%", flush=True)


if __name__ == "__main__":
    main()
