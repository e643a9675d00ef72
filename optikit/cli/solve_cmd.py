"""``optikit solve``."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from optikit.atomic import write_text_atomic, write_with_atomic
from optikit.cli.app import App, dumps, emit_json, fail, parse_key_values, pass_app, warn
from optikit.cli.guards import (
    SEED_RANGE,
    THREADS_RANGE,
    FiniteFloat,
    check_distinct_outputs,
    check_output_path,
    check_plot_support,
)
from optikit.cli.interrupt import (
    Overrun,
    grace_seconds,
    graceful_interrupts,
    run_interruptible,
)
from optikit.cli.summary import fmt_number, render_summary
from optikit.exitcodes import ExitCode
from optikit.types import ProgressEvent, SolveOptions

PLOT_SUFFIXES = (".png", ".svg", ".pdf", ".html")


def default_threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


class _ProgressPrinter:
    """Incumbent/bound lines on stderr, at most a few per second."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.last = 0.0
        self.objective: float | None = None
        self.bound: float | None = None

    def __call__(self, event: ProgressEvent) -> None:
        if event.objective is not None:
            self.objective = event.objective
        if event.bound is not None:
            self.bound = event.bound
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.5:
            return
        self.last = now
        sys.stderr.write(
            f"  {event.time_s:8.2f}s  objective {fmt_number(self.objective):>14}  "
            f"bound {fmt_number(self.bound):>14}\n"
        )
        sys.stderr.flush()


@click.command("solve")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--solver", help="Backend to use (see 'optikit plugins'); default: the type's.")
@click.option("--formulation", help="Formulation to use; default: the first that fits the solver.")
@click.option("--time-limit", type=FiniteFloat(minimum=0, min_open=True), default=60.0,
              show_default=True,
              help="Wall-clock limit in seconds, for the whole command (loading included).")
@click.option("--threads", type=THREADS_RANGE, default=None,
              help="Solver threads [default: number of CPUs, at most 8].")
@click.option("--seed", type=SEED_RANGE, default=0, show_default=True, help="Random seed.")
@click.option("--gap", type=FiniteFloat(minimum=0), default=1e-6, show_default=True,
              help="Relative gap at which a solution counts as optimal.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the solution document (JSON) to this file.")
@click.option("--json", "as_json", is_flag=True, help="Print the solution document on stdout.")
@click.option("--gantt", type=click.Path(path_type=Path),
              help="Draw the schedule (.png, .svg, .pdf or .html), for types that have one.")
@click.option("--option", "extra", multiple=True, metavar="KEY=VALUE",
              help="Formulation/backend option, passed through (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Show solver progress and diagnostics.")
@click.option("-q", "--quiet", is_flag=True, help="No summary; only errors.")
@pass_app
def solve_command(
    app: App,
    file: Path,
    solver: str | None,
    formulation: str | None,
    time_limit: float,
    threads: int | None,
    seed: int,
    gap: float,
    output: Path | None,
    as_json: bool,
    gantt: Path | None,
    extra: tuple[str, ...],
    verbose: bool,
    quiet: bool,
) -> None:
    """Solve a problem FILE (JSON, YAML, or a standard format such as .fjs)."""
    from optikit.problem_io import LoadTimeout, load_problem_before
    from optikit.runner import execute, select

    started = time.monotonic()  # the limit covers the whole command, loading included
    check_outputs(file, output, gantt)
    registry = app.registry
    try:
        loaded = load_problem_before(file, registry, started + time_limit)
    except LoadTimeout as exc:
        _give_up(str(exc))
    if gantt is not None and "gantt" not in loaded.ptype.plots:
        fail(f"{file}: --gantt: problem type {loaded.ptype.name!r} has no Gantt chart")
    options = SolveOptions(
        time_limit=time_limit,
        threads=threads or default_threads(),
        seed=seed,
        gap=gap,
        verbose=verbose,
        extra=parse_key_values(extra, "--option"),
    )
    stop = threading.Event()
    interrupted = threading.Event()  # set only by Ctrl-C, unlike `stop`
    grace = grace_seconds(time_limit)
    show_progress = verbose or (not quiet and not as_json and sys.stderr.isatty())
    printer = _ProgressPrinter(show_progress)
    plan = select(loaded, registry, solver, formulation, options)
    try:
        with graceful_interrupts(stop, interrupted):
            result = run_interruptible(
                lambda: execute(
                    plan,
                    registry,
                    stop=stop,
                    on_progress=printer,
                    log=lambda msg: click.echo(msg, err=True),
                    started=started,
                ),
                # Just past the limit, ask the solver to stop; a little before limit + grace
                # (10% or 1 s), stop waiting for one that ignores its limit, so that even
                # the abandoned run's document is out within the grace.
                soft_deadline=started + time_limit + 0.25 * grace,
                on_soft_deadline=stop.set,
                hard_deadline=started + time_limit + 0.85 * grace,
            )
    except Overrun:
        _abandon(plan, registry, started, output, as_json, quiet)
    document = result.document
    if interrupted.is_set():
        document["interrupted"] = True
    if output is not None:
        write_text_atomic(output, dumps(document))
    chart_error = ""
    if gantt is not None and "solution" in document:
        chart_error = _draw(loaded, document, gantt)
    if as_json:
        emit_json(document)
    elif not quiet:
        rows = _summary_rows(loaded, document)
        click.echo(render_summary(document, rows))
        if output is not None:
            click.echo(f"  written to {output}")
        if gantt is not None and "solution" in document:
            click.echo(f"  gantt chart: {'NOT drawn' if chart_error else gantt}")
    if verbose and result.outcome is not None and "traceback" in result.outcome.stats:
        click.echo(result.outcome.stats["traceback"], err=True)
    if chart_error and result.exit_code == ExitCode.OK:
        fail(chart_error, ExitCode.INTERNAL)
    raise SystemExit(result.exit_code)


