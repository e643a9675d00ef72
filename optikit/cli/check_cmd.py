"""``optikit check`` and ``optikit validate``."""

from __future__ import annotations

from pathlib import Path

import click

from optikit.cli.app import App, emit_json, pass_app
from optikit.cli.summary import fmt_number
from optikit.exitcodes import ExitCode
from optikit.types import one_line


@click.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.argument("solution", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON on stdout.")
@pass_app
def check_command(app: App, file: Path, solution: Path, as_json: bool) -> None:
    """Verify a SOLUTION document against a problem FILE, independently of any solver."""
    from optikit.problem_io import ProblemFileError, load_problem, read_data_file
    from optikit.runner import check_solution

    loaded = load_problem(file, app.registry)
    document = read_data_file(solution)
    if not isinstance(document, dict):
        raise ProblemFileError(str(solution), "(top level)", "must be a solution document")
    if "solution" not in document and "status" not in document:
        raise ProblemFileError(str(solution), "solution",
                               "missing: this is not a solution document (a problem file?)")
    doc_type = document.get("type")
    if doc_type is not None and doc_type != loaded.ptype.name:
        raise ProblemFileError(str(solution), "type", f"a {doc_type!r} solution, but {file} "
                               f"is a {loaded.ptype.name!r} problem")
    report = check_solution(loaded, document)
    if as_json:
        emit_json(
            {
                "valid": report.feasible,
                "objective": report.objective,
                "violations": [
                    {"constraint": v.constraint, "message": v.message, "amount": v.amount}
                    for v in report.violations
                ],
                "figures": report.figures,
            }
        )
    elif report.feasible:
        click.echo(f"{solution}: valid; objective {fmt_number(report.objective)}")
    else:
        click.echo(f"{solution}: INVALID: {len(report.violations)} violation(s)")
        for v in report.violations[:50]:
            click.echo(f"  - {v.constraint}: {v.message}")
    raise SystemExit(int(ExitCode.OK if report.feasible else ExitCode.CHECK_FAILED))


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_app
def validate_command(app: App, files: tuple[Path, ...]) -> None:
    """Check problem FILES against their type's schema and rules, without solving."""
    from optikit.problem_io import ProblemFileError, load_problem

    failed = False
    for file in files:
        try:
            loaded = load_problem(file, app.registry)
        except ProblemFileError as exc:
            click.echo(f"error: {one_line(str(exc))}", err=True)
            failed = True
            continue
        click.echo(f"{file}: valid {loaded.ptype.name} problem {loaded.name!r}")
    raise SystemExit(int(ExitCode.USAGE if failed else ExitCode.OK))
