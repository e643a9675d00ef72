"""Isolated registries and a command-line harness bound to one.

Tests must not depend on what else happens to be installed, nor on the developer's
``OPTIKIT_*`` environment variables: everything here starts from an empty environment
and loads exactly the plugins asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from unittest import mock

if TYPE_CHECKING:
    from click.testing import Result

    from optikit.registry import Registry

#: What may be passed as a plugin: a module, a module name, or ``(name, plugin)``.
PluginSpec = ModuleType | str | tuple[str, Any]


def _plugin_name(module_name: str) -> str:
    """Entry-point style name of a module: ``optikit_maintenance`` -> ``maintenance``."""
    last = module_name.rsplit(".", 1)[-1]
    return last.removeprefix("optikit_") or last


def resolve_plugins(plugins: Iterable[PluginSpec]) -> list[tuple[str, Any]]:
    """Normalise plugin specs to ``(name, object)`` pairs, importing module names."""
    out: list[tuple[str, Any]] = []
    for spec in plugins:
        if isinstance(spec, tuple):
            name, obj = spec
            if isinstance(obj, str):
                obj = importlib.import_module(obj)
            out.append((name, obj))
        elif isinstance(spec, str):
            out.append((_plugin_name(spec), importlib.import_module(spec)))
        elif isinstance(spec, ModuleType):
            out.append((_plugin_name(spec.__name__), spec))
        else:
            raise TypeError(f"cannot use {spec!r} as a plugin (module, module name or pair)")
    return out


def isolated_registry(
    *plugins: PluginSpec,
    entry_points: bool = False,
    load: Sequence[str] | None = None,
    plugins_dirs: Sequence[Path | str] = (),
    env: Mapping[str, str] | None = None,
) -> Registry:
    """A fresh registry holding only the given plugins.

    ``entry_points=True`` adds the installed plugins (all of them, or only those named in
    ``load``, like ``OPTIKIT_LOAD_PLUGINS``).  ``env`` replaces the process environment
    for the loader (default: empty), so a developer's settings never leak into a test.
    """
    from optikit.plugins import load_registry

    pairs = resolve_plugins(plugins)
    environment = dict(env or {})
    if load is not None:
        allowed = [*load, *(name for name, _ in pairs)]
        environment["OPTIKIT_LOAD_PLUGINS"] = ",".join(dict.fromkeys(allowed))
    return load_registry(
        entry_points=entry_points,
        plugins_dirs=[Path(d) for d in plugins_dirs],
        plugins=pairs,
        env=environment,
    )


class OptikitCli:
    """Runs ``optikit`` commands in-process against one registry.

    ``invoke("solve", "p.yaml", "--json")`` returns click's ``Result`` (``exit_code``,
    ``stdout``, ``stderr``, ``output``).  The registry given here replaces the
    process-wide one for the duration of each call, so ``--plugins-dir`` on the command
    line has no effect: pass ``plugins_dirs`` to the fixture instead.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def invoke(
        self,
        *args: str | Path,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Result:
        from click.testing import CliRunner

        from optikit.cli import cli

        runner = CliRunner()
        registry = self.registry
        with mock.patch("optikit.plugins.get_registry", lambda *a, **k: registry):
            return runner.invoke(
                cli, [str(a) for a in args], input=input, env=dict(env or {}),
                catch_exceptions=True,
            )

    __call__ = invoke
