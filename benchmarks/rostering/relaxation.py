"""The column generation's relaxation alone, per pricer: rounds, time to converge, LP, bound.

    .venv/bin/python benchmarks/rostering/relaxation.py --instances Instance6 Instance7 \
        --seconds 24 --pricers labels cpsat

One line per (instance, pricer): the rounds, how long they took, the LP value and the
Lagrangian bound at the end, whether the LP converged (no row prices out), the calls each
pricer answered.  The relaxation stops early once the rounded bound meets the rounded LP.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def run(name: str, pricer: str, seconds: float, threads: int, seed: int,
        lp: str = "live") -> dict[str, Any]:
    from compare import _problem  # type: ignore[import-not-found]
    from optikit_rostering import colgen
    from optikit_rostering.model import parse
    from optikit_rostering.reader import read_roster

    from optikit.types import SolveContext, SolveOptions

    problem = _problem(name)
    roster = parse(read_roster(problem)) if isinstance(problem, Path) else parse(problem)
    ctx = SolveContext(SolveOptions(time_limit=seconds + 30, threads=threads, seed=seed,
                                    extra={"colgen_pricer": pricer, "colgen_lp": lp}))
    stats: dict[str, Any] = {}
    started = time.monotonic()
    out = colgen.generate(roster, ctx, ctx.elapsed() + seconds, stats)
    wall = time.monotonic() - started
    assert out is not None
    return {"instance": name, "pricer": pricer, "lp": lp, "rounds": out.rounds, "s": round(wall, 1),
            "rounds_per_s": round(out.rounds / max(wall, 1e-9), 2),
            "lp_value": None if out.lp_value is None else round(out.lp_value, 2),
            "bound": None if out.bound is None else round(out.bound, 2),
            "converged": out.converged, "columns": len(out.pool),
            "label_calls": stats.get("colgen_label_calls"),
            "cpsat_calls": stats.get("colgen_cpsat_calls"),
            "lp_s": stats.get("colgen_lp_s"), "pricing_s": stats.get("colgen_pricing_s")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", nargs="+", default=["Instance6", "Instance7"])
    parser.add_argument("--pricers", nargs="+", default=["labels", "cpsat"])
    parser.add_argument("--lps", nargs="+", default=["live"], choices=("live", "rebuild"),
                        help="the master LP kept alive across rounds, or rebuilt each round")
    parser.add_argument("--seconds", type=float, default=24.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for name in args.instances:
        for pricer in args.pricers:
            for lp in args.lps:
                print(run(name, pricer, args.seconds, args.threads, args.seed, lp), flush=True)


if __name__ == "__main__":
    main()
