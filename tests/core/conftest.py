"""Fixtures for core tests: a registry with only the toy plugin, and toy problem files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optikit.plugins import load_registry
from optikit.registry import Registry

HERE = Path(__file__).parent

TOY = {
    "type": "toy-knapsack",
    "capacity": 10,
    "items": [
        {"id": "a", "value": 6, "weight": 5},
        {"id": "b", "value": 5, "weight": 4},
        {"id": "c", "value": 4, "weight": 6},
    ],
}


@pytest.fixture
def toy_registry() -> Registry:
    from tests.core import toy_plugin

    return load_registry(entry_points=False, plugins=[("toy", toy_plugin)], env={})


@pytest.fixture
def toy_dir(tmp_path: Path) -> Path:
    """A plugins directory holding the toy plugin, for CLI runs with --plugins-dir."""
    d = tmp_path / "plugins"
    d.mkdir()
    (d / "toy.py").write_text((HERE / "toy_plugin.py").read_text())
    return d


@pytest.fixture
def toy_file(tmp_path: Path) -> Path:
    path = tmp_path / "toy.json"
    path.write_text(json.dumps(TOY))
    return path


@pytest.fixture
def run(toy_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """Invoke the CLI in-process with only the toy plugin loaded."""
    from click.testing import CliRunner

    from optikit.cli import cli

    monkeypatch.setenv("OPTIKIT_LOAD_PLUGINS", "toy")

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--plugins-dir", str(toy_dir), *args])

    return invoke
