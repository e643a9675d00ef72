"""Re-planning after a breakdown: from scratch against ``optikit replan``'s stable re-plan.

For each instance: solve it (``cpsat``, ``--solve-limit`` seconds) to get the plan in
force; at ``now`` = 30 % of its makespan, the busiest machine with an operation running
at ``now`` breaks down for 15 % of the makespan.  Then the same events are re-planned
with each stability mode, same time limit and threads:

- ``none``: re-planning from scratch (frozen operations and the breakdown respected, no
  stability term): what a planner gets by re-running the solver;
- ``lexicographic`` (optikit's default): the best objective first, then the fewest,
  smallest moves at that objective;
- ``weighted`` (optional, ``--modes``): objective + 1 per time unit moved + 10 per
  machine change.

Every new plan is checked by the runner (fjsp checker on the amended problem plus the
re-planning check) and re-checked here with ``optikit check`` semantics against the
amended problem.  Figures: objective, operations moved (start or machine changed),
total start shift, machine changes, jobs finishing later; ``repair`` is the right-shift
repair of the old plan (the answer of last resort).

    .venv/bin/python benchmarks/fjsp/replan.py                        # ~4 min on 2 cores
    .venv/bin/python benchmarks/fjsp/replan.py --instances mk01 --time-limit 5
    .venv/bin/python benchmarks/fjsp/replan.py --seeds 1 2 3 --modes none lexicographic weighted

Measured 2026-12-03 (``--seeds 0 1 2``, 10 s solve + 10 s per re-plan, 2 threads, on a
shared 2-core machine at load ~13; means over the seeds, none -> lexicographic): mk01
objective 42.3 both, moved 26.0 -> 7.3, machine changes 6.3 -> 1.3; mk03 245 both, moved
96.7 -> 56.0, changes 43.7 -> 9.3; mk05 181.7 -> 181.3, moved 70.7 -> 67.7, changes
14.3 -> 10.3; mk08 605.3 both, moved 117.7 -> 88.0, changes 13.3 -> 3.7; generated
small 519 both (nothing to gain); generated medium (weighted tardiness) 4668 -> 4947
(stage 1 has less time), moved 133 -> 131, changes 35 -> 23.  All 36 plans re-checked.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SET_DIR = ROOT / "benchmarks" / "instances" / "fjsp" / "brandimarte"
DEFAULT_INSTANCES = ("mk01", "mk03", "mk05", "mk08", "gen:small:1", "gen:medium:1")


def load_instance(name: str) -> tuple[str, Any]:
    """A Brandimarte file name (``mk01``) or ``gen:SIZE:SEED`` (fjsp generator)."""
    if name.startswith("gen:"):
        from optikit.plugins import get_registry

        _, size, seed = name.split(":")
        generate = get_registry().problem_types["fjsp"].generate
        assert generate is not None
        return name, generate(int(seed), size)
    return name, str(SET_DIR / f"{name}.fjs")


def breakdown(document: dict[str, Any]) -> dict[str, Any]:
    """The events: the busiest machine running something at 30 % of the makespan breaks."""
    ops = document["solution"]["operations"]
    makespan = max(o["end"] for o in ops)
    now = round(0.3 * makespan)
    load: dict[str, int] = {}
    for o in ops:
        if o["end"] > now:
            load[o["machine"]] = load.get(o["machine"], 0) + o["end"] - max(o["start"], now)
    running = {o["machine"] for o in ops if o["start"] < now < o["end"]}
    machine = max(running or load, key=lambda m: load.get(m, 0))
    return {"now": now, "events": [{"type": "machine_down", "machine": machine, "start": now,
                                    "end": now + max(1, round(0.15 * makespan)),
                                    "note": "breakdown"}]}


def run_one(name: str, args: argparse.Namespace, seed: int) -> list[dict[str, Any]]:
    from optikit import api
    from optikit.replan import problem_document

    label, problem = load_instance(name)
    old = api.solve(problem, time_limit=args.solve_limit, threads=args.threads, seed=seed)
    assert old.solution is not None, f"{label}: no plan to re-plan"
    events = breakdown(old.document)
    rows = []
    for mode in args.modes:
        ev = {**events, "stability": {"mode": mode}}
        new = api.replan(problem, old.document, ev, time_limit=args.time_limit,
                         threads=args.threads, seed=seed)
        doc = api.finish_replan(new).document
        amended = problem_document(new.problem)
        recheck = api.check(amended, doc) if amended is not None and new.solution else None
        fig = doc.get("replan", {})
        rows.append({
            "instance": label, "seed": seed, "mode": mode, "status": doc["status"],
            "old": old.objective, "new": doc.get("objective"), "bound": doc.get("bound"),
            "repair": (doc.get("stats") or {}).get("repair_objective"),
            "moved": fig.get("operations_moved"), "compared": fig.get("operations_compared"),
            "shift": fig.get("total_shift"), "machine_changes": fig.get("machine_changes"),
            "later": len(fig.get("jobs_later", [])), "interrupted": len(fig.get("interrupted", [])),
            "checked": bool(doc.get("check", {}).get("feasible")) and bool(recheck and recheck.ok),
            "machine": events["events"][0]["machine"], "now": events["now"],
            "down": [events["events"][0]["start"], events["events"][0]["end"]],
            "time_s": doc.get("time_s"),
        })
        print(_line(rows[-1]), flush=True)
    return rows


def _line(r: dict[str, Any]) -> str:
    def num(v: Any) -> str:
        return "-" if v is None else f"{v:g}" if isinstance(v, float) else str(v)

    return (f"| {r['instance']} | {r['seed']} | {r['mode']} | {num(r['old'])} | "
            f"{num(r['repair'])} | {num(r['new'])} | {num(r['bound'])} | {r['status']} | "
            f"{num(r['moved'])}/{num(r['compared'])} | {num(r['shift'])} | "
            f"{num(r['machine_changes'])} | {r['later']} | "
            f"{'yes' if r['checked'] else 'NO'} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", nargs="+", default=list(DEFAULT_INSTANCES))
    parser.add_argument("--modes", nargs="+", default=["none", "lexicographic"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--solve-limit", type=float, default=10.0)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    args = parser.parse_args(argv)
    print("| instance | seed | mode | old obj | repair | new obj | bound | status | moved | "
          "total shift | machine changes | jobs later | checked |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows: list[dict[str, Any]] = []
    for seed in args.seeds:
        for name in args.instances:
            rows.extend(run_one(name, args, seed))
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0 if all(r["checked"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
