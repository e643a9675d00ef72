"""``fl`` on a ``large``-shaped instance of mid size, as it is and with the large
models' path (constructed plan, re-planned purchases, period windows, then the MILP).

    PYTHONPATH=$PWD:$PWD/plugins .venv/bin/python benchmarks/lot-sizing/mid_fl.py \
        --shape 6,6,3 --periods 26 --seed 1 --limit 60 [--as-large]
"""

from __future__ import annotations

import argparse
import os
import time

from optikit_lotsizing import heuristic
from optikit_lotsizing.generator import generate_structured

from optikit.plugins import get_registry
from optikit.problem_io import load_document
from optikit.runner import solve
from optikit.types import SolveOptions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="6,6,3")
    parser.add_argument("--periods", type=int, default=26)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--as-large", action="store_true",
                        help="every model counts as large (RELAX_AND_FIX_MAX_COLUMNS = 0)")
    args = parser.parse_args()
    if args.as_large:
        heuristic.RELAX_AND_FIX_MAX_COLUMNS = 0
    n_end, n_sub, n_raw = (int(v) for v in args.shape.split(","))
    document = generate_structured(args.seed, args.periods, n_end, n_sub, n_raw)
    registry = get_registry()
    load = os.getloadavg()[0]
    began = time.monotonic()
    result = solve(load_document(document, registry, source="mid_fl"), registry,
                   solver="highs", formulation="fl",
                   options=SolveOptions(time_limit=args.limit, threads=args.threads, seed=0))
    doc = result.document
    gap = doc.get("gap")
    print(f"{document['name']} fl{' as large' if args.as_large else ''}: {doc['status']}, "
          f"{doc.get('objective'):,.1f} / {doc.get('bound') or 0:,.1f}, gap "
          f"{'-' if gap is None else f'{100 * gap:.2f} %'}, checked {doc['check']['feasible']}, "
          f"{time.monotonic() - began:.1f} s; load {load:.1f}-{os.getloadavg()[0]:.1f}",
          flush=True)


if __name__ == "__main__":
    main()
