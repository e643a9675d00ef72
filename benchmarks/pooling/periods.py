"""Pooling over several periods: pq (with optikit's multi-period start) beside p-plain.

Generated ``medium:3`` and ``large:3`` documents (seeds 1 2 3) at 20 s and 60 s, both
formulations on SCIP in the same run, one thread each, through optikit's runner and the
independent checker; plus ``gasoline_3weeks`` (benchmarks/instances/pooling) and the
``refinery_3periods`` sample at 60 s.  ``--mccormick`` adds the piecewise McCormick MILP
(HiGHS, adaptive refinement) as a third column.

    nice -n 10 .venv/bin/python benchmarks/pooling/periods.py                 # everything
    .venv/bin/python benchmarks/pooling/periods.py --sizes medium:3 --limits 20
    .venv/bin/python benchmarks/pooling/periods.py --sizes medium:3 --limits 60 --mccormick
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from literature import INSTANCES, ROOT, run

SAMPLE = ROOT / "plugins" / "optikit_pooling" / "samples" / "refinery_3periods.yaml"
#: Documents run at the longest limit only.
SAMPLES = ("gasoline_3weeks", "refinery_3periods")


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.7g}"


def _cell(doc: dict[str, Any]) -> str:
    if doc.get("objective") is None:
        return f"no solution / bound {_f(doc.get('bound'))}"
    gap = doc.get("gap")
    return (f"{_f(doc['objective'])} / {_f(doc.get('bound'))} / "
            f"{'-' if gap is None else f'{100 * gap:.2f} %'} / {doc['status']}")


def main() -> None:
    from optikit_pooling.generator import generate

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="*", default=["medium:3", "large:3"])
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 2, 3])
    parser.add_argument("--limits", nargs="*", type=float, default=[20.0, 60.0])
    parser.add_argument("--no-sample", action="store_true")
    parser.add_argument("--mccormick", action="store_true",
                        help="add the piecewise McCormick MILP on HiGHS (no SCIP) as a column")
    args = parser.parse_args()
    cases = [(f"{size} seed {seed}", generate(seed, size))
             for size in args.sizes for seed in args.seeds]
    if not args.no_sample:
        for path in (INSTANCES / "gasoline_3weeks.yaml", SAMPLE):
            cases.append((path.stem, yaml.safe_load(path.read_text())))
    print("| instance | limit s | pq objective / bound / gap / status | heuristic start "
          "| p-plain objective / bound / gap / status |"
          + (" mccormick (HiGHS) objective / bound / gap / status / s |" if args.mccormick
             else ""))
    print("|---|---|---|---|---|" + ("---|" if args.mccormick else ""))
    for name, document in cases:
        for limit in args.limits:
            if name in SAMPLES and limit != max(args.limits):
                continue
            pq = run(document, "scip", "pq", limit)
            plain = run(document, "scip", "p-plain", limit)
            start = pq.get("stats", {}).get("heuristic_profit")
            extra = ""
            if args.mccormick:
                mcc = run(document, "highs", "mccormick", limit)
                extra = f" {_cell(mcc)} / {mcc['time_s']:.1f} |"
            print(f"| {name} | {limit:g} | {_cell(pq)} | {_f(start)} | {_cell(plain)} |{extra}",
                  flush=True)


if __name__ == "__main__":
    main()
