"""Energy scheduling with shift calendars: ``cpsat`` beside the plain ``milp`` baseline.

Generated instances with ``--calendars`` presets (machining centres and presses on
shifts, one with a maintenance downtime, ovens round the clock, about 30 % of the
operations interruptible), each solved in its own process on 2 threads:

- ``small`` (one day, 30-minute units) with ``one-shift`` and ``medium`` (one day,
  10-minute units) with ``two-shifts``: ``cpsat`` and ``milp`` (the time-indexed MILP on
  HiGHS, the plain formulation), same time limit;
- ``large`` (two days, one-minute units, about 120 operations) with ``two-shifts``:
  ``cpsat`` only (the MILP refuses it as too large, as without calendars).

Every answer is verified by the independent checker (``checked``).  Usage::

    .venv/bin/python benchmarks/energy/calendars.py --seeds 1 2 3 --time-limit 20 \\
        --large-time-limit 60 --out benchmarks/energy/results/calendars.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_benchmark import fmt, run_child

CASES = [("small", "one-shift", ("cpsat", "highs")), ("medium", "two-shifts", ("cpsat", "highs")),
         ("large", "two-shifts", ("cpsat",))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--large-time-limit", type=float, default=60.0)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    print(f"{'instance':<28} {'solver':<6} {'status':<9} {'objective':>10} {'bound':>10} "
          f"{'gap %':>7} {'checked':>7} {'wall s':>7}  model / bound source")
    for size, preset, solvers in CASES:
        limit = args.large_time_limit if size == "large" else args.time_limit
        for seed in args.seeds:
            for solver in solvers:
                r = run_child({"size": size, "seed": seed, "calendars": preset,
                               "solver": solver, "time_limit": limit,
                               "extra": {"baseline": "false"}})
                rows.append(r)
                if "error" in r:
                    print(f"{size}-{seed}-{preset:<18} {solver:<6} error: {r['error']}")
                    continue
                gap = None if r["gap"] is None else 100 * r["gap"]
                print(f"{r['instance']:<28} {solver:<6} {r['status']:<9} "
                      f"{fmt(r['objective']):>10} {fmt(r['bound']):>10} {fmt(gap):>7} "
                      f"{r['checked']!s:>7} {fmt(r['wall_s'], 1):>7}  "
                      f"{r.get('model_kind') or '-'} / {r.get('bound_source') or '-'}",
                      flush=True)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
