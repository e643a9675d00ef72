"""optikit vs. a hand-written PuLP model on a large blend LP, end to end.

The target (issue: blend performance): ``optikit solve`` on a 20,000-material,
13-component blend -- read, validate, build, solve, check, write -- takes at most half the
time of the same LP written by hand in plain PuLP and solved with ``pulp.HiGHS``.

optikit always runs through its real command line in a fresh subprocess
(``optikit solve FILE --solver highs --threads 1 -q -o OUT``), so interpreter start-up,
plugin loading, schema validation, the checker and writing the document all count.
PuLP is timed twice:

- as a script in a fresh subprocess (``python vs_pulp.py --pulp-only FILE``: start-up,
  ``import pulp``, read the JSON, build, solve, read the values) -- end to end against
  end to end, the comparison a user makes;
- in this warm process (``pulp`` and ``highspy`` already imported): only read, build,
  solve.  This is the strict figure, deliberately in PuLP's favour, and the one the exit
  status judges (0: ratio <= 0.5; 2: target missed; 1: objectives disagree).

Both sides use one thread; the PuLP model is the fast idiom (``LpAffineExpression`` from
(variable, coefficient) pairs).  ``--profile`` adds optikit's stage breakdown, in-process.

    .venv/bin/python benchmarks/blend/vs_pulp.py                 # 20,000 materials, 3 runs
    .venv/bin/python benchmarks/blend/vs_pulp.py --materials 5000 --repeat 5 --profile
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.5


# --- the PuLP side: a plain, idiomatic model written from the document -------------------


def pulp_solve(path: Path) -> tuple[float, dict[str, float]]:
    """Read a blend JSON, build the LP in PuLP, solve it with pulp.HiGHS."""
    import pulp

    doc = json.loads(path.read_text())
    total = float(doc["total"])
    materials = doc["materials"]
    if any("min_lot" in m for m in materials) or doc.get("max_materials"):
        raise SystemExit("the PuLP reference model handles continuous blends only")
    prob = pulp.LpProblem("blend", pulp.LpMinimize)
    x = {
        m["id"]: pulp.LpVariable(f"x{i}", lowBound=m.get("min", 0.0), upBound=m.get("max"))
        for i, m in enumerate(materials)
    }
    prob += pulp.LpAffineExpression((x[m["id"]], m["cost"]) for m in materials)
    prob += (
        pulp.LpAffineExpression((x[m["id"]], 1.0 - m.get("loss", 0.0) / 100.0) for m in materials)
        == total
    )

    def content(weights: dict[str, float]) -> pulp.LpAffineExpression:
        """Tonnes of a weighted sum of components in the charge."""
        terms = []
        for m in materials:
            amount = sum(w * m["composition"].get(c, 0.0) for c, w in weights.items())
            if amount:
                terms.append((x[m["id"]], amount / 100.0))
        return pulp.LpAffineExpression(terms)

    for comp, limits in doc.get("specs", {}).items():
        expr = content({comp: 1.0})
        if limits.get("min") is not None:
            prob += expr >= limits["min"] * total / 100.0
        if limits.get("max") is not None:
            prob += expr <= limits["max"] * total / 100.0
    for ratio in doc.get("ratios", []):
        num, den = content(ratio["numerator"]), content(ratio["denominator"])
        if ratio.get("min") is not None:
            prob += num - ratio["min"] * den >= 0
        if ratio.get("max") is not None:
            prob += num - ratio["max"] * den <= 0
    all_ids = [m["id"] for m in materials]
    for group in doc.get("groups", []):
        members = pulp.lpSum(x[i] for i in group["materials"])
        ref = pulp.lpSum(x[i] for i in group.get("of", all_ids))
        if group.get("min") is not None:
            prob += members - group["min"] * ref >= 0
        if group.get("max") is not None:
            prob += members - group["max"] * ref <= 0
    status = prob.solve(pulp.HiGHS(msg=False, threads=1, timeLimit=600))
    if pulp.LpStatus[status] != "Optimal":
        raise SystemExit(f"PuLP/HiGHS ended {pulp.LpStatus[status]}")
    amounts = {mid: var.value() for mid, var in x.items() if var.value()}
    return float(pulp.value(prob.objective)), amounts


# --- the optikit side ----------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (less load-sensitive than wall)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pulp_subprocess(path: Path) -> float:
    """The PuLP model as a stand-alone script run: returns its objective."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--pulp-only", str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"PuLP script failed ({done.returncode}): {done.stderr.strip()}")
    return float(done.stdout.strip())


def optikit_command() -> list[str]:
    script = Path(sys.executable).with_name("optikit")
    if script.exists():
        return [str(script)]
    found = shutil.which("optikit")
    if found:
        return [found]
    return [sys.executable, "-c", "from optikit.cli import main; main()"]


def optikit_cli(path: Path, out: Path) -> float:
    cmd = [*optikit_command(), "solve", str(path), "--solver", "highs", "--threads", "1",
           "--time-limit", "600", "-q", "-o", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"optikit failed ({done.returncode}): {done.stderr.strip()}")
    document = json.loads(out.read_text())
    if document["status"] != "optimal":
        raise SystemExit(f"optikit ended {document['status']}: {document.get('message')}")
    return float(document["objective"])


