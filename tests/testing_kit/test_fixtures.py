"""The pytest plugin's fixtures: isolated registries and a CLI bound to one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from optikit.testing import isolated_registry
from tests.testing_kit import flawed_plugin


def test_the_plugin_is_registered_with_pytest(pytestconfig: pytest.Config) -> None:
    names = {name for name, _ in pytestconfig.pluginmanager.list_name_plugin()}
    assert "optikit" in names  # the pytest11 entry point of the optikit distribution


def test_registry_holds_only_the_given_plugin(optikit_registry: Any) -> None:
    registry = optikit_registry(("mini", flawed_plugin.make_plugin("honest")))
    assert sorted(registry.problem_types) == ["mini-knapsack"]
    assert sorted(registry.backends) == ["mini-brute"]
    assert [p.name for p in registry.plugins] == ["mini"]


def test_environment_of_the_developer_does_not_leak(optikit_registry: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPTIKIT_DISABLE_PLUGINS", "mini")
    registry = optikit_registry(("mini", flawed_plugin.make_plugin("honest")))
    assert "mini-knapsack" in registry.problem_types


def test_entry_points_can_be_restricted(optikit_registry: Any) -> None:
    registry = optikit_registry(entry_points=True, load=["ortools"])
    assert "cpsat" in registry.backends
    assert {p.name for p in registry.plugins if p.status == "ok"} == {"ortools"}
    blocked = {p.name for p in registry.plugins if p.status == "blocked"}
    assert blocked and "ortools" not in blocked


def test_plugins_by_module_name_and_by_module() -> None:
    by_name = isolated_registry("tests.core.toy_plugin")
    from tests.core import toy_plugin

    by_module = isolated_registry(toy_plugin)
    assert [p.name for p in by_name.plugins] == [p.name for p in by_module.plugins] == [
        "toy_plugin"
    ]
    with pytest.raises(TypeError):
        isolated_registry(42)


def test_cli_sees_only_its_registry(optikit_cli: Any, tmp_path: Path) -> None:
    cli = optikit_cli(("mini", flawed_plugin.make_plugin("honest")))
    report = json.loads(cli.invoke("plugins", "--json").stdout)
    assert [t["name"] for t in report["problem_types"]] == ["mini-knapsack"]
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps(flawed_plugin.make_plugin("honest").generate(1, "tiny")))
    result = cli.invoke("solve", problem, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["solver"] == "mini-brute"
    assert cli.invoke("solve", tmp_path / "missing.json").exit_code == 2


def test_cli_without_plugins_binds_to_installed_entry_points(optikit_cli: Any) -> None:
    cli = optikit_cli(load=["ortools"])
    report = json.loads(cli.invoke("plugins", "--json").stdout)
    assert "cpsat" in [b["name"] for b in report["backends"]]
