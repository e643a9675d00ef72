"""How far past ``--time-limit`` does ``optikit solve`` run, per backend and problem type?

The target (issue: hardening): a time limit is honoured within 10 % or one second,
whichever is larger, on every backend.  For each available backend and each registered
problem type it can solve, a generated instance too big to finish is solved at limits of
1, 2 and 5 s through the real command line, in a fresh subprocess:

    optikit solve FILE --solver NAME --time-limit L --threads 1 --seed 0 --json

and two figures are taken:

- **solve overshoot** = the document's ``time_s`` - L: the part the time limit governs
  (from the start of the solve to the checked answer: model building, the solver,
  clean-up, the diagnosis of an infeasible blend).  This is what the target judges.
- **process overshoot** = the subprocess's wall time - L: what a user waits in total,
  including interpreter start-up, plugin loading and reading/validating the file, which
  happen before the clock starts and depend on the file, not on the limit.

A run that ends with a proven status well before its limit did not test the limit; it is
listed but left out of the worst cases (the instance sizes tried are in ``SIZES``, largest
first; a size a formulation refuses as too large falls back to the next).

    .venv/bin/python benchmarks/limits/overshoot.py                     # everything
    .venv/bin/python benchmarks/limits/overshoot.py --solvers highs cpsat --limits 1 2
    .venv/bin/python benchmarks/limits/overshoot.py --out build/limits  # JSON + Markdown

Exit status: 0 when every solve overshoot is within the target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

OPTIKIT = shutil.which("optikit", path=str(Path(sys.executable).parent)) or "optikit"
LIMITS = (1.0, 2.0, 5.0)
#: Generated sizes tried per type, largest first (blend: a MILP for MILP backends, a very
#: wide LP for LP-only ones, which refuse integer models).
SIZES = {
    "blend": ("large-milp", "100000"),
    "energy-scheduling": ("large", "medium", "small"),
    "maintenance": ("large", "medium", "small"),
    "fjsp": ("large", "medium", "small"),
}
DEFAULT_SIZES = ("large", "medium", "small")
PROVEN = ("optimal", "infeasible", "unbounded")


def allowed(limit: float) -> float:
    """The target: 10 % of the limit or one second, whichever is larger."""
    return max(0.1 * limit, 1.0)


@dataclass
class Run:
    problem_type: str
    solver: str
    size: str
    limit: float
    status: str
    exit_code: int
    time_s: float | None
    wall_s: float
    note: str = ""

    @property
    def solve_over(self) -> float | None:
        return None if self.time_s is None else self.time_s - self.limit

    @property
    def process_over(self) -> float:
        return self.wall_s - self.limit

    @property
    def tested(self) -> bool:
        """Did the run reach its limit (rather than finish early, or fail)?  An infeasible
        blend whose diagnosis was cut by the limit did."""
        if self.time_s is None:
            return False
        if self.note == "diagnosis cut by the limit":
            return True
        return not (self.status in PROVEN and self.time_s < 0.9 * self.limit)

    @property
    def within(self) -> bool | None:
        over = self.solve_over
        return None if over is None or not self.tested else over <= allowed(self.limit)

    def row(self) -> dict[str, Any]:
        return {**asdict(self), "solve_over": self.solve_over, "process_over": self.process_over,
                "tested": self.tested, "within": self.within}


@dataclass(frozen=True)
class Case:
    """What is solved: a generated instance of a type (``label`` names it in the table)."""

    label: str
    problem_type: str
    sizes: tuple[str, ...]
    infeasible: bool = False  # blend only: tighten a ratio so the diagnosis runs


def cases(type_names: list[str]) -> list[Case]:
    out = [Case(t, t, SIZES.get(t, DEFAULT_SIZES)) for t in type_names]
    if "blend" in type_names:
        # A wide infeasible LP: a dozen diagnosis solves of about a second each.
        out.append(Case("blend-infeasible", "blend", ("100000",), infeasible=True))
    return out


def plan(types: list[str] | None, solvers: list[str] | None) -> list[tuple[Case, str, str]]:
    """(case, backend, first size the backend accepts) for every compatible pair."""
    from optikit.plugins import load_registry
    from optikit.problem_io import load_document
    from optikit.runner import select
    from optikit.types import UsageError

    registry = load_registry()
    names = [n for n, t in sorted(registry.problem_types.items()) if t.generate is not None]
    pairs = []
    for case in cases(names):
        if types and case.label not in types and case.problem_type not in types:
            continue
        ptype = registry.problem_types[case.problem_type]
        assert ptype.generate is not None
        for name, backend in sorted(registry.backends.items()):
            if solvers and name not in solvers:
                continue
            if not backend.availability().available:
                continue
            for size in case.sizes:
                # A small instance of the same kind decides compatibility cheaply.
                probe = "small-milp" if size.endswith("-milp") else "small"
                try:
                    document = ptype.generate(0, probe if case.problem_type == "blend"
                                              else "tiny")
                    select(load_document(document, registry, source="probe"), registry,
                           solver=name)
                except (UsageError, ValueError):
                    continue
                pairs.append((case, name, size))
                break
    return pairs


def instance(case: Case, size: str, folder: Path) -> Path:
    from optikit.plugins import load_registry

    path = folder / f"{case.label}-{size}.json"
    if not path.exists():
        ptype = load_registry().problem_types[case.problem_type]
        assert ptype.generate is not None
        document = ptype.generate(1, size)
        if case.infeasible:
            ratio = document["ratios"][0]
            ratio["min"] = round(ratio["max"] * 1.5, 4)
            ratio["max"] = round(ratio["min"] * 1.1, 4)
        path.write_text(json.dumps(document))
    return path


def solve(path: Path, solver: str, limit: float, threads: int) -> tuple[int, dict[str, Any],
                                                                        float, str]:
    command = [OPTIKIT, "solve", str(path), "--solver", solver, "--time-limit", str(limit),
               "--threads", str(threads), "--seed", "0", "--json"]
    started = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, timeout=limit * 20 + 120)
    wall = time.monotonic() - started
    try:
        document = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except json.JSONDecodeError:
        document = {}
    last_line = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    return proc.returncode, document, wall, last_line


def measure(case: Case, solver: str, first_size: str, limits: tuple[float, ...],
            threads: int, folder: Path) -> list[Run]:
    sizes = list(case.sizes)
    sizes = sizes[sizes.index(first_size):]
    runs: list[Run] = []
    for limit in limits:
        while True:
            size = sizes[0]
            code, document, wall, err = solve(instance(case, size, folder), solver, limit,
                                              threads)
            refused = code == 2 and not document
            if refused and len(sizes) > 1:
                sizes.pop(0)  # too large for this formulation: one size down
                continue
            run = Run(case.label, solver, size, limit, document.get("status", f"exit {code}"),
                      code, document.get("time_s"), wall, err if refused or code == 70 else "")
            if case.infeasible and document.get("analysis"):
                diagnosis = document["analysis"].get("diagnosis", {})
                run.note = "diagnosis complete" if diagnosis.get("complete") \
                    else "diagnosis cut by the limit"
            runs.append(run)
            print(_line(run), flush=True)
            break
    return runs


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:+.{digits}f}"


def _line(run: Run) -> str:
    mark = {True: "ok", False: "OVER", None: "not tested"}[run.within]
    return (f"{run.problem_type:18} {run.solver:14} {run.size:11} L={run.limit:<4g} "
            f"{run.status:10} time_s={run.time_s if run.time_s is not None else '-':<10} "
            f"wall={run.wall_s:6.2f}  solve over {_fmt(run.solve_over)} s  [{mark}] {run.note}")


def markdown(runs: list[Run]) -> str:
    lines = [
        "| type | solver | size | limit s | status | time_s | solve over s | over % "
        "| wall s | process over s | target |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        over = r.solve_over
        pct = "-" if over is None else f"{100 * over / r.limit:+.0f}%"
        mark = {True: "ok", False: "**over**", None: "finished early" if r.time_s else "n/a"}
        lines.append(
            f"| {r.problem_type} | {r.solver} | {r.size} | {r.limit:g} | {r.status} | "
            f"{'-' if r.time_s is None else f'{r.time_s:.2f}'} | {_fmt(over)} | {pct} | "
            f"{r.wall_s:.2f} | {_fmt(r.process_over)} | {mark[r.within]} |"
        )
    lines += ["", "Worst solve overshoot per backend (runs that reached their limit):", "",
              "| solver | worst solve over s | at | worst process over s | within target |",
              "|---|---|---|---|---|"]
    for solver in sorted({r.solver for r in runs}):
        tested = [r for r in runs if r.solver == solver and r.tested]
        if not tested:
            lines.append(f"| {solver} | - | no run reached its limit | - | - |")
            continue
        worst = max(tested, key=lambda r: (r.solve_over or 0.0) - allowed(r.limit))
        process = max(r.process_over for r in tested)
        ok = all(r.within for r in tested)
        lines.append(f"| {solver} | {_fmt(worst.solve_over)} | {worst.problem_type} "
                     f"{worst.size} L={worst.limit:g} | {_fmt(process)} | "
                     f"{'yes' if ok else '**no**'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limits", type=float, nargs="+", default=list(LIMITS))
    parser.add_argument("--types", nargs="+", help="problem types or case labels such as "
                        "blend-infeasible (default: every type with a generator)")
    parser.add_argument("--solvers", nargs="+", help="backends (default: all available)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write overshoot.json and overshoot.md here")
    args = parser.parse_args(argv)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="optikit-limits-") as tmp:
        for case, solver, size in plan(args.types, args.solvers):
            runs += measure(case, solver, size, tuple(args.limits), args.threads, Path(tmp))
    report = markdown(runs)
    print()
    print(report)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "overshoot.json").write_text(
            json.dumps([r.row() for r in runs], indent=2) + "\n")
        (args.out / "overshoot.md").write_text(report)
    return 0 if all(r.within is not False for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
