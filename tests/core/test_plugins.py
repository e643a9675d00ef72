"""Plugin loading: isolation of broken plugins, allow/block lists, duplicate names."""

from __future__ import annotations

from pathlib import Path

import pytest

from optikit.plugins import PluginLoadError, load_registry

BROKEN_IMPORT = "raise RuntimeError('cannot start')\n"

BROKEN_REGISTER = """
from optikit import hookimpl

@hookimpl
def register_backends(register):
    raise ValueError('bad backend table')
"""

HALF_REGISTERED = """
from optikit import hookimpl
from tests.core.toy_plugin import BruteBackend

class Other(BruteBackend):
    name = "other"

@hookimpl
def register_backends(register):
    register(Other())
    raise ValueError('second backend failed')
"""

UNKNOWN_HOOK = """
from optikit import hookimpl

@hookimpl
def register_solverz(register):
    pass
"""

BAD_ARGS = """
from optikit import hookimpl

@hookimpl
def register_backends(register, extra_argument):
    pass
"""

DUPLICATE_BACKEND = """
from optikit import hookimpl
from tests.core.toy_plugin import BruteBackend

@hookimpl
def register_backends(register):
    register(BruteBackend())
"""



def _dir(tmp_path: Path, files: dict[str, str]) -> Path:
    d = tmp_path / "plugins"
    d.mkdir(exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(text)
    return d


def _status(registry, name):
    return {p.name: p for p in registry.plugins}[name]


def test_toy_plugin_registers_everything(toy_registry):
    assert "toy-knapsack" in toy_registry.problem_types
    assert "brute" in toy_registry.backends
    record = _status(toy_registry, "toy")
    assert record.status == "ok"
    assert "backend brute" in record.provides
    assert toy_registry.owner[("backend", "brute")] == "toy"


def test_a_backend_is_looked_up_as_its_paradigm_class(toy_registry):
    from optikit.paradigms import CpSatBackend
    from optikit.types import UsageError
    from tests.core.toy_plugin import BruteBackend

    assert isinstance(toy_registry.backend_of("brute", BruteBackend), BruteBackend)
    with pytest.raises(UsageError, match="'brute' is not a CpSatBackend"):
        toy_registry.backend_of("brute", CpSatBackend)
    with pytest.raises(UsageError, match="unknown solver"):
        toy_registry.backend_of("no-such", BruteBackend)


@pytest.mark.parametrize(
    ("source", "error_part"),
    [
        (BROKEN_IMPORT, "RuntimeError: cannot start"),
        (BROKEN_REGISTER, "ValueError: bad backend table"),
        (UNKNOWN_HOOK, "unknown hook(s): register_solverz"),
        (BAD_ARGS, "extra_argument"),
    ],
)
def test_a_broken_plugin_is_recorded_and_the_others_keep_working(
    tmp_path, toy_dir, source, error_part
):
    broken = _dir(tmp_path, {"zz_broken.py": source})
    registry = load_registry(entry_points=False, plugins_dirs=[toy_dir, broken], env={})
    record = _status(registry, "zz_broken")
    assert record.status == "broken"
    assert error_part in record.error
    assert "brute" in registry.backends and "toy-knapsack" in registry.problem_types


def test_a_failed_registration_is_rolled_back_whole(tmp_path, toy_dir):
    broken = _dir(tmp_path, {"half.py": HALF_REGISTERED})
    registry = load_registry(entry_points=False, plugins_dirs=[toy_dir, broken], env={})
    assert _status(registry, "half").status == "broken"
    assert "other" not in registry.backends
    assert registry.pm.get_plugin("half") is None


def test_duplicate_names_break_the_second_plugin_only(tmp_path, toy_dir):
    dup = _dir(tmp_path, {"zz_dup.py": DUPLICATE_BACKEND})
    registry = load_registry(entry_points=False, plugins_dirs=[toy_dir, dup], env={})
    record = _status(registry, "zz_dup")
    assert record.status == "broken"
    assert "already registered by plugin 'toy'" in record.error
    assert registry.owner[("backend", "brute")] == "toy"


def test_strict_mode_raises(tmp_path):
    broken = _dir(tmp_path, {"zz_broken.py": BROKEN_IMPORT})
    with pytest.raises(PluginLoadError, match="zz_broken"):
        load_registry(
            entry_points=False, plugins_dirs=[broken], env={"OPTIKIT_STRICT_PLUGINS": "1"}
        )


def test_block_and_allow_lists(toy_dir):
    blocked = load_registry(
        entry_points=False, plugins_dirs=[toy_dir], env={"OPTIKIT_DISABLE_PLUGINS": "toy"}
    )
    assert "brute" not in blocked.backends
    assert _status(blocked, "toy").status == "blocked"
    none_allowed = load_registry(
        entry_points=False, plugins_dirs=[toy_dir], env={"OPTIKIT_LOAD_PLUGINS": ""}
    )
    assert _status(none_allowed, "toy").status == "blocked"
    allowed = load_registry(
        entry_points=False, plugins_dirs=[toy_dir], env={"OPTIKIT_LOAD_PLUGINS": "toy"}
    )
    assert "brute" in allowed.backends


def test_plugins_dir_from_environment(toy_dir):
    registry = load_registry(entry_points=False, env={"OPTIKIT_PLUGINS_DIR": str(toy_dir)})
    assert "toy-knapsack" in registry.problem_types


def test_missing_plugins_dir_is_reported(tmp_path):
    registry = load_registry(entry_points=False, plugins_dirs=[tmp_path / "nope"], env={})
    assert registry.plugins[0].status == "broken"
    assert "does not exist" in registry.plugins[0].error


def test_built_in_plugins_load_through_entry_points():
    registry = load_registry(env={})
    names = {p.name for p in registry.plugins}
    assert {"blend", "fjsp", "energy", "ortools", "pulp", "highs"} <= names
    assert all(p.source.startswith("entry point") for p in registry.plugins)


def test_observer_hook_failures_are_isolated(toy_registry, capsys):
    from optikit import hookimpl

    calls = []

    class Bad:
        @hookimpl
        def before_solve(self, run):
            raise RuntimeError("observer bug")

    class Good:
        @hookimpl
        def before_solve(self, run):
            calls.append(run["name"])

    toy_registry.pm.register(Bad(), name="bad")
    toy_registry.pm.register(Good(), name="good")
    toy_registry.notify("before_solve", run={"name": "x"})
    toy_registry.notify("before_solve", run={"name": "y"})
    assert calls == ["x", "y"]
    err = capsys.readouterr().err
    assert err.count("observer bug") == 1  # reported once, then muted
