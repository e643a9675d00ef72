"""``optikit why-late``: the chains behind late jobs, and the re-solved overtime what-if."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from optikit.cli.app import App, emit_json, fail, pass_app
from optikit.cli.completion import complete_formulations, complete_solvers
from optikit.cli.guards import SEED_RANGE, THREADS_RANGE, FiniteFloat
from optikit.cli.summary import fmt_number
from optikit.exitcodes import ExitCode
from optikit.types import InputError


@click.command("why-late")
@click.argument("file", type=click.Path(path_type=Path))
@click.argument("solution", type=click.Path(path_type=Path))
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Late jobs to print (the JSON has them all).")
@click.option("--what-if/--no-what-if", "what_if", default=True, show_default=True,
              help="Re-solve with overtime on the bottleneck machine.")
@click.option("--machine", help="Machine to give overtime [default: the bottleneck of the "
              "most weighted lateness].")
@click.option("--hours", type=FiniteFloat(minimum=0, min_open=True), default=1.0,
              show_default=True, help="Overtime per shift, converted with the time_unit.")
@click.option("--amount", type=click.IntRange(min=1), default=None,
              help="Overtime per shift in time units (overrides --hours).")
@click.option("--at", "at", type=click.Choice(["end", "start"]), default="end",
              show_default=True, help="end: shifts ending before the late jobs finish end "
              "later; start: the shifts whose opening their chains waited for start earlier.")
@click.option("--time-limit", type=FiniteFloat(minimum=0, min_open=True), default=30.0,
              show_default=True, help="Seconds for the whole command (both re-solves).")
@click.option("--solver", help="Backend for the re-solves.", shell_complete=complete_solvers)
@click.option("--formulation", help="Formulation for the re-solves.",
              shell_complete=complete_formulations)
@click.option("--threads", type=THREADS_RANGE, default=None, help="Solver threads.")
@click.option("--seed", type=SEED_RANGE, default=0, show_default=True, help="Random seed.")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON on stdout.")
@pass_app
def why_late_command(
    app: App, file: Path, solution: Path, top: int, what_if: bool, machine: str | None,
    hours: float, amount: int | None, at: str, time_limit: float, solver: str | None,
    formulation: str | None, threads: int | None, seed: int, as_json: bool,
) -> None:
    """Why the late jobs of a checked SOLUTION of scheduling problem FILE are late.

    For each late job: the chain of operations that made it finish when it did (its own
    steps, the queue and changeovers on each machine, shift and release waits) and the
    bottleneck machine.  Then, unless --no-what-if: the problem is re-solved as it is and
    with that machine's shifts one hour longer, both answers checked; the weighted
    tardiness saved is printed.
    """
    from optikit import whylate
    from optikit.cli.interrupt import Overrun, graceful_interrupts, run_interruptible
    from optikit.limits import command_started, deadlines
    from optikit.problem_io import ProblemFileError, load_problem, read_data_file

    started = command_started()
    registry = app.registry
    loaded = load_problem(file, registry)
    document = read_data_file(solution)
    if not isinstance(document, dict):
        raise ProblemFileError(str(solution), "(top level)", "must be a solution document")
    try:
        entries = whylate.why_late(loaded, document, registry=registry)
    except InputError as exc:
        if exc.source != whylate.SOLUTION_SOURCE:
            raise
        fail(f"{solution}: {exc.message}")
    report: dict[str, Any] = {"late": entries}
    abandoned = False
    if what_if and entries:
        stop = threading.Event()
        limits = deadlines(started, time_limit)
        with graceful_interrupts(stop):
            try:
                report["what_if"] = run_interruptible(
                    lambda: whylate.overtime_whatif(
                        loaded, document, machine=machine, hours=hours, amount=amount, at=at,
                        time_limit=time_limit, solver=solver, formulation=formulation,
                        threads=threads, seed=seed, stop=stop, registry=registry,
                        started=started,
                    ),
                    soft_deadline=limits.soft, on_soft_deadline=stop.set,
                    hard_deadline=limits.hard,
                )
            except Overrun:
                abandoned = True
                report["what_if"] = {"message": "a re-solve did not stop within the time "
                                                "limit: no what-if"}
    if as_json:
        emit_json(_without_payloads(report))
    else:
        click.echo("\n".join(_lines(file, report, top, loaded)))
    if abandoned:  # a solver still runs in native code: leave without joining it
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(ExitCode.NO_SOLUTION))
    raise SystemExit(int(ExitCode.OK))


def _without_payloads(report: dict[str, Any]) -> dict[str, Any]:
    """The re-solved schedules stay out of the JSON (their figures are in it)."""
    what_if = report.get("what_if")
    if not isinstance(what_if, dict):
        return report
    trimmed = dict(what_if)
    for key in ("before", "after"):
        if isinstance(trimmed.get(key), dict):
            trimmed[key] = {k: v for k, v in trimmed[key].items() if k != "payload"}
    return {**report, "what_if": trimmed}


def _lines(file: Path, report: dict[str, Any], top: int, loaded: Any) -> list[str]:
    from optikit.scheduling.critical import time_unit, why_late_lines

    entries = report["late"]
    if not entries:
        return [f"{file}: no job is late"]
    lines = [f"{file}: {len(entries)} late job(s), worst first "
             "(chain of machines with queue, setups and waits; bottleneck)"]
    lines += [f"  {line}" for line in why_late_lines(entries[:top], time_unit(loaded.problem.shop))]
    if len(entries) > top:
        lines.append(f"  ... and {len(entries) - top} more (--top, --json)")
    what_if = report.get("what_if")
    if isinstance(what_if, dict):
        clock = getattr(loaded.problem.shop, "clock", None)
        lines += _what_if_lines(what_if, clock.label if clock is not None else str)
    return lines


def _what_if_lines(w: dict[str, Any], when: Callable[[int], str]) -> list[str]:
    if "machine" not in w:
        return [f"what-if: {w.get('message')}"]
    held = ", ".join(w["jobs"])
    why = f"chosen; late jobs {held}" if w.get("chosen") else f"bottleneck of {held}"
    lines = [f"what-if: overtime on {w['machine']} ({why}), {w['amount_note']}"]
    changed = w.get("extended_windows", [])
    for c in changed[:6]:
        now = [f"starts at {when(c['new_start'])}"] if "new_start" in c else []
        now += [f"ends at {when(c['new_end'])}"] if "new_end" in c else []
        lines.append(f"  shift from {when(c['start'])} to {when(c['end'])} now "
                     + " and ".join(now))
    if len(changed) > 6:
        lines.append(f"  ... and {len(changed) - 6} more shifts (--json)")
    for key, label in (("before", "as it is"), ("after", "with overtime")):
        run = w.get(key)
        if isinstance(run, dict):
            lines.append(
                f"  re-solved {label}: objective {fmt_number(run['objective'])}, weighted "
                f"tardiness {fmt_number(run['weighted_tardiness'])} ({run['status']}, "
                f"{'checked' if run['checked'] else 'NOT checked'}, {run['time_s'] or 0:.1f} s)"
            )
    if "saved" in w:
        lines.append(f"  given schedule: {fmt_number(w['given_weighted_tardiness'])}; "
                     f"best before {fmt_number(w['weighted_tardiness_before'])}, best after "
                     f"{fmt_number(w['weighted_tardiness_after'])}")
    lines.append(f"  {w.get('message')}")
    waits = w.get("waited_for_shifts") or []
    if w.get("saved") == 0 and waits:
        lines.append(f"  (the late jobs waited for shifts to open on {', '.join(waits)}: "
                     f"try --machine {waits[0]} --at start)")
    return lines
