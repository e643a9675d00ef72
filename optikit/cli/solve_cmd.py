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
from optikit.cli.completion import complete_formulations, complete_solvers
from optikit.cli.guards import (
    SEED_RANGE,
    THREADS_RANGE,
    FiniteFloat,
    check_distinct_outputs,
    check_output_path,
    check_plot_support,
)
from optikit.cli.interrupt import Overrun, graceful_interrupts, run_interruptible
from optikit.cli.progress import live_progress
from optikit.cli.summary import fmt_number, render_summary
from optikit.exitcodes import ExitCode
from optikit.limits import command_started, deadlines
from optikit.types import InvalidProblem, ProgressEvent

PLOT_SUFFIXES = (".png", ".svg", ".pdf", ".html")


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


def _both(first: Any, second: Any) -> Any:
    def report(event: ProgressEvent) -> None:
        first(event)
        second(event)

    return report


@click.command("solve")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--solver", help="Backend to use (see 'optikit plugins'); default: the type's.",
              shell_complete=complete_solvers)
@click.option("--formulation", help="Formulation to use; default: the first that fits the solver.",
              shell_complete=complete_formulations)
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
              help="Draw the solution: .html is interactive (plotly, offline) for every "
                   "type; .png, .svg, .pdf for types with a static chart.")
@click.option("--colour-by", default="job", show_default=True,
              help="What colours the Gantt bars: job, family (product), machine;"
                   " in .html any column of the schedule.")
@click.option("--option", "extra", multiple=True, metavar="KEY=VALUE",
              help="Formulation/backend option, passed through (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Show solver progress and diagnostics.")
@click.option("-q", "--quiet", is_flag=True, help="No summary; only errors.")
@click.option("--list-options", is_flag=True,
              help="List the --option keys the chosen formulation and solver take, and exit.")
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
    colour_by: str,
    extra: tuple[str, ...],
    verbose: bool,
    quiet: bool,
    list_options: bool,
) -> None:
    """Solve a problem FILE (JSON, YAML, or a standard format such as .fjs).

    A thin client of the Python API (``optikit.api.plan`` and ``optikit.api.run``): what
    it adds is the terminal (progress, summary, Ctrl-C) and the files it writes.
    """
    from optikit import api
    from optikit.problem_io import LoadTimeout, load_problem_before

    started = command_started()  # the limit covers the whole command, start-up included
    check_outputs(file, output, gantt)
    registry = app.registry
    try:
        loaded = load_problem_before(file, registry, started + time_limit)
    except LoadTimeout as exc:
        _give_up(str(exc))
    if gantt is not None and not _interactive(gantt) and "gantt" not in loaded.ptype.plots:
        fail(f"{file}: --gantt: problem type {loaded.ptype.name!r} has no {gantt.suffix} "
             "chart (use .html)")
    if gantt is not None and not _interactive(gantt) and colour_by not in STATIC_COLOURINGS:
        fail(f"--colour-by {colour_by!r}: a {gantt.suffix} chart is coloured by "
             f"{', '.join(STATIC_COLOURINGS)} (any schedule column in .html)")
    reserve = chart_reserve(time_limit, gantt)
    if reserve:
        prepare_chart_imports(gantt)  # type: ignore[arg-type]
        if verbose:
            click.echo(f"keeping {reserve:.1f} s of the {time_limit:g} s limit to draw "
                       f"{gantt}", err=True)
    plan = api.plan(
        loaded, solver=solver, formulation=formulation, time_limit=time_limit - reserve,
        threads=threads, seed=seed, gap=gap, verbose=verbose,
        options=parse_key_values(extra, "--option"), registry=registry,
    )
    if list_options:
        _list_options(plan, registry)
        return
    stop = threading.Event()
    interrupted = threading.Event()  # set only by Ctrl-C, unlike `stop`
    terminal = not quiet and not as_json and sys.stderr.isatty()
    printer = _ProgressPrinter(verbose)  # -v: one line per update, kept in the log
    limits = deadlines(started, time_limit)
    try:
        with graceful_interrupts(stop, interrupted), live_progress(
            terminal and not verbose, time_limit, started
        ) as live:
            solution = run_interruptible(
                lambda: api.run(
                    plan,
                    stop=stop,
                    on_progress=_both(printer, live),
                    log=lambda msg: click.echo(msg, err=True),
                    started=started,
                    registry=registry,
                ),
                soft_deadline=limits.soft,
                on_soft_deadline=stop.set,  # a stop the user did not ask for
                hard_deadline=limits.hard,
            )
    except InvalidProblem as exc:  # a formulation refusing a field: name the file too
        fail(f"{file}: {exc.field}: {exc.message}")
    except Overrun:
        _abandon(api.abandoned(plan, time.monotonic() - started, registry=registry),
                 output, as_json, quiet)
    document = solution.document
    if not interrupted.is_set():
        document.pop("interrupted", None)
    if output is not None:
        write_text_atomic(output, dumps(document))
    chart_error = ""
    if gantt is not None and "solution" in document:
        chart_error = _draw(loaded, document, gantt, registry, colour_by)
    if as_json:
        emit_json(document)
    elif not quiet:
        rows = _summary_rows(loaded, document)
        click.echo(render_summary(document, rows))
        if output is not None:
            click.echo(f"  written to {output}")
        if gantt is not None and "solution" in document:
            click.echo(f"  gantt chart: {'NOT drawn' if chart_error else gantt}")
    if verbose and solution.traceback:
        click.echo(solution.traceback, err=True)
    if chart_error and solution.exit_code == ExitCode.OK:
        fail(chart_error, ExitCode.INTERNAL)
    _leave(solution.exit_code)


