"""``optikit replan PROBLEM SOLUTION EVENTS -o NEW``."""

from __future__ import annotations

import copy
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from optikit.atomic import write_text_atomic
from optikit.cli.app import App, dumps, emit_json, pass_app
from optikit.cli.guards import check_output_path
from optikit.cli.interrupt import Overrun, graceful_interrupts, run_interruptible
from optikit.cli.progress import live_progress
from optikit.cli.solve_cmd import (
    _abandon,
    _both,
    _leave,
    _ProgressPrinter,
    _summary_rows,
    solve_command,
)
from optikit.cli.summary import render_summary
from optikit.limits import command_started, deadlines


@click.command("replan")
@click.argument("problem", type=click.Path(path_type=Path))
@click.argument("solution", type=click.Path(path_type=Path))
@click.argument("events", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the new solution document (JSON) to this file.")
@click.option("--problem-out", type=click.Path(path_type=Path),
              help="Write the problem after the events (cancelled jobs out, rush jobs in, "
                   "late operations longer) to this file.")
@click.option("--json", "as_json", is_flag=True, help="Print the new solution document.")
@pass_app
def replan_command(
    app: App,
    problem: Path,
    solution: Path,
    events: Path,
    output: Path | None,
    problem_out: Path | None,
    as_json: bool,
    extra: tuple[str, ...],
    quiet: bool,
    **settings: Any,
) -> None:
    """Re-plan the schedule in SOLUTION (a solution document of PROBLEM) after EVENTS.

    EVENTS (YAML or JSON) gives the current time `now` and what happened: machines down,
    rush orders, cancellations, operations running late.  Started operations stay; the
    rest is re-planned close to the old plan.  The summary reports what moved.
    """
    from optikit import api
    from optikit.cli.app import parse_key_values
    from optikit.replan import problem_document

    started = command_started()
    inputs = [problem, solution, events]
    for flag, path in (("-o", output), ("--problem-out", problem_out)):
        if path is not None:
            check_output_path(path, flag, inputs=inputs)
    registry = app.registry
    # solver, formulation, time_limit, threads, seed, gap and verbose, as `solve` has them
    time_limit: float = settings["time_limit"]
    verbose: bool = settings["verbose"]
    plan = api.replan_plan(problem, solution, events, registry=registry,
                           options=parse_key_values(extra, "--option"), **settings)
    amended = problem_document(plan.loaded)
    if problem_out is not None and amended is not None:
        write_text_atomic(problem_out, dumps(amended))
    stop = threading.Event()
    interrupted = threading.Event()
    printer = _ProgressPrinter(verbose)
    limits = deadlines(started, time_limit)
    terminal = not quiet and not as_json and sys.stderr.isatty()
    try:
        with graceful_interrupts(stop, interrupted), live_progress(
            terminal and not verbose, time_limit, started
        ) as live:
            result = run_interruptible(
                lambda: api.run(plan, stop=stop, on_progress=_both(printer, live),
                                log=lambda msg: click.echo(msg, err=True), started=started,
                                registry=registry),
                soft_deadline=limits.soft,
                on_soft_deadline=stop.set,
                hard_deadline=limits.hard,
            )
    except Overrun:
        result = api.abandoned(plan, time.monotonic() - started, registry=registry)
        if result.solution is None:
            _abandon(result, output, as_json, quiet)
        # The repaired old plan answers; the solve thread is still busy (_leave exits
        # without joining it).
    result = api.finish_replan(result)
    document = result.document
    if not interrupted.is_set():
        document.pop("interrupted", None)
    if output is not None:
        write_text_atomic(output, dumps(document))
    if as_json:
        emit_json(document)
    elif not quiet:
        click.echo(render_summary(document, _summary_rows(plan.loaded, document)))
        if output is not None:
            click.echo(f"  written to {output}")
        if problem_out is not None:
            click.echo(f"  problem after the events: {problem_out}")
    if verbose and result.traceback:
        click.echo(result.traceback, err=True)
    _leave(result.exit_code)  # without joining a solve thread left behind


# The solver options are `optikit solve`'s own (same names, defaults, checks and help).
SHARED_OPTIONS = ("solver", "formulation", "time_limit", "threads", "seed", "gap", "extra",
                  "verbose", "quiet")
replan_command.params[3:3] = [
    copy.copy(p) for p in solve_command.params if p.name in SHARED_OPTIONS
]
