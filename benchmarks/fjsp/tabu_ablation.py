"""Tabu walk settings on Brandimarte instances, at equal CPU time or equal iterations.

Why CPU time: on the shared 2-core machine wall-clock figures move with the load, while
the CPU time a walk gets (``time.process_time``) does not; ``--iterations`` instead
gives a trajectory that is the same whatever the load.  Each run prints the best
makespan, the iterations done, and the iteration of the last new best, which shows
whether more iterations would help (a walk whose last improvement comes early has
stagnated).

    .venv/bin/python benchmarks/fjsp/tabu_ablation.py --cpu 10 --seeds 1 2 3 \\
        --instances mk06 mk10 --settings '{}' '{"restart_iterations": 8000}'

Each ``--settings`` entry is a JSON object of :class:`optikit_fjsp.tabu.TabuSearch`
attributes (``tenure_base``, ``restart_iterations``, ``perturbation``, ``elite_size``,
``single_path``; ``"compiled": true`` takes the numba walk of
:mod:`optikit_fjsp.tabu_fast`); with ``"relink": true`` it runs the elite pool with path relinking
(:class:`optikit_fjsp.relinking.RelinkSearch`) instead, the other keys being fields
of :class:`~optikit_fjsp.relinking.RelinkSettings`.  The start is the dispatching
heuristic with a fixed number of restarts (seed 0), so it does not depend on the load
either.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from optikit_fjsp import heuristic, relinking, tabu
from optikit_fjsp.model import FjspProblem, parse
from optikit_fjsp.reader import read_fjs
from optikit_fjsp.timetable import Solution

SET_DIR = Path(__file__).resolve().parents[1] / "instances" / "fjsp" / "brandimarte"
START_RESTARTS = 20


class _LastBest:
    """Stands in for the shared incumbent: notes the iteration of each new best."""

    def __init__(self, search: relinking.RelinkSearch, last: list[int]) -> None:
        self.search = search
        self.last = last
        self.value = float("inf")

    def offer(self, solution: Solution, value: float, source: str = "") -> bool:
        if value >= self.value:
            return False
        self.value = value
        self.last[0] = self.search.best_found_at
        return True

    def snapshot(self) -> tuple[Solution, float, int]:
        return self.search.best, float(self.search.best_cmax), 0


def walk(
    problem: FjspProblem,
    start: Solution,
    seed: int,
    settings: dict[str, object],
    args: argparse.Namespace,
) -> tuple[int, int, int, float]:
    """(best makespan, iterations, iteration of the last new best, CPU seconds)."""
    last = [0]
    began = time.process_time()
    stop = (lambda: time.process_time() - began > args.cpu) if args.cpu else None
    search: tabu.TabuSearch | relinking.RelinkSearch
    if settings.get("relink"):
        fields = {k: v for k, v in settings.items() if k != "relink"}
        search = relinking.RelinkSearch(
            problem.flat, start, random.Random(seed), relinking.RelinkSettings(**fields)  # type: ignore[arg-type]
        )
        search.run(
            time.monotonic() + 3600,
            max_iterations=args.iterations,
            stop=stop,
            incumbent=_LastBest(search, last),
        )
    else:
        fields = dict(settings)
        compiled = bool(fields.pop("compiled", False))
        search = tabu.new_walk(problem.flat, start, random.Random(seed), compiled=compiled)
        for key, value in fields.items():
            setattr(search, key, value)
        search.run(
            time.monotonic() + 3600,
            max_iterations=args.iterations,
            stop=stop,
            on_improve=lambda _sol, _cmax: last.__setitem__(0, search.iteration),
        )
    return search.best_cmax, search.iteration, last[0], time.process_time() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu", type=float, default=10.0, help="CPU seconds per walk (0: off)")
    parser.add_argument("--iterations", type=int, help="iterations per walk")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--instances", nargs="+", default=["mk06", "mk10"])
    parser.add_argument("--settings", nargs="+", default=["{}"])
    args = parser.parse_args()
    for name in args.instances:
        problem = parse(read_fjs(SET_DIR / f"{name}.fjs"))
        start = heuristic.construct(problem, budget=60.0, seed=0, max_restarts=START_RESTARTS)
        for raw in args.settings:
            runs = [walk(problem, start, seed, json.loads(raw), args) for seed in args.seeds]
            bests = [r[0] for r in runs]
            rate = sum(r[1] for r in runs) / max(1e-9, sum(r[3] for r in runs))
            print(
                f"{name} {raw:40s} best {bests} mean {statistics.mean(bests):.1f} "
                f"iterations {[r[1] for r in runs]} last new best at {[r[2] for r in runs]} "
                f"({rate:.0f} iterations per CPU second)",
                flush=True,
            )


if __name__ == "__main__":
    main()
