"""Energy-scheduling benchmark: the performance target of the energy issue, measured.

Three parts (each solve in its own process, so peak memory is the solve's own):

1. **scale**: the generated 25-job, 8-machine, two-day instance (about 120 operations,
   2,880 one-minute units), solved with ``cpsat`` for 60 s on 2 threads: time to the first
   checked schedule, final objective, bound and gap, peak memory (``ru_maxrss``).
2. **saving**: one-day 5-job instances (size ``small``): the energy-aware optimum against
   the same shop scheduled for makespan alone (CP-SAT, the solver's own baseline) and
   against the simple earliest-finish dispatching schedule.
3. **cp-sat vs milp**: the reference toy and small generated instances, on CP-SAT
   (automatic model choice and the interval model) and on the time-indexed MILP (HiGHS).

Usage::

    .venv/bin/python benchmarks/energy/run_benchmark.py            # everything (~12 min)
    .venv/bin/python benchmarks/energy/run_benchmark.py --part scale --time-limit 60
    .venv/bin/python benchmarks/energy/run_benchmark.py --out results.json

Times depend on the machine and its load; they are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOY = ROOT / "problems" / "energy-scheduling"


def solve_one(spec: dict[str, Any]) -> dict[str, Any]:
    """Runs in a child process: solve one instance, return the figures as a dict."""
    import resource

    from optikit_energy import heuristic, switching
    from optikit_energy.checker import check
    from optikit_energy.generator import generate

    from optikit.plugins import get_registry
    from optikit.problem_io import load_document, load_problem
    from optikit.runner import solve
    from optikit.types import SolveOptions

    registry = get_registry()
    if "file" in spec:
        loaded = load_problem(Path(spec["file"]), registry)
    else:
        document = generate(spec["seed"], spec["size"], calendars=spec.get("calendars"))
        loaded = load_document(document, registry, source=document["name"])
    out: dict[str, Any] = {"instance": loaded.name, "size": loaded.problem.size()}
    if spec.get("earliest"):
        # The simple energy-unaware plan: earliest-finish dispatching, machines left on.
        built = heuristic.construct(loaded.problem, "earliest", keep_on=True)
        if built is not None:
            payload, _ = switching.build_payload(loaded.problem, built.schedule, built.switch_on)
            report = check(loaded.problem, payload)
            out["earliest_finish"] = {"objective": report.objective,
                                      "cost": report.figures["cost"],
                                      "feasible": report.feasible}
    events: list[tuple[float, float]] = []
    options = SolveOptions(time_limit=spec["time_limit"], threads=spec.get("threads", 2),
                           seed=spec.get("seed_solver", 0), extra=spec.get("extra", {}))
    started = time.monotonic()
    result = solve(loaded, registry, solver=spec["solver"], options=options,
                   on_progress=lambda e: events.append((e.time_s, e.objective))
                   if e.objective is not None else None)
    wall = time.monotonic() - started
    doc = result.document
    stats = doc.get("stats", {})
    out.update(
        solver=spec["solver"], extra=spec.get("extra", {}), status=doc["status"],
        objective=doc["objective"], bound=doc["bound"], gap=doc["gap"], wall_s=round(wall, 2),
        checked=bool(doc.get("check", {}).get("feasible")),
        first_incumbent_s=round(events[0][0], 3) if events else None,
        first_incumbent=events[0][1] if events else None,
        energy=doc.get("solution", {}).get("energy"),
        saving=doc.get("analysis", {}).get("saving"),
        baseline=doc.get("analysis", {}).get("baseline"),
        model_kind=stats.get("model_kind"), model=stats.get("model"),
        lns=stats.get("lns"), source=stats.get("solution_source"),
        bound_source=stats.get("bound_source"), bucket_bound=stats.get("bucket_bound"),
        global_solve=stats.get("global"), heuristic_objective=stats.get("heuristic_objective"),
        shift_search=stats.get("shift_search"), timeline_s=stats.get("timeline_s"),
        side_milp=stats.get("side_milp"), model_build_s=stats.get("model_build_s"),
        hint=stats.get("hint"), guided=stats.get("guided"), guided_plan=stats.get("guided_plan"),
        peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    if spec.get("verify_first") and events:
        # The first incumbent is the constructive schedule: check it independently.
        built = heuristic.best_constructed(loaded.problem, budget_s=1.0)
        if built is not None:
            payload, _ = switching.build_payload(loaded.problem, built.schedule, built.switch_on)
            out["first_schedule_checked"] = check(loaded.problem, payload).feasible
    return out


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    if proc.returncode != 0:
        return {"spec": spec, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt(x: Any, digits: int = 2) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return str(x)


def part_scale(time_limit: float, seed: int) -> list[dict[str, Any]]:
    r = run_child({"size": "large", "seed": seed, "solver": "cpsat", "time_limit": time_limit,
                   "verify_first": True})
    print("\n## Scale: 25 jobs x 8 machines, two days at 1-minute units, cpsat, 2 threads\n")
    if "error" in r:
        print("failed:", r["error"])
        return [r]
    print(f"- instance {r['instance']}: {r['size']}")
    print(f"- first checked schedule after {fmt(r['first_incumbent_s'], 3)} s "
          f"(objective {fmt(r['first_incumbent'])}; independent check: "
          f"{r.get('first_schedule_checked')})")
    print(f"- final: status {r['status']}, objective {fmt(r['objective'])}, bound "
          f"{fmt(r['bound'])}, gap {fmt(100 * r['gap'] if r['gap'] is not None else None)}%, "
          f"checked {r['checked']}, wall {r['wall_s']} s (limit {time_limit} s)")
    print(f"- peak memory (ru_maxrss): {r['peak_rss_mib']} MiB")
    print(f"- model: {r['model_kind']} {r['model']}; LNS {r['lns']}; best from {r['source']}")
    if r.get("saving"):
        s = r["saving"]
        print(f"- vs makespan-only plan: cost {fmt(s['cost'])} less ({fmt(s['cost_pct'], 1)}%),"
              f" CO2 {fmt(s['co2_kg'], 1)} kg less ({fmt(s['co2_pct'], 1)}%)")
    return [r]


def part_saving(seeds: list[int], time_limit: float) -> list[dict[str, Any]]:
    print("\n## Saving on one-day 5-job instances (size 'small'), cpsat\n")
    print("| instance | status | optimised cost | makespan-only cost | saving | "
          "earliest-finish cost | earliest-finish costs more by |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    for seed in seeds:
        r = run_child({"size": "small", "seed": seed, "solver": "cpsat",
                       "time_limit": time_limit, "earliest": True})
        rows.append(r)
        if "error" in r:
            print(f"| small-{seed} | failed: {r['error']} |")
            continue
        cost = r["energy"]["cost"]
        base = r["baseline"]["energy"]["cost"] if r.get("baseline") else None
        ef = r.get("earliest_finish", {}).get("cost")
        print(f"| {r['instance']} | {r['status']} | {fmt(cost)} | {fmt(base)} | "
              f"{fmt(r['saving']['cost_pct'], 1) if r.get('saving') else '-'}% | {fmt(ef)} | "
              f"{fmt(100 * (ef / cost - 1), 1) if ef else '-'}% |")
    return rows


def part_compare(time_limit: float) -> list[dict[str, Any]]:
    print("\n## CP-SAT vs MILP (time-indexed, HiGHS) on small instances, 2 threads\n")
    print("| instance | solver (model) | status | objective | bound | time s |")
    print("|---|---|---|---|---|---|")
    instances: list[dict[str, Any]] = [
        {"file": str(TOY / "toy_full.yaml")},
        {"file": str(TOY / "toy_processing_only.yaml")},
        *({"size": "tiny", "seed": s} for s in range(3)),
        *({"size": "small", "seed": s} for s in range(2)),
    ]
    runs = [("cpsat", {}), ("cpsat", {"model": "interval"}), ("highs", {})]
    rows = []
    for inst in instances:
        for solver, extra in runs:
            r = run_child({**inst, "solver": solver, "time_limit": time_limit,
                           "extra": {**extra, "baseline": "false"}})
            rows.append(r)
            if "error" in r:
                print(f"| {inst} | {solver} | failed: {r['error']} |")
                continue
            label = solver + (f" ({r['model_kind']})" if solver == "cpsat" else " (milp)")
            print(f"| {r['instance']} | {label} | {r['status']} | {fmt(r['objective'], 4)} | "
                  f"{fmt(r['bound'], 4)} | {r['wall_s']} |")
    return rows


GAP_INSTANCES: list[dict[str, Any]] = [
    *({"size": "large", "seed": s} for s in (1, 2, 3)),
    *({"size": "medium", "seed": s} for s in (1, 2, 3)),
    {"file": str(TOY / "machining_cell_day.yaml")},
    {"file": str(TOY / "slow_fast_two_days.yaml")},
]


def instance_name(inst: dict[str, Any]) -> str:
    """The name a gaps row carries: the sample's file stem or ``energy-SIZE-SEED``."""
    if "file" in inst:
        return Path(inst["file"]).stem
    return f"energy-{inst['size']}-{inst['seed']}"


