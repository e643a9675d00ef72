"""The ``optikit bench`` and ``optikit report`` commands.

The main CLI attaches :data:`bench_command` and :data:`report_command`; both import
their machinery lazily so ``optikit --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 2, 70, 130


def _exit_code(name: str, fallback: int) -> int:
    try:
        from optikit.exitcodes import ExitCode
    except ImportError:
        return fallback
    return int(getattr(ExitCode, name, fallback))


def _fail(message: str, code_name: str = "USAGE", fallback: int = EXIT_USAGE) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(_exit_code(code_name, fallback))


def _plugins_dirs() -> tuple[Path, ...]:
    """``optikit --plugins-dir`` values, when run under the main CLI."""
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        app = ctx.obj
        if app is not None and hasattr(app, "plugins_dirs"):
            return tuple(Path(d) for d in app.plugins_dirs)
        ctx = ctx.parent
    return ()


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write beside the target and rename, so a reader never sees half a report.

    The file gets the usual permissions (0666 less the umask), not mkstemp's 0600.
    """
    from optikit.atomic import atomic_path

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)


@click.command("bench")
@click.argument("suites", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--db", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite ledger to write (created if missing).")
@click.option("--jobs", "-j", type=int, default=None,
              help="Concurrent runs [default: cores // threads per run].")
@click.option("--executor", type=click.Choice(["local", "dask"]), default=None,
              help="Local process pool (default) or a Dask distributed cluster.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (implies --executor dask).")
@click.option("--resume", is_flag=True,
              help="Continue a suite already in the ledger; finished runs are not redone.")
@click.option("--oversubscribe", is_flag=True,
              help="Allow jobs x threads per run to exceed the cores.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
def bench_command(
    suites: tuple[Path, ...], db: Path, jobs: int | None, executor: str | None,
    scheduler: str | None, resume: bool, oversubscribe: bool, quiet: bool, as_json: bool,
) -> None:
    """Run benchmark SUITES (YAML files) and record every run in the --db ledger.

    \b
    Each run is a child process killed at its time limit + grace; its answer is
    re-checked by the problem type's independent checker, and a claim that fails
    (or contradicts a best-known bound) is recorded as wrong.  Interrupted suites
    continue with --resume, without redoing finished runs.  Suite format: see
    benchmarks/smoke.yaml and the optikit.bench.suite module documentation.
    """
    from optikit.bench.coordinator import BenchConfig, describe, run_bench
    from optikit.bench.ledger import LedgerError
    from optikit.types import OptikitError

    if executor == "local" and scheduler:
        _fail("--scheduler needs --executor dask")
    config = BenchConfig(
        suites=list(suites), db=db, jobs=jobs,
        executor=executor or ("dask" if scheduler else "local"),
        scheduler=scheduler, resume=resume, oversubscribe=oversubscribe, progress=not quiet,
        plugins_dirs=_plugins_dirs(),
    )
    try:
        summary = run_bench(config)
    except (OptikitError, LedgerError) as exc:
        _fail(str(exc))
        return
    except KeyboardInterrupt:
        _fail(f"interrupted; finished runs are in {db}; continue with --resume",
              "INTERRUPTED", EXIT_INTERRUPTED)
        return
    if as_json:
        click.echo(json.dumps(describe(summary), sort_keys=True))
    if not quiet:
        click.echo(summary.line(), err=True)


#: plotly.js beside the report pages: one copy for every page in the folder.
PLOTLY_JS = "plotly.min.js"


def _shared_plotly(page: Path) -> str:
    """Write plotly.js beside ``page`` (unless the same file is there); its name for the
    page's script tag.  A page on stdout inlines it instead."""
    from optikit.bench.iplots import plotly_js

    script = (plotly_js() or "").encode("utf-8")
    target = page.parent / PLOTLY_JS
    if not (target.is_file() and target.stat().st_size == len(script)
            and target.read_bytes() == script):
        write_atomically(target, script)
    return PLOTLY_JS


@click.command("report")
@click.option("--db", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Ledger written by `optikit bench`.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "html"]),
              default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write here instead of stdout.")
@click.option("--suite", "suites", multiple=True, help="Only these suites (repeatable).")
@click.option("--plots", "plots_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Also write every plot as a file into this directory.")
@click.option("--plot-format", type=click.Choice(["interactive", "png", "svg"]),
              default="interactive", show_default=True,
              help="Plots of the HTML page: interactive (plotly, offline) or static images; "
                   "--plots files are png unless svg is chosen.")
def report_command(
    db: Path, fmt: str, output: Path | None, suites: tuple[str, ...],
    plots_dir: Path | None, plot_format: str,
) -> None:
    """Report on a benchmark ledger: per instance, per solver, profiles and gap curves."""
    from optikit.bench import report
    from optikit.bench.ledger import LedgerError

    if not db.exists():
        _fail(f"{db}: no such ledger (run `optikit bench ... --db {db}` first)")
    if output is not None:
        from optikit.cli.guards import check_output_target
        from optikit.types import UsageError

        try:  # never over the ledger itself, a directory or a device
            check_output_target(output, "-o", [db])
        except UsageError as exc:
            _fail(str(exc))
    try:
        data = report.collect(db, suites)
    except LedgerError as exc:
        _fail(str(exc))
        return
    if suites:
        known = {s["name"] for s in data.suites}
        missing = [s for s in suites if s not in known]
        if missing:
            _fail(f"{db}: no suite named {missing[0]!r} (has: {', '.join(sorted(known))})")
    static = "svg" if plot_format == "svg" else "png"
    if (fmt == "html" and plot_format != "interactive") or plots_dir is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            _fail("static plots need matplotlib: pip install 'optikit[plot]'")
    if fmt == "html" and plot_format == "interactive":
        import importlib.util

        if importlib.util.find_spec("plotly") is None:
            _fail("interactive plots need plotly: pip install 'optikit[charts]' "
                  "(or --plot-format png)")
    script_src = None
    if fmt == "html" and plot_format == "interactive" and output is not None:
        script_src = _shared_plotly(output)
    text = report.render(data, fmt, plot_format, script_src)
    if plots_dir is not None:
        for name, image in report.figures(data, static).items():
            write_atomically(plots_dir / name, image)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text)
        click.echo(f"wrote {output}", err=True)
