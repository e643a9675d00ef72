"""``optikit template`` and ``optikit convert``: problems as workbooks and back."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from optikit.cli.app import App, dumps, pass_app
from optikit.cli.completion import complete_types
from optikit.types import ProblemType, UsageError

_DOC_SUFFIXES = (".json", ".yaml", ".yml")


def example_document(ptype: ProblemType, app: App) -> dict[str, Any]:
    """The type's first readable sample, else a generated tiny instance, else a stub."""
    from optikit.problem_io import ProblemFileError, read_document

    documents: list[dict[str, Any]] = []
    for sample in ptype.samples:
        try:
            documents.append(dict(read_document(Path(sample), app.registry)))
        except ProblemFileError:
            continue
    if documents:  # the sample that shows the most of the format
        return max(documents, key=lambda d: len(d))
    if ptype.generate is not None:
        try:
            return ptype.generate(0, "tiny")
        except ValueError:
            pass
    return {"type": ptype.name}


def _is_valid(document: dict[str, Any], app: App) -> bool:
    """Whether ``document`` loads as a problem (schema and the type's own rules)."""
    from optikit.problem_io import ProblemFileError, load_document

    try:
        load_document(document, app.registry)
    except ProblemFileError:
        return False
    return True


EXAMPLE_SOLVE_SECONDS = 2.0
"""How long a candidate template example may take to show that it has a solution."""


def _solves(document: dict[str, Any], app: App) -> bool:
    """Whether ``document`` has a checked solution within a couple of seconds."""
    from optikit import api

    try:
        found = api.solve(document, time_limit=EXAMPLE_SOLVE_SECONDS, threads=1,
                          registry=app.registry)
    except Exception:  # a template never fails for its example's sake
        return False
    return found.solution is not None


def dump_document(document: Mapping[str, Any], output: Path) -> None:
    """JSON for ``*.json``, YAML otherwise, written atomically."""
    from optikit.atomic import write_text_atomic

    if output.suffix.lower() == ".json":
        text = dumps(dict(document))
    else:
        import yaml

        text = yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True, width=100)
    write_text_atomic(output, text)


def write_problem(document: Mapping[str, Any], ptype: ProblemType, output: Path,
                  inputs: tuple[Path, ...] = ()) -> None:
    """Write a document as YAML/JSON (by suffix), a workbook (.xlsx) or a CSV folder."""
    from optikit.atomic import write_with_atomic
    from optikit.cli.guards import check_output_path
    from optikit.sheets import WORKBOOK_SUFFIXES, write_tabular
    from optikit.validation import full_schema

    suffix = output.suffix.lower()
    if suffix in _DOC_SUFFIXES:
        check_output_path(output, "-o", inputs)
        dump_document(document, output)
    elif suffix in WORKBOOK_SUFFIXES:
        check_output_path(output, "-o", inputs)
        write_with_atomic(output, lambda tmp: write_tabular(document, full_schema(ptype), tmp))
    elif suffix == "" or output.is_dir():
        if any(Path(i).resolve() == output.resolve() for i in inputs):
            raise UsageError(f"{output}: -o: is the input folder; writing would destroy it")
        write_tabular(document, full_schema(ptype), output)
    else:
        raise UsageError(
            f"{output}: -o: unknown output kind {suffix!r} (.yaml, .json, .xlsx, or a folder "
            "name without suffix for CSV files)"
        )


@click.command("template")
@click.argument("type_name", metavar="TYPE", shell_complete=complete_types)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="plant.xlsx, or a folder name for CSV files.")
@pass_app
def template_command(app: App, type_name: str, output: Path) -> None:
    """Write a workbook for TYPE to fill in: headers, notes with units, and a small
    example (one row per table where references allow) that solves as it is."""
    from optikit.atomic import write_with_atomic
    from optikit.cli.guards import check_output_path
    from optikit.sheets import WORKBOOK_SUFFIXES, write_sheets
    from optikit.sheets.template import smallest_example, template_sheets
    from optikit.validation import full_schema

    ptype = app.registry.problem_type(type_name)
    workbook = output.suffix.lower() in WORKBOOK_SUFFIXES
    if not workbook and output.suffix:
        raise UsageError(f"{output}: -o: give a .xlsx file or a folder name (for CSV files)")
    sample = example_document(ptype, app)
    example = smallest_example(sample, lambda doc: _is_valid(doc, app))
    if example != sample and not _solves(example, app):
        example = sample  # cut too far (one employee cannot cover every shift...)
    sheets = template_sheets(example, full_schema(ptype), text_only=not workbook)
    if workbook:
        check_output_path(output, "-o")
        write_with_atomic(output, lambda tmp: write_sheets(sheets, tmp))
    else:
        write_sheets(sheets, output)
    click.echo(f"wrote {output} ({len(sheets)} sheets)", err=True)


@click.command("convert")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help=".yaml, .json, .xlsx, or a folder name for CSV files.")
@pass_app
def convert_command(app: App, file: Path, output: Path) -> None:
    """Convert a problem FILE between YAML/JSON, workbook and CSV folder (lossless).

    The input is validated first; any format optikit reads is accepted (.fjs, .clsp...).
    """
    from optikit.problem_io import load_problem

    loaded = load_problem(file, app.registry)
    write_problem(loaded.document, loaded.ptype, output, (file,))
    click.echo(f"wrote {output}", err=True)