def part_gaps(time_limit: float, seeds: list[int], out_dir: Path | None,
              only: list[str] | None = None) -> list[dict[str, Any]]:
    """Issue #20's target: gap to the bound at 60 s, 2 threads, per instance and solver seed;
    which side gave the bound (``bound_source``) and where the schedule came from.
    ``only``: instance names to run (all when None)."""
    import os

    print(f"\n## Gaps at {time_limit:g} s, cpsat, 2 threads (load {os.getloadavg()[0]:.1f})\n")
    print("| instance | seed | objective | bound | bound from | gap | best from | LNS it/impr |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    instances = list(GAP_INSTANCES)
    for name in only or []:
        # Any generated instance by name (``energy-medium-4``): ones the solver never saw.
        size, _, seed = name.removeprefix("energy-").rpartition("-")
        if name not in map(instance_name, instances) and size and seed.isdigit():
            instances.append({"size": size, "seed": int(seed)})
    for inst in instances:
        if only and instance_name(inst) not in only:
            continue
        for seed in seeds:
            r = run_child({**inst, "solver": "cpsat", "time_limit": time_limit,
                           "seed_solver": seed})
            r["load_after"] = os.getloadavg()[0]
            rows.append(r)
            if "error" in r:
                print(f"| {inst} | {seed} | failed: {r['error']} |")
                continue
            lns = r.get("lns") or {}
            print(f"| {r['instance']} | {seed} | {fmt(r['objective'])} | {fmt(r['bound'])} | "
                  f"{r.get('bound_source') or '-'} | "
                  f"{fmt(100 * r['gap'] if r['gap'] is not None else None)}% | {r['source']} | "
                  f"{lns.get('iterations', '-')}/{lns.get('improvements', '-')} |")
            if out_dir is not None:
                out_dir.mkdir(parents=True, exist_ok=True)
                (out_dir / "gaps.json").write_text(json.dumps(rows, indent=1, default=str))
    return rows


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(solve_one(json.loads(sys.argv[2])), default=str))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=["all", "scale", "saving", "compare", "gaps"],
                    default="all")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                    help="solver seeds of the gaps part")
    ap.add_argument("--out-dir", type=Path, help="gaps part: write gaps.json here as it goes")
    ap.add_argument("--instances", nargs="+",
                    help="gaps part: only these instances (e.g. machining_cell_day "
                    "energy-large-1; any generated energy-SIZE-SEED)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="scale run limit (s)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the large instance")
    ap.add_argument("--small-limit", type=float, default=30.0, help="limit of small runs (s)")
    ap.add_argument("--out", type=Path, help="write all figures as JSON here")
    args = ap.parse_args()
    results: dict[str, Any] = {}
    if args.part in ("all", "scale"):
        results["scale"] = part_scale(args.time_limit, args.seed)
    if args.part in ("all", "saving"):
        results["saving"] = part_saving([0, 1, 2], args.small_limit)
    if args.part in ("all", "compare"):
        results["compare"] = part_compare(args.small_limit)
    if args.part == "gaps":
        results["gaps"] = part_gaps(args.time_limit, args.seeds, args.out_dir, args.instances)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
