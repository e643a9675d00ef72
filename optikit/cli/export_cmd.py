"""``optikit export``: a solution document as CSV files, a workbook or Parquet files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from optikit.cli.app import App, pass_app, warn
from optikit.types import UsageError


def export_sheets(app: App, solution: Path, problem_file: Path | None) -> list[Any]:
    """Plugin tables (given the problem, if any) and the generic tables of the payload."""
    return _sheets_and_problem(app, solution, problem_file)[0]


def _sheets_and_problem(app: App, solution: Path, problem_file: Path | None
                        ) -> tuple[list[Any], Any]:
    from optikit.problem_io import ProblemFileError, load_problem, read_data_file
    from optikit.sheets.export import plant_sheets

    document = read_data_file(solution)
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise ProblemFileError(str(solution), "(top level)",
                               "must be a solution document (with 'type' and 'solution')")
    problem = None
    if problem_file is not None:
        loaded = load_problem(problem_file, app.registry)
        if loaded.ptype.name != document["type"]:
            raise UsageError(f"{problem_file}: --problem: is a {loaded.ptype.name} problem, the "
                             f"solution is for {document['type']}")
        problem = loaded.problem
    return plant_sheets(document, problem, app.registry), problem


@click.command("export")
@click.argument("solution", type=click.Path(path_type=Path))
@click.option("--problem", "problem_file", type=click.Path(path_type=Path),
              help="The problem FILE: adds what the solution does not say (due dates, specs).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "parquet"]),
              help="Default: xlsx for -o *.xlsx, else csv.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="A .xlsx file, or a folder for csv and parquet (one file per table).")
@pass_app
def export_command(app: App, solution: Path, problem_file: Path | None, fmt: str | None,
                   output: Path) -> None:
    """Write a SOLUTION document (from solve -o) as tables a planner can open."""
    from optikit.atomic import write_with_atomic
    from optikit.cli.guards import check_output_path
    from optikit.sheets.csvdir import write_csv_dir
    from optikit.sheets.export import write_parquet
    from optikit.sheets.xlsx import write_xlsx

    fmt = fmt or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    if fmt == "xlsx" and output.suffix.lower() != ".xlsx":
        raise UsageError(f"{output}: -o: --format xlsx writes a .xlsx file")
    if fmt != "xlsx" and output.suffix:
        raise UsageError(f"{output}: -o: --format {fmt} writes a folder (no suffix)")
    sheets = export_sheets(app, solution, problem_file)
    if fmt == "xlsx":
        check_output_path(output, "-o", (solution,))
        write_with_atomic(output, lambda tmp: write_xlsx(sheets, tmp))
    elif fmt == "csv":
        write_csv_dir(sheets, output)
    else:
        write_parquet(sheets, output)
    click.echo(f"wrote {output} ({', '.join(s.name for s in sheets)})", err=True)


@click.command("chart")
@click.argument("solution", type=click.Path(path_type=Path))
@click.option("--problem", "problem_file", type=click.Path(path_type=Path),
              help="The problem FILE: due dates, lateness, changeovers, specs, currency.")
@click.option("--colour-by", default="job", show_default=True,
              help="What colours the Gantt bars (job, family, product, machine...).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="chart.html: interactive, offline (zoom, hover).")
@pass_app
def chart_command(app: App, solution: Path, problem_file: Path | None, colour_by: str,
                  output: Path) -> None:
    """Draw a SOLUTION as an interactive HTML chart (plotly, offline): a Gantt for
    schedules, the blend against its specs, flows, rosters, sequences, routes..."""
    from optikit.atomic import write_with_atomic
    from optikit.cli.guards import check_output_path
    from optikit.plotting.interactive import chart
    from optikit.problem_io import read_data_file
    from optikit.units import currency_of

    if output.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"{output}: -o: charts are written as .html")
    check_output_path(output, "-o", (solution,))
    sheets, problem = _sheets_and_problem(app, solution, problem_file)
    drawn: list[str] = []
    notes: list[str] = []
    write_with_atomic(output, lambda tmp: drawn.append(
        chart(sheets, read_data_file(solution), tmp, colour_by, problem,
              currency_of(problem), notes)))
    for note in notes:
        warn(note)
    click.echo(f"wrote {output} ({drawn[0]})", err=True)
