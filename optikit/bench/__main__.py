"""``python -m optikit.bench bench|report ...``: the bench commands without the main CLI."""

from __future__ import annotations

import click

from optikit.bench.cli import bench_command, report_command


@click.group()
def main() -> None:
    """optikit benchmark commands."""


main.add_command(bench_command)
main.add_command(report_command)

if __name__ == "__main__":
    main()
