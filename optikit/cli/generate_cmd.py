"""``optikit generate``: random instances from a type's seeded generator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from optikit.atomic import write_text_atomic
from optikit.cli.app import App, dumps, pass_app
from optikit.cli.completion import complete_types
from optikit.cli.guards import check_output_path
from optikit.types import UsageError


@click.command("generate")
@click.argument("type_name", metavar="TYPE", shell_complete=complete_types)
@click.option("--size", default="small", show_default=True,
              help="Instance size: tiny, small, medium, large (or what the type offers).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write to this file (.json or .yaml); default: YAML on stdout.")
@click.option("--calendars", metavar="PRESET",
              help="Working-time calendars (fjsp: two-shifts, one-shift, three-shifts).")
@pass_app
def generate_command(app: App, type_name: str, size: str, seed: int, output: Path | None,
                     calendars: str | None = None) -> None:
    """Generate a random problem of TYPE (reproducible from --seed)."""
    from optikit.problem_io import load_document

    if output is not None:
        check_output_path(output, "-o")
    ptype = app.registry.problem_type(type_name)
    if ptype.generate is None:
        raise UsageError(f"problem type {type_name!r} has no instance generator")
    try:
        if calendars is None:
            document = ptype.generate(seed, size)
        else:
            document = _with_calendars(ptype.generate, type_name, seed, size, calendars)
    except ValueError as exc:
        raise UsageError(f"generate {type_name}: {exc}") from None
    load_document(document, app.registry, source=f"generated {type_name}")  # never emit junk
    as_json = output is not None and output.suffix.lower() == ".json"
    if as_json:
        text = dumps(document)
    else:
        import yaml

        text = yaml.safe_dump(document, sort_keys=False, default_flow_style=None, width=100)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(output, text)
        click.echo(f"wrote {output}", err=True)


def _with_calendars(generate: Any, type_name: str, seed: int, size: str, preset: str
                    ) -> dict[str, Any]:
    """A generator that takes ``calendars=`` (others: a usage error)."""
    import inspect

    target = generate.resolve() if hasattr(generate, "resolve") else generate
    if "calendars" not in inspect.signature(target).parameters:
        raise UsageError(f"problem type {type_name!r} cannot generate calendars")
    document: dict[str, Any] = target(seed, size, calendars=preset)
    return document
