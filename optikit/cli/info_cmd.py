"""``optikit plugins`` and ``optikit schema``: what is installed and what it accepts."""

from __future__ import annotations

from typing import Any

import click

from optikit.cli.app import App, emit_json, pass_app
from optikit.cli.completion import complete_types
from optikit.registry import Registry
from optikit.validation import schema_problem


def plugins_report(registry: Registry) -> dict[str, Any]:
    backends = []
    for name, backend in sorted(registry.backends.items()):
        status = registry.availability(backend)
        available, reason, version = status.available, status.reason, status.version
        backends.append(
            {
                "name": name,
                "plugin": registry.owner.get(("backend", name)),
                "paradigm": str(backend.paradigm),
                "paradigms": sorted(backend.paradigms),
                "integer": backend.supports_integer,
                "available": available,
                "reason": reason,
                "version": version,
                "description": backend.description,
            }
        )
    types = [
        {
            "name": name,
            "plugin": registry.owner.get(("problem type", name)),
            "description": ptype.description,
            "formulations": [
                {"name": f.name, "paradigm": str(f.paradigm), "description": f.description}
                for f in ptype.formulations
            ],
            "default_solvers": list(ptype.default_solvers),
            "schema_error": schema_problem(ptype),
            "plots": sorted(ptype.plots),
        }
        for name, ptype in sorted(registry.problem_types.items())
    ]
    readers = [
        {"extension": ext, "reader": r.name, "problem_type": r.problem_type,
         "plugin": registry.owner.get(("reader for", ext))}
        for ext, r in sorted(registry.readers.items())
    ]
    return {
        "plugins": [p.as_dict() for p in registry.plugins],
        "problem_types": types,
        "backends": backends,
        "readers": readers,
    }


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON on stdout.")
@pass_app
def plugins_command(app: App, as_json: bool) -> None:
    """List plugins, problem types, solver backends (available or not) and failures."""
    report = plugins_report(app.registry)
    if as_json:
        emit_json(report)
        return
    click.echo("plugins:")
    for p in report["plugins"]:
        mark = {"ok": "+", "broken": "!", "blocked": "-"}.get(p["status"], "?")
        version = f" {p['version']}" if p["version"] else ""
        click.echo(f"  {mark} {p['name']}{version}  [{p['status']}]  {p['source']}")
        if p["error"]:
            click.echo(f"      {p['error']}")
    click.echo("problem types:")
    for t in report["problem_types"]:
        forms = ", ".join(f"{f['name']} ({f['paradigm']})" for f in t["formulations"])
        click.echo(f"  {t['name']}  [plugin {t['plugin']}]  formulations: {forms}")
        if t["schema_error"]:
            click.echo(f"      invalid schema (plugin bug): {t['schema_error']}")
    click.echo("solvers:")
    for b in report["backends"]:
        mark = "+" if b["available"] else "-"
        kind = f"{', '.join(b['paradigms'])}{'' if b['integer'] else ', continuous only'}"
        version = f" {b['version']}" if b["version"] else ""
        line = f"  {mark} {b['name']}{version}  ({kind})  [plugin {b['plugin']}]"
        if not b["available"]:
            line += f"  unavailable: {b['reason']}"
        click.echo(line)
    if report["readers"]:
        click.echo("file formats:")
        for r in report["readers"]:
            click.echo(f"  {r['extension']}  -> {r['problem_type']}  [plugin {r['plugin']}]")
    click.echo("legend: + ok/available, - blocked/unavailable, ! failed to load")


@click.command("schema")
@click.argument("type_name", metavar="TYPE", shell_complete=complete_types)
@pass_app
def schema_command(app: App, type_name: str) -> None:
    """Print the JSON Schema of problem files of TYPE."""
    from optikit.validation import full_schema

    emit_json(full_schema(app.registry.problem_type(type_name)))