def _leave(code: int) -> None:
    """Exit with ``code``.  The ``optikit`` program leaves at once after its exit handlers
    (no interpreter shutdown): tearing down the solver libraries' modules and objects took
    1.6-2 s on a loaded machine after a CP-SAT solve, past the command's time limit, and
    shutting the interpreter down under native solver code still running (a solve thread
    left behind, a call the backends stopped waiting for) can crash it after the answer
    was written.
    Invoked in-process (tests, embedding), it raises ``SystemExit`` as usual."""
    import atexit

    from optikit.limits import is_console_command

    if is_console_command():
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(code))
    raise SystemExit(code)


def _list_options(plan: Any, registry: Any) -> None:
    from optikit.cli.options_cmd import option_lines, options_report

    report = options_report(registry, plan.loaded.ptype, plan.backend.name,
                            plan.formulation.name)
    click.echo("\n".join(option_lines(report)))


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


def _abandon(solution: Any, output: Path | None, as_json: bool, quiet: bool) -> None:
    """The solver ignored its time limit: report no solution and exit without waiting."""
    document = solution.document
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


STATIC_COLOURINGS = ("job", "family", "product", "machine")
"""What the types' static (PNG/SVG/PDF) Gantt charts can be coloured by."""


def _interactive(path: Path) -> bool:
    return path.suffix.lower() in (".html", ".htm")


def _with_colour_by(draw: Any, colour_by: str) -> Any:
    """A type's static chart, given ``--colour-by`` when it takes one."""
    import functools
    import inspect

    from optikit.lazy import lazy

    try:
        target = draw.resolve() if isinstance(draw, lazy) else draw
        takes = "colour_by" in inspect.signature(target).parameters
    except (ImportError, TypeError, ValueError):  # an import error shows when drawing
        takes = False
    return functools.partial(draw, colour_by=colour_by) if takes else draw


def chart_reserve(time_limit: float, gantt: Path | None) -> float:
    """Seconds of the limit kept back to draw ``--gantt`` after the solve: the limit
    covers the whole command, chart included (about 1-2 s for a PNG)."""
    return 0.0 if gantt is None else min(2.0, 0.15 * time_limit)


def prepare_chart_imports(path: Path) -> None:
    """Import the plotting library on a side thread while the solver works, so that
    drawing after the solve costs only the drawing."""

    def warm() -> None:
        try:
            if _interactive(path):
                import plotly.graph_objects  # noqa: F401
            else:
                import matplotlib.figure
                import matplotlib.lines
                import matplotlib.patches  # noqa: F401

                import optikit.plotting.static  # noqa: F401
        except Exception:  # a missing extra is reported when the chart is drawn
            pass

    threading.Thread(target=warm, name="optikit-chart-imports", daemon=True).start()


def _draw(loaded: Any, document: dict[str, Any], path: Path, registry: Any,
          colour_by: str = "job") -> str:
    """Draw the chart; '' when drawn, else why not (also printed as a warning).

    ``.html``: the shared interactive chart of the export tables (any type); other
    suffixes: the type's own static chart."""
    notes: list[str] = []  # what the chart could not do as asked (printed as warnings)
    if _interactive(path):
        from optikit.plotting.interactive import chart
        from optikit.sheets.export import plant_sheets
        from optikit.units import currency_of

        def draw(problem: Any, doc: dict[str, Any], tmp: Path) -> None:
            chart(plant_sheets(doc, problem, registry), doc, tmp, colour_by, problem,
                  currency_of(problem), notes)
    else:
        draw = _with_colour_by(loaded.ptype.plots["gantt"], colour_by)
    try:
        write_with_atomic(path, lambda tmp: draw(loaded.problem, document, tmp))
    except ImportError as exc:
        why = f"cannot draw {path}: {exc} (install the 'plot' extra: pip install optikit[plot])"
    except Exception as exc:
        why = f"cannot draw {path}: {type(exc).__name__}: {exc}"
    else:
        for note in notes:
            warn(note)
        return ""
    warn(why)
    return why
