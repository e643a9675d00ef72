"""Re-planning benchmark for ``energy-scheduling`` and ``maintenance`` (``fjsp`` on request).

For each generated instance: solve it (``cpsat``, ``--solve-limit`` seconds) to get the
plan in force, then disrupt it two ways at ``now`` = 30 % of the plan's last end:

- ``breakdown``: the busiest machine with work running at ``now`` (else the busiest one
  left) is down from ``now`` for 15 % of that span (cut at the horizon);
- ``rush``: a copy of the job with the least work arrives as job ``RUSH``, released at
  ``now`` (a due date, if the job had one, as far after ``now`` as it was after its
  release).

The old plans are stored in ``--plans`` (default ``benchmarks/replan/plans``) on the
first run and reused after, so that runs (and code versions) compare on the same plans.

Each disruption is re-planned three ways, same time limit and threads:

- ``repair``: the right-shift repair of the old plan alone (the re-plan stopped before
  CP-SAT starts; what a planner does by hand, and the answer of last resort; ``fjsp``,
  on request, still runs its model for an instant and may answer with what it found);
- ``none``: CP-SAT from scratch (started work frozen, the events respected, no
  stability term): what a planner gets by re-running the solver;
- ``lexicographic`` (optikit's default): the best objective first, then the fewest,
  smallest moves at that objective.

Figures per re-plan: the old plan's objective, the repaired plan's (``repair``, from the
run's stats), the new plan's objective and bound, status, time, operations moved (start
or machine changed) of those in both plans, total start shift, machine changes, and the
checker's verdict: the runner's check (the type's checker on the amended problem plus
the re-planning rules) and ``optikit check`` of the new plan against the amended problem.

    .venv/bin/python benchmarks/replan/run.py                     # ~8 min on 2 cores
    .venv/bin/python benchmarks/replan/run.py --types maintenance --sizes small --seeds 1
    .venv/bin/python benchmarks/replan/run.py --json bench-results/replan.json

Times depend on the machine and its load; they are reported, never asserted.  The exit
code is 1 when any reported plan failed a check.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import threading
from pathlib import Path
from typing import Any

DEFAULT_TYPES = ("energy-scheduling", "maintenance")
PLANS = Path(__file__).resolve().parent / "plans"
SCENARIOS = ("breakdown", "rush")
MODES = ("repair", "none", "lexicographic")


def generated(ptype: str, size: str, seed: int) -> dict[str, Any]:
    from optikit.plugins import get_registry

    generate = get_registry().problem_types[ptype].generate
    assert generate is not None, f"{ptype} has no generator"
    return generate(seed, size)


def _span(ops: list[dict[str, Any]]) -> tuple[int, int]:
    """``now`` (30 % of the plan's last end) and that last end."""
    last = max(int(o["end"]) for o in ops)
    return max(1, round(0.3 * last)), last


def breakdown(problem: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """The busiest machine running something at ``now`` breaks down for 15 % of the span."""
    ops = plan["solution"]["operations"]
    now, last = _span(ops)
    load: dict[str, int] = {}
    for o in ops:
        if o["end"] > now:
            load[o["machine"]] = load.get(o["machine"], 0) + o["end"] - max(o["start"], now)
    running = {o["machine"] for o in ops if o["start"] < now < o["end"]}
    machine = max(sorted(running or load), key=lambda m: load.get(m, 0))
    end = now + max(1, round(0.15 * last))
    if "horizon" in problem:
        end = min(end, int(problem["horizon"]))
    return {"now": now, "events": [{"type": "machine_down", "machine": machine, "start": now,
                                    "end": max(end, now + 1), "note": "breakdown"}]}


def rush(problem: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """A copy of the job with the least work, released at ``now``."""
    now, _last = _span(plan["solution"]["operations"])

    def work(job: dict[str, Any]) -> int:
        return sum(min(int(m["duration"]) for m in op["modes"]) for op in job["operations"])

    source = min(problem["jobs"], key=work)
    job = copy.deepcopy(source)
    job["id"] = "RUSH"
    if "due" in job:
        job["due"] = now + max(work(source), int(job["due"]) - int(job.get("release", 0)))
    job["release"] = now
    return {"now": now, "events": [{"type": "rush_order", "job": job, "note": "rush order"}]}


def replan_row(problem: dict[str, Any], old: dict[str, Any], events: dict[str, Any], mode: str,
               args: argparse.Namespace, seed: int) -> dict[str, Any]:
    from optikit import api
    from optikit.replan import problem_document

    stop = threading.Event()
    if mode == "repair":
        stop.set()  # stopped before CP-SAT: the repaired old plan is the answer
    ev = {**events, "stability": {"mode": "none" if mode == "repair" else mode}}
    new = api.replan(copy.deepcopy(problem), old, ev, time_limit=args.time_limit,
                     threads=args.threads, seed=seed, stop=stop)
    doc = new.document
    amended = problem_document(new.problem)
    recheck = api.check(amended, doc) if amended is not None and new.solution else None
    fig = doc.get("replan", {})
    return {
        "status": doc["status"], "new": doc.get("objective"), "bound": doc.get("bound"),
        "repair": (doc.get("stats") or {}).get("repair_objective"),
        "answer": (doc.get("stats") or {}).get("answer", "model"),
        "bound_source": (doc.get("stats") or {}).get("bound_source"),
        "time_indexed": (doc.get("stats") or {}).get("time_indexed"),
        "moved": fig.get("operations_moved"), "compared": fig.get("operations_compared"),
        "shift": fig.get("total_shift"), "machine_changes": fig.get("machine_changes"),
        "tasks_moved": len(fig.get("tasks_moved", [])) if "tasks_moved" in fig else None,
        "later": len(fig.get("jobs_later", [])),
        "checked": bool(doc.get("check", {}).get("feasible")) and bool(recheck and recheck.ok),
        "time_s": doc.get("time_s"), "message": doc.get("message", ""),
    }


def run_instance(ptype: str, size: str, seed: int, args: argparse.Namespace
                 ) -> list[dict[str, Any]]:
    from optikit import api

    problem = generated(ptype, size, seed)
    name = f"{size}-{seed}"
    stored = None if args.plans is None else args.plans / f"{ptype}-{name}.json"
    if stored is not None and stored.exists():
        old = json.loads(stored.read_text())
    else:
        old = api.solve(copy.deepcopy(problem), time_limit=args.solve_limit,
                        threads=args.threads, seed=seed).document
        if stored is not None and "solution" in old:
            stored.parent.mkdir(parents=True, exist_ok=True)
            stored.write_text(json.dumps(old, indent=1))
    if "solution" not in old:
        print(f"| {ptype} | {name} | - | - | no plan to re-plan ({old['status']}) |",
              flush=True)
        return []
    rows = []
    for scenario in args.scenarios:
        events = (breakdown if scenario == "breakdown" else rush)(problem, old)
        for mode in args.modes:
            row = {"type": ptype, "instance": name, "scenario": scenario, "mode": mode,
                   "seed": seed, "old": old["objective"], "old_status": old["status"],
                   "now": events["now"], "events": events["events"],
                   **replan_row(problem, old, events, mode, args, seed)}
            rows.append(row)
            print(line(row), flush=True)
    return rows


def num(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _time(r: dict[str, Any]) -> str:
    return "-" if r["time_s"] is None else f"{r['time_s']:.1f}"


# (header, cell) of the printed table, one row per re-plan
COLUMNS: list[tuple[str, Any]] = [
    ("type", lambda r: r["type"]), ("instance", lambda r: r["instance"]),
    ("event", lambda r: r["scenario"]), ("mode", lambda r: r["mode"]),
    ("old obj", lambda r: num(r["old"])), ("repair obj", lambda r: num(r["repair"])),
    ("new obj", lambda r: num(r["new"])), ("bound", lambda r: num(r["bound"])),
    ("status", lambda r: r["status"]), ("time s", _time),
    ("ops moved", lambda r: f"{num(r['moved'])}/{num(r['compared'])}"),
    ("total shift", lambda r: num(r["shift"])),
    ("machine changes", lambda r: num(r["machine_changes"])),
    ("tasks moved", lambda r: num(r["tasks_moved"])),
    ("checked", lambda r: "yes" if r["checked"] else "NO"),
]


def line(r: dict[str, Any]) -> str:
    return "| " + " | ".join(str(cell(r)) for _name, cell in COLUMNS) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--types", nargs="+", default=list(DEFAULT_TYPES))
    parser.add_argument("--sizes", nargs="+", default=["small", "medium"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--solve-limit", type=float, default=10.0)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--plans", type=Path, default=PLANS,
                        help="old plans by instance: reused when there, else solved and "
                             "stored (so that runs compare on the same plans)")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    args = parser.parse_args(argv)
    print("| " + " | ".join(name for name, _cell in COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    rows: list[dict[str, Any]] = []
    for ptype in args.types:
        for size in args.sizes:
            for seed in args.seeds:
                rows.extend(run_instance(ptype, size, seed, args))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1))
    solved = [r for r in rows if r["status"] in ("optimal", "feasible")]
    return 0 if all(r["checked"] for r in solved) else 1


if __name__ == "__main__":
    sys.exit(main())
