"""The ``optikit`` command line.

Commands live in small modules; this one assembles the group, loads plugins (and their
``register_commands``), and turns errors into the contract's exit codes.
"""

from __future__ import annotations

import click

from optikit import __version__
from optikit.bench.cli import bench_command, report_command
from optikit.cli.aas_cmd import import_aas_command
from optikit.cli.app import OptikitGroup, pass_app
from optikit.cli.check_cmd import check_command, validate_command
from optikit.cli.export_cmd import chart_command, export_command
from optikit.cli.generate_cmd import generate_command
from optikit.cli.info_cmd import plugins_command, schema_command
from optikit.cli.options_cmd import options_command
from optikit.cli.replan_cmd import replan_command
from optikit.cli.sheets_cmd import convert_command, template_command
from optikit.cli.solve_cmd import solve_command
from optikit.cli.whylate_cmd import why_late_command
from optikit.scaffold.cli import plugin_group
from optikit.service.cli import keys_group, serve_command


@click.group(cls=OptikitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="optikit")
@click.option(
    "--plugins-dir",
    "plugins_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=str),
    help="Load plugin modules from this directory too (repeatable; also OPTIKIT_PLUGINS_DIR).",
)
@click.pass_context
def cli(ctx: click.Context, plugins_dirs: tuple[str, ...]) -> None:
    """optikit: solve factory optimisation problems (blends, scheduling, energy).

    \b
    Exit codes: 0 solved / valid, 1 check failed, 2 invalid input or usage,
    3 infeasible or unbounded, 4 no solution within the limits, 70 internal error.
    """
    ctx.obj.plugins_dirs = tuple(plugins_dirs)


cli.add_command(solve_command)
cli.add_command(replan_command)
cli.add_command(check_command)
cli.add_command(validate_command)
cli.add_command(plugins_command)
cli.add_command(schema_command)
cli.add_command(generate_command)
cli.add_command(options_command)
cli.add_command(template_command)
cli.add_command(convert_command)
cli.add_command(export_command)
cli.add_command(chart_command)
cli.add_command(import_aas_command)
cli.add_command(bench_command)
cli.add_command(report_command)
cli.add_command(plugin_group)
cli.add_command(serve_command)
cli.add_command(keys_group)
cli.add_command(why_late_command)


__all__ = ["cli", "main", "pass_app"]


def main() -> None:
    from optikit.limits import mark_command_start

    mark_command_start()  # --time-limit covers the whole process, start-up included
    cli(prog_name="optikit")
