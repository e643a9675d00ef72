"""``optikit import-aas``: machines from Asset Administration Shells."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from optikit.cli.app import App, pass_app, warn
from optikit.types import UsageError


@click.command("import-aas")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="machines.yaml (or .json): the machines part of a problem document.")
@click.option("--type", "type_name", metavar="TYPE",
              help="Keep only the machine fields TYPE accepts (fjsp, energy-scheduling...).")
@click.option("--map", "maps", multiple=True, metavar="SEMANTIC_ID=FIELD",
              help="Map one more property by its semanticId (repeatable).")
@pass_app
def import_aas_command(app: App, file: Path, output: Path, type_name: str | None,
                       maps: tuple[str, ...]) -> None:
    """Read machines from an AAS FILE (.aasx or .json): nameplate, technical data,
    maintenance, matched by semanticId.  What cannot be mapped is listed as warnings."""
    from optikit.aas.mapper import fit_to, import_machines
    from optikit.cli.guards import check_output_path
    from optikit.cli.sheets_cmd import dump_document
    from optikit.problem_io import ProblemFileError
    from optikit.sheets.schema_nav import SchemaNav
    from optikit.types import InvalidProblem
    from optikit.validation import full_schema

    check_output_path(output, "-o", (file,))
    extra: dict[str, str] = {}
    for pair in maps:
        key, sep, field = pair.rpartition("=")
        if not sep or not key or not field:
            raise UsageError(f"--map: {pair!r} is not SEMANTIC_ID=FIELD")
        extra[key] = field
    item_schema: Any = None
    if type_name is not None:
        schema = full_schema(app.registry.problem_type(type_name))
        nav = SchemaNav(schema)
        item_schema = nav.items(nav.child(schema, "machines"))
        if not nav.properties(item_schema):
            raise UsageError(f"--type: {type_name} problems have no machine records")

    def ask(semantic_id: str, id_short: str, value: Any) -> tuple[str, Any] | None:
        for _plugin, answer in app.registry.collect(
            "aas_fields", semantic_id=semantic_id, id_short=id_short, value=value
        ):
            if isinstance(answer, tuple) and len(answer) == 2:
                return str(answer[0]), answer[1]
        return None

    if not file.is_file():
        raise ProblemFileError(str(file), "", "file not found")
    try:
        result = import_machines(file, extra_map=extra, ask_plugins=ask)
    except InvalidProblem as exc:
        raise ProblemFileError(str(file), exc.field, exc.message) from None
    if item_schema is not None:
        fit_to(result, item_schema, str(type_name))
    for message in result.warnings:
        warn(message)
    dump_document({"machines": result.machines}, output)
    click.echo(f"wrote {output}: {len(result.machines)} machine(s), "
               f"{len(result.warnings)} warning(s)", err=True)
