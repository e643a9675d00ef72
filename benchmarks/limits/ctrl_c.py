"""How fast does ``optikit solve`` stop on Ctrl-C, and how far past ``--time-limit`` does
the whole command run?  (issue 11)

``stop``: each case is solved through the real command line in a session of its own,

    optikit solve FILE -v -o OUT [ARGS]

and once the first incumbent is reported (a ``-v`` progress line) and ``--settle``
seconds more have passed, SIGINT goes to the whole process group, as a terminal sends
it.  The figure is the time from the signal to the process's exit; the run also records
the exit code, the status and ``interrupted`` from the document, and whether ``optikit
check`` accepts it.  The promise: at most 3 s, a checked document, ``interrupted: true``.

``overshoot``: each case is solved at ``--time-limit`` 2, 5 and 10 s; the figure is the
wall time of the whole command (start-up and file reading included) minus the limit.
A run that ends with a proven status before 90 % of its limit did not test the limit.

    .venv/bin/python benchmarks/limits/ctrl_c.py stop --runs 20
    .venv/bin/python benchmarks/limits/ctrl_c.py overshoot --limits 2 5 10
    .venv/bin/python benchmarks/limits/ctrl_c.py stop --cases fjsp-lns cbc-fjsp-medium --runs 5

Both print one line per run and a Markdown summary (max and median per case), with the
load average (``os.getloadavg``) before and after: on a shared machine the figures move
with it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

OPTIKIT = str(Path(sys.executable).parent / "optikit")
ROOT = Path(__file__).resolve().parents[2]
MK10 = ROOT / "benchmarks" / "instances" / "fjsp" / "brandimarte" / "mk10.fjs"
_INCUMBENT = re.compile(r"^\s+[\d.]+s\s+objective\s+[^\s-]")
PROVEN = ("optimal", "infeasible", "unbounded")


@dataclass(frozen=True)
class Case:
    name: str
    problem: str  # a path, or "generate:TYPE:SIZE"
    args: tuple[str, ...] = ()
    settle_s: float = 1.0


STOP_CASES = [
    Case("fjsp-lns", str(MK10)),
    Case("fjsp-plain", str(MK10), ("--formulation", "cpsat-plain")),
    Case("fjsp-lns-threads-1", str(MK10), ("--threads", "1")),
    Case("energy-medium", "generate:energy-scheduling:medium"),
    Case("energy-large", "generate:energy-scheduling:large"),
    Case("maintenance-large", "generate:maintenance:large"),
    Case("cbc-fjsp-small", "generate:fjsp:small", ("--solver", "cbc", "--threads", "1"), 2.0),
    Case("cbc-fjsp-medium", "generate:fjsp:medium", ("--solver", "cbc", "--threads", "1"), 4.0),
    Case("highs-fjsp-small", "generate:fjsp:small", ("--solver", "highs", "--threads", "1"), 2.0),
    Case("lot-sizing-medium", "generate:lot-sizing:medium", (), 2.0),
    Case("pooling-large", "generate:pooling:large", (), 1.0),
    Case("car-sequencing-large", "generate:car-sequencing:large"),
    Case("rostering-medium", "generate:rostering:medium"),
    Case("intralogistics-medium", "generate:intralogistics:medium"),
    Case("scip-fjsp-small", "generate:fjsp:small", ("--solver", "scip"), 2.0),
    Case("ortools-highs-fjsp-small", "generate:fjsp:small", ("--solver", "ortools-highs"), 2.0),
]


_NOT_PROBLEMS = {".md", ".txt"}


def _largest_sample(folder: Path) -> str:
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix not in _NOT_PROBLEMS]
    return str(max(files, key=lambda p: p.stat().st_size))


def overshoot_cases() -> list[Case]:
    """The largest sample of every type in problems/ (new types join by themselves)."""
    folders = sorted(p for p in (ROOT / "problems").iterdir() if p.is_dir())
    samples = [Case(f"sample-{folder.name}", _largest_sample(folder)) for folder in folders]
    return [
        *samples,
        Case("fjsp-mk10", str(MK10)),
        Case("energy-large", "generate:energy-scheduling:large"),
        Case("maintenance-large", "generate:maintenance:large"),
        Case("fjsp-large", "generate:fjsp:large"),
    ]


def materialise(case: Case, folder: Path) -> Path:
    if not case.problem.startswith("generate:"):
        return Path(case.problem)
    _, ptype, size = case.problem.split(":")
    path = folder / f"{ptype}-{size}.json"
    if not path.exists():
        subprocess.run([OPTIKIT, "generate", ptype, "--size", size, "--seed", "1", "-o",
                        str(path)], check=True, capture_output=True)
    return path


@dataclass
class StopRun:
    case: str
    stop_s: float | None
    exit_code: int
    status: str
    interrupted: bool
    checked: bool


def ctrl_c_once(case: Case, problem: Path, folder: Path) -> StopRun:
    out = folder / "out.json"
    out.unlink(missing_ok=True)
    proc = subprocess.Popen([OPTIKIT, "solve", str(problem), "-v", "-o", str(out),
                             "--time-limit", "60", *case.args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    seen = threading.Event()

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if _INCUMBENT.match(line):
                seen.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    if not seen.wait(120):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return StopRun(case.name, None, proc.returncode, "no incumbent", False, False)
    time.sleep(case.settle_s)
    signalled = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    try:
        code = proc.wait(120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        code = proc.wait()
    stop_s = time.monotonic() - signalled
    reader.join(5)
    document = json.loads(out.read_text()) if out.exists() else {}
    checked = bool(document) and subprocess.run(
        [OPTIKIT, "check", str(problem), str(out)], capture_output=True).returncode == 0
    return StopRun(case.name, stop_s, code, str(document.get("status", "-")),
                   document.get("interrupted") is True, checked)


@dataclass
class OverRun:
    case: str
    limit: float
    wall_s: float
    status: str
    time_s: float | None

    @property
    def tested(self) -> bool:
        return not (self.status in PROVEN and self.wall_s < 0.9 * self.limit)


def solve_once(case: Case, problem: Path, limit: float) -> OverRun:
    started = time.monotonic()
    proc = subprocess.run([OPTIKIT, "solve", str(problem), "--time-limit", str(limit),
                           "--json", *case.args], capture_output=True, text=True)
    wall = time.monotonic() - started
    try:
        document = json.loads(proc.stdout)
    except json.JSONDecodeError:
        document = {}
    return OverRun(case.name, limit, wall, str(document.get("status", f"exit {proc.returncode}")),
                   document.get("time_s"))


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} CPUs)"


def run_stop(cases: list[Case], runs: int) -> str:
    rows = ["| case | runs | median stop s | max stop s | exit codes | statuses | "
            "interrupted | checked |", "|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="optikit-ctrl-c-") as tmp:
        folder = Path(tmp)
        for case in cases:
            problem = materialise(case, folder)
            results = []
            for i in range(runs):
                r = ctrl_c_once(case, problem, folder)
                results.append(r)
                stop = "-" if r.stop_s is None else f"{r.stop_s:.2f}"
                print(f"{case.name:20} run {i:2}  stop {stop} s"
                      f"  exit {r.exit_code}  {r.status}  interrupted={r.interrupted} "
                      f"checked={r.checked}", flush=True)
            times = [r.stop_s for r in results if r.stop_s is not None]
            rows.append(
                f"| {case.name} | {len(results)} | "
                f"{statistics.median(times):.2f} | {max(times):.2f} | "
                f"{sorted({r.exit_code for r in results})} | "
                f"{sorted({r.status for r in results})} | "
                f"{sum(r.interrupted for r in results)}/{len(results)} | "
                f"{sum(r.checked for r in results)}/{len(results)} |"
                if times else f"| {case.name} | {len(results)} | - | - | - | - | - | - |")
    return "\n".join(rows) + "\n"


def run_overshoot(cases: list[Case], limits: list[float]) -> str:
    rows = ["| case | limit s | status | time_s | wall s | over s (wall - limit) | tested |",
            "|---|---|---|---|---|---|---|"]
    worst: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="optikit-overshoot-") as tmp:
        for case in cases:
            problem = materialise(case, Path(tmp))
            for limit in limits:
                r = solve_once(case, problem, limit)
                over = r.wall_s - limit
                print(f"{case.name:20} L={limit:<4g} {r.status:10} wall {r.wall_s:6.2f}  "
                      f"over {over:+.2f} s  tested={r.tested}", flush=True)
                rows.append(f"| {case.name} | {limit:g} | {r.status} | "
                            f"{'-' if r.time_s is None else f'{r.time_s:.2f}'} | "
                            f"{r.wall_s:.2f} | {over:+.2f} | {'yes' if r.tested else 'no'} |")
                if r.tested:
                    worst[case.name] = max(worst.get(case.name, -1e9), over)
    rows += ["", "| case | max over s (runs that reached their limit) |", "|---|---|"]
    rows += [f"| {name} | {value:+.2f} |" for name, value in worst.items()]
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("stop", "overshoot"))
    parser.add_argument("--runs", type=int, default=20, help="Ctrl-C runs per case")
    parser.add_argument("--limits", type=float, nargs="+", default=[2.0, 5.0, 10.0])
    parser.add_argument("--cases", nargs="+", help="case names (default: all)")
    args = parser.parse_args(argv)
    all_cases = STOP_CASES if args.what == "stop" else overshoot_cases()
    cases = [c for c in all_cases if not args.cases or c.name in args.cases]
    print(f"load average before: {_load()}", flush=True)
    if args.what == "stop":
        report = run_stop(cases, args.runs)
    else:
        report = run_overshoot(cases, args.limits)
    print(f"load average after: {_load()}\n")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
