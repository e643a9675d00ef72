"""``optikit plugin``: commands for plugin authors."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("plugin")
def plugin_group() -> None:
    """Create and develop optikit plugins (see docs/plugins.md)."""


@plugin_group.command("new")
@click.argument("name")
@click.option(
    "--path",
    "target",
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory to create [default: ./optikit-NAME]. Must not exist (or be empty).",
)
@click.option("--description", help="One line describing the plugin's problem type.")
def new_command(name: str, target: Path | None, description: str | None) -> None:
    """Scaffold the plugin package NAME (e.g. 'lot-sizing').

    \b
    The package has a pyproject.toml with the 'optikit' entry point, a working example
    problem type (schema, model, checker, CP-SAT formulation, generator, sample), tests
    wired to optikit's testing kit and a README.  Then:
        cd optikit-NAME && pip install -e . && pytest
    """
    from optikit.scaffold.render import create_plugin

    project = create_plugin(name, target, description=description)
    click.echo(f"created {project}")
    click.echo("next steps:")
    click.echo(f"  cd {project}")
    click.echo("  python -m pip install -e .     # registers the 'optikit' entry point")
    click.echo("  python -m pytest               # conformance suite and unit tests")
    click.echo(f"  optikit plugins                # lists the {name!r} problem type")
