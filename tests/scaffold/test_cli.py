"""``optikit plugin new`` on the command line: one-line errors and exit 2."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from optikit.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_bad_name_is_a_one_line_usage_error(tmp_path: Path) -> None:
    result = run("plugin", "new", "2bad", "--path", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "invalid plugin name '2bad'" in result.stderr
    assert not (tmp_path / "x").exists()


def test_new_creates_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "optikit-demo"
    first = run("plugin", "new", "demo", "--path", str(target), "--description", "Demo type")
    assert first.exit_code == 0, first.output
    assert f"created {target}" in first.stdout
    assert "pip install -e ." in first.stdout
    assert 'description = "Demo type"' in (target / "pyproject.toml").read_text()
    again = run("plugin", "new", "demo", "--path", str(target))
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    assert "Traceback" not in again.output


def test_help_lists_the_command() -> None:
    result = run("plugin", "--help")
    assert result.exit_code == 0 and "new" in result.stdout