def startup_seconds() -> float:
    """A fresh interpreter importing the CLI and runner and loading the plugins."""
    code = ("import optikit.cli, optikit.runner; "
            "from optikit.plugins import get_registry; get_registry()")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def optikit_profile(path: Path, out: Path) -> dict[str, float]:
    """Seconds per stage (start-up in a subprocess, the rest in-process, as the CLI does)."""
    from optikit import validation
    from optikit.plugins import get_registry
    from optikit.problem_io import read_document
    from optikit.types import SolveContext, SolveOptions

    stages: dict[str, float] = {"start-up + plugins (subprocess)": startup_seconds()}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = fn()
        stages[name] = time.perf_counter() - start
        return value

    registry = get_registry()
    ptype = registry.problem_types["blend"]
    doc = timed("read JSON", lambda: read_document(path, registry))
    timed("validation (whole)", lambda: validation.validate_document(ptype, doc))
    scan = getattr(validation, "_non_finite", None)  # the core's NaN/inf walk, if it has one
    if scan is not None:
        timed("  of which: NaN/inf scan", lambda: scan(doc, []))
    problem = timed("parse", lambda: ptype.parse(doc))
    from optikit_blend.formulation import payload
    from optikit_blend.linear import build

    bm = timed("build model", lambda: build(problem))
    backend = registry.backends["highs"]
    ctx = SolveContext(SolveOptions(time_limit=600, threads=1))
    result = timed("solve (HiGHS)", lambda: backend.solve(bm.model, ctx))
    solution = timed("payload", lambda: payload(problem, result.x[bm.x_cols]))
    timed("check", lambda: ptype.check(problem, solution))
    from optikit_blend.analysis import analyse

    timed("analysis", lambda: analyse(problem, bm, result.x, result.row_duals,
                                      result.col_duals, "LP"))
    timed("write JSON", lambda: out.write_text(json.dumps({"solution": solution})))
    return stages


# --- driver --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--materials", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="optikit stage breakdown too")
    parser.add_argument("--workdir", type=Path, help="keep the instance and outputs here")
    parser.add_argument("--pulp-only", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pulp_only is not None:  # the subprocess side of the end-to-end comparison
        print(repr(pulp_solve(args.pulp_only)[0]))
        return 0

    import pulp  # noqa: F401 - warm imports for the PuLP side (in its favour)
    from optikit_blend.generator import generate

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="optikit-blend-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    size = "large" if args.materials == 20_000 else str(args.materials)
    document = generate(args.seed, size)
    path = workdir / f"blend_{args.materials}_s{args.seed}.json"
    path.write_text(json.dumps(document))
    components = {c for m in document["materials"] for c in m["composition"]}
    print(f"instance: {path} ({len(document['materials'])} materials, "
          f"{len(components)} components, {path.stat().st_size / 1e6:.1f} MB)")

    out = workdir / "optikit_solution.json"
    # Interleaved rounds, so a burst of load on a shared machine hits every side alike.
    times: dict[str, list[float]] = {"optikit": [], "pulp_script": [], "pulp_warm": []}
    objectives: dict[str, float] = {}
    sides: dict[str, Callable[[], float]] = {
        "optikit": lambda: optikit_cli(path, out),
        "pulp_script": lambda: pulp_subprocess(path),
        "pulp_warm": lambda: pulp_solve(path)[0],
    }
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.repeat):
        for name, side in sides.items():
            start, cpu_start = time.perf_counter(), cpu_seconds()
            objectives[name] = side()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(cpu_seconds() - cpu_start)
    median = {name: statistics.median(values) for name, values in times.items()}
    median_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    agree = all(
        math.isclose(objectives["optikit"], value, rel_tol=1e-6, abs_tol=1e-6)
        for value in objectives.values()
    )
    labels = {
        "optikit": "optikit solve (CLI subprocess, end to end)",
        "pulp_script": "PuLP + pulp.HiGHS script (subprocess, e2e)",
        "pulp_warm": "PuLP + pulp.HiGHS (in-process, warm)",
    }
    print(f"\n{'side':<44} {'wall median':>11} {'wall min':>8} {'CPU median':>10} "
          f"{'objective':>16}")
    for name, label in labels.items():
        print(f"{label:<44} {median[name]:11.3f} {min(times[name]):8.3f} "
              f"{median_cpu[name]:10.3f} {objectives[name]:16.6f}")
    ratio = median["optikit"] / median["pulp_warm"]
    print("\nratio optikit / PuLP        wall     CPU")
    for name in ("pulp_script", "pulp_warm"):
        print(f"  vs {name:<22} {median['optikit'] / median[name]:6.3f} "
              f"{median_cpu['optikit'] / median_cpu[name]:8.3f}")
    print(f"target: wall ratio vs pulp_warm <= {TARGET_RATIO}; objectives "
          f"{'agree' if agree else 'DISAGREE'}; {args.repeat} interleaved run(s); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    if args.profile:
        stages = optikit_profile(path, workdir / "profile_solution.json")
        print("\noptikit stages (in-process, one run):")
        for name, seconds in stages.items():
            print(f"  {name:<32} {seconds:8.3f} s")
        print(f"  {'sum':<32} {sum(stages.values()):8.3f} s")
    if not agree:
        print("FAIL: objectives differ", file=sys.stderr)
        return 1
    return 0 if ratio <= TARGET_RATIO else 2


if __name__ == "__main__":
    sys.exit(main())