def check_outputs(file: Path, output: Path | None, gantt: Path | None) -> None:
    """Before any work: the outputs can be written and none of them is the input."""
    if output is not None:
        check_output_path(output, "-o", inputs=[file])
    if gantt is not None:
        if gantt.suffix.lower() not in PLOT_SUFFIXES:
            fail(f"{gantt}: --gantt: unsupported file type (use {', '.join(PLOT_SUFFIXES)})")
        check_output_path(gantt, "--gantt", inputs=[file])
        check_plot_support(gantt)
    check_distinct_outputs([("-o", output), ("--gantt", gantt)])


def _give_up(message: str) -> None:
    """Loading outlived the time limit: exit 4 at once, leaving the loader thread behind."""
    click.echo(f"error: {message}", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(ExitCode.NO_SOLUTION))


def _abandon(
    plan: Any,
    registry: Any,
    started: float,
    output: Path | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """The solver ignored its time limit: report no solution and exit without waiting."""
    from optikit.runner import abandoned_document

    options = plan.options
    document = abandoned_document(
        plan, registry, time.monotonic() - started,
        f"the {plan.backend.name} solver did not stop within its time limit "
        f"({options.time_limit:g} s + {grace_seconds(options.time_limit):g} s grace); "
        "optikit stopped waiting for it",
    )
    if output is not None:
        write_text_atomic(output, dumps(document))
    if as_json:
        emit_json(document)
    elif not quiet:
        click.echo(render_summary(document, []))
    sys.stdout.flush()
    sys.stderr.flush()
    # The solver thread is still busy in native code: leave without joining it.
    os._exit(int(ExitCode.NO_SOLUTION))


def _summary_rows(loaded: Any, document: dict[str, Any]) -> list[tuple[str, str]]:
    summarize = loaded.ptype.summarize
    if summarize is None or "solution" not in document:
        return []
    try:
        return [(str(a), str(b)) for a, b in summarize(loaded.problem, document)]
    except Exception as exc:
        warn(f"the {loaded.ptype.name} summary failed: {type(exc).__name__}: {exc}")
        return []


def _draw(loaded: Any, document: dict[str, Any], path: Path) -> str:
    """Draw the chart; '' when drawn, else why not (also printed as a warning)."""
    draw = loaded.ptype.plots["gantt"]
    try:
        write_with_atomic(path, lambda tmp: draw(loaded.problem, document, tmp))
    except ImportError as exc:
        why = f"cannot draw {path}: {exc} (install the 'plot' extra: pip install optikit[plot])"
    except Exception as exc:
        why = f"cannot draw {path}: {type(exc).__name__}: {exc}"
    else:
        return ""
    warn(why)
    return why
