"""``optikit options TYPE``: every ``--option`` key a type's formulations and solvers take."""

from __future__ import annotations

from typing import Any

import click

from optikit.cli.app import App, emit_json, pass_app
from optikit.cli.completion import complete_formulations, complete_solvers, complete_types
from optikit.plan import backend_declarations
from optikit.registry import Registry
from optikit.types import ProblemType, UsageError


def options_report(
    registry: Registry, ptype: ProblemType, solver: str | None = None,
    formulation: str | None = None,
) -> dict[str, Any]:
    """The declared options, by formulation and by solver, as ``optikit options --json``."""
    formulations = [f for f in ptype.formulations if formulation in (None, f.name)]
    if not formulations:
        known = ", ".join(f.name for f in ptype.formulations)
        raise UsageError(f"problem type {ptype.name!r} has no formulation {formulation!r} "
                         f"(known: {known})")
    paradigms = {str(f.paradigm) for f in formulations}
    if solver is not None:
        backends = [registry.backend(solver)]
    else:
        backends = [b for _n, b in sorted(registry.backends.items())
                    if any(b.implements(p) for p in paradigms)]
    return {
        "type": ptype.name,
        "formulations": [
            {"name": f.name, "paradigm": str(f.paradigm),
             "options": [spec.describe() for spec in f.options]}
            for f in formulations
        ],
        "solvers": [
            {"name": b.name, "paradigms": sorted(b.paradigms),
             "options": [d.describe() for d in backend_declarations(b)]}
            for b in backends
        ],
    }


def _line(row: dict[str, Any]) -> str:
    choices = f" (one of: {', '.join(map(str, row['choices']))})" if "choices" in row else ""
    default = "" if row["default"] in (None, "") else f" [default: {row['default']}]"
    return f"    {row['name']:<24} {row['type']:<9} {row['help']}{choices}{default}"


@click.command("options")
@click.argument("type_name", metavar="TYPE", shell_complete=complete_types)
@click.option("--solver", help="Only this solver's options.", shell_complete=complete_solvers)
@click.option("--formulation", help="Only this formulation's options.",
              shell_complete=complete_formulations)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def options_command(
    app: App, type_name: str, solver: str | None, formulation: str | None, as_json: bool
) -> None:
    """List the --option KEY=VALUE settings a problem TYPE's formulations and solvers take."""
    registry = app.registry
    report = options_report(registry, registry.problem_type(type_name), solver, formulation)
    if as_json:
        emit_json(report)
        return
    click.echo("\n".join(option_lines(report)))


def option_lines(report: dict[str, Any]) -> list[str]:
    """The report of :func:`options_report` as text, one line per option."""
    lines: list[str] = []
    for f in report["formulations"]:
        lines.append(f"formulation {f['name']} ({f['paradigm']})")
        lines.extend([_line(r) for r in f["options"]] or ["    (no options)"])
    for s in report["solvers"]:
        lines.append(f"solver {s['name']} ({', '.join(s['paradigms'])})")
        lines.extend([_line(r) for r in s["options"]] or ["    (no options)"])
    return lines


__all__ = ["options_command", "options_report"]
