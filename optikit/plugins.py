"""Plugin discovery and loading, one plugin at a time.

Order: installed entry points of the group ``optikit`` (built-in plugins are registered
the same way), then modules from plugin directories (``--plugins-dir`` or
``OPTIKIT_PLUGINS_DIR``, for prototyping without packaging).

Environment:

- ``OPTIKIT_LOAD_PLUGINS=a,b``: load only these plugins (an empty value loads none);
- ``OPTIKIT_DISABLE_PLUGINS=a,b``: never load these;
- ``OPTIKIT_PLUGINS_DIR=dir1:dir2``: extra plugin directories (``*.py`` files and packages);
- ``OPTIKIT_STRICT_PLUGINS=1``: a plugin that fails to load is an error, not a warning;
- ``OPTIKIT_TRACE_PLUGINS=1``: print every hook call to stderr;
- ``OPTIKIT_PLUGIN_IMPORT_TIMEOUT=S``: a plugin whose import takes longer than S seconds
  (default 5) is reported as broken and loading goes on (its import is left running in
  a background thread), so one hanging plugin cannot stall every command.

A plugin whose import, registration or hook validation fails is rolled back: nothing it
registered is kept, it is recorded as ``broken`` with its error, and loading goes on.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import math
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pluggy

from optikit import hookspecs
from optikit.registry import PluginRecord, Registry, call_plugin_hook
from optikit.types import Backend, OptikitError, ProblemType, Reader

ENTRY_POINT_GROUP = "optikit"
DEFAULT_IMPORT_TIMEOUT = 5.0
REGISTRATION_HOOKS = ("register_problem_types", "register_backends", "register_readers")


T = TypeVar("T")


class PluginLoadError(OptikitError):
    """Raised in strict mode when a plugin cannot be loaded."""


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def import_timeout(env: Mapping[str, str]) -> float:
    raw = env.get("OPTIKIT_PLUGIN_IMPORT_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_IMPORT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise PluginLoadError(
            f"OPTIKIT_PLUGIN_IMPORT_TIMEOUT: must be a positive number of seconds, not {raw!r}"
        )
    return value


class ImportTimeout(Exception):
    """A plugin's import did not finish in time."""


def _bounded(load: Callable[[], T], timeout: float) -> T:
    """``load()`` in a daemon thread, given up after ``timeout`` seconds."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = load()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=work, name="optikit-plugin-import", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise ImportTimeout(f"import did not finish within {timeout:g} s (still running)")
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


def _error_line(exc: BaseException, limit: int = 400) -> str:
    """The exception as one line (multi-line messages folded), for listings."""
    text = " ".join(str(exc).split())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{type(exc).__name__}: {text}".rstrip(": ")


class _Staging:
    """Collects one plugin's registrations so they can be committed or dropped whole."""

    def __init__(self, registry: Registry, plugin_name: str) -> None:
        self.registry = registry
        self.plugin_name = plugin_name
        self.problem_types: dict[str, ProblemType] = {}
        self.backends: dict[str, Backend] = {}
        self.readers: dict[str, Reader] = {}

    def _taken(self, kind: str, name: str, mine: Mapping[str, Any]) -> None:
        owner = self.registry.owner.get((kind, name))
        if owner is not None or name in mine:
            by = f" by plugin {owner!r}" if owner else " twice"
            raise ValueError(f"{kind} {name!r} is already registered{by}")

    def problem_type(self, ptype: ProblemType) -> None:
        if not isinstance(ptype, ProblemType):
            raise TypeError(f"register_problem_types expects ProblemType, got {type(ptype)}")
        if not ptype.name:
            raise ValueError("a problem type needs a name")
        self._taken("problem type", ptype.name, self.problem_types)
        # The schema itself is checked lazily (by `optikit plugins`, the testing kit, and
        # the first time a document fails the fast validator): checking it here would cost
        # every command a metaschema walk.
        if not isinstance(ptype.schema, Mapping):
            raise TypeError(f"problem type {ptype.name!r}: schema must be a mapping")
        if not ptype.formulations:
            raise ValueError(f"problem type {ptype.name!r} has no formulation")
        self.problem_types[ptype.name] = ptype

    def backend(self, backend: Backend) -> None:
        if not isinstance(backend, Backend):
            raise TypeError(f"register_backends expects a Backend instance, got {type(backend)}")
        if not backend.name or not backend.paradigm:
            raise ValueError(f"backend {backend!r} needs a name and a paradigm")
        self._taken("backend", backend.name, self.backends)
        self.backends[backend.name] = backend

    def reader(self, reader: Reader) -> None:
        if not isinstance(reader, Reader):
            raise TypeError(f"register_readers expects Reader, got {type(reader)}")
        for ext in reader.extensions:
            key = ext.lower() if ext.startswith(".") else f".{ext.lower()}"
            self._taken("reader for", key, self.readers)
            self.readers[key] = reader

    def commit(self, record: PluginRecord) -> None:
        reg = self.registry
        for name, ptype in self.problem_types.items():
            reg.problem_types[name] = ptype
            reg.owner[("problem type", name)] = self.plugin_name
            record.provides.append(f"problem type {name}")
        for name, backend in self.backends.items():
            reg.backends[name] = backend
            reg.owner[("backend", name)] = self.plugin_name
            record.provides.append(f"backend {name}")
        for ext, reader in self.readers.items():
            reg.readers[ext] = reader
            reg.owner[("reader for", ext)] = self.plugin_name
            record.provides.append(f"reader {ext}")


class PluginLoader:
    """Builds a :class:`Registry` from entry points, plugin directories and objects."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env
        self.strict = self.env.get("OPTIKIT_STRICT_PLUGINS", "") not in ("", "0")
        self.allow = _split(self.env.get("OPTIKIT_LOAD_PLUGINS"))
        self.block = set(_split(self.env.get("OPTIKIT_DISABLE_PLUGINS")) or [])
        self.import_timeout = import_timeout(self.env)
        pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        pm.add_hookspecs(hookspecs)
        if self.env.get("OPTIKIT_TRACE_PLUGINS", "") not in ("", "0"):
            pm.trace.root.setwriter(lambda msg: print(msg, end="", file=sys.stderr))
            pm.enable_tracing()
        self.registry = Registry(pm)

    # -- public ---------------------------------------------------------------------------
    def load_entry_points(self) -> None:
        eps = sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
        )
        seen: set[str] = set()
        for ep in eps:
            if ep.name in seen:  # the same distribution visible twice on sys.path
                continue
            seen.add(ep.name)
            dist = getattr(ep, "dist", None)
            version = dist.version if dist is not None else ""
            source = f"entry point {ep.value}" + (f" ({dist.name})" if dist is not None else "")
            if self._is_blocked(ep.name, source, version):
                continue
            record = PluginRecord(ep.name, source, version)
            try:
                module = _bounded(ep.load, self.import_timeout)
            except BaseException as exc:
                self._fail(record, exc)
                continue
            self._register(module, record)

    def load_directory(self, directory: Path) -> None:
        directory = Path(directory)
        if not directory.is_dir():
            self._fail(
                PluginRecord(directory.name, f"plugins dir {directory}"),
                FileNotFoundError(f"plugins directory {directory} does not exist"),
            )
            return
        for path in sorted(directory.iterdir()):
            if path.name.startswith(("_", ".")):
                continue
            if path.suffix == ".py":
                target = path
            elif path.is_dir() and (path / "__init__.py").is_file():
                target = path / "__init__.py"
            else:
                continue
            name = path.stem
            source = f"plugins dir {path}"
            if self._is_blocked(name, source, ""):
                continue
            record = PluginRecord(name, source)
            try:
                load = functools.partial(
                    self._import_file, name, target, package=target.name == "__init__.py"
                )
                module = _bounded(load, self.import_timeout)
            except BaseException as exc:
                self._fail(record, exc)
                continue
            self._register(module, record)

    def load_object(self, plugin: object, name: str, source: str = "in-process") -> None:
        """Register an already-imported plugin object (tests, embedding applications)."""
        if self._is_blocked(name, source, ""):
            return
        self._register(plugin, PluginRecord(name, source))

    # -- internals ------------------------------------------------------------------------
    def _is_blocked(self, name: str, source: str, version: str) -> bool:
        reason = ""
        if name in self.block:
            reason = "blocked by OPTIKIT_DISABLE_PLUGINS"
        elif self.allow is not None and name not in self.allow:
            reason = "not listed in OPTIKIT_LOAD_PLUGINS"
        if reason:
            self.registry.plugins.append(
                PluginRecord(name, source, version, status="blocked", error=reason)
            )
            self.registry.pm.set_blocked(name)
        return bool(reason)

    @staticmethod
    def _import_file(name: str, path: Path, package: bool) -> ModuleType:
        module_name = f"optikit_local_{name}"
        spec = importlib.util.spec_from_file_location(
            module_name,
            path,
            submodule_search_locations=[str(path.parent)] if package else None,
        )
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module_name, None)
            raise
        return module

    def _register(self, plugin: object, record: PluginRecord) -> None:
        pm = self.registry.pm
        staging = _Staging(self.registry, record.name)
        callbacks = {
            "register_problem_types": staging.problem_type,
            "register_backends": staging.backend,
            "register_readers": staging.reader,
        }
        try:
            if pm.is_registered(plugin):
                raise ValueError("this plugin object is already registered under another name")
            pm.register(plugin, name=record.name)
        except BaseException as exc:
            self._fail(record, exc)
            return
        try:
            unknown = [
                impl.function.__name__
                for caller in pm.get_hookcallers(plugin) or []
                for impl in caller.get_hookimpls()
                if impl.plugin is plugin and not caller.has_spec() and not impl.optionalhook
            ]
            if unknown:
                raise ValueError(f"implements unknown hook(s): {', '.join(sorted(unknown))}")
            for hook in REGISTRATION_HOOKS:
                call_plugin_hook(pm, plugin, hook, register=callbacks[hook])
        except BaseException as exc:
            pm.unregister(plugin)
            self._fail(record, exc)
            return
        record.hooks = sorted(
            {caller.name for caller in pm.get_hookcallers(plugin) or []}
        )
        staging.commit(record)
        self.registry.plugins.append(record)

    def _fail(self, record: PluginRecord, exc: BaseException) -> None:
        if isinstance(exc, KeyboardInterrupt):
            raise exc
        record.status = "broken"
        record.error = _error_line(exc)
        record.detail = "".join(traceback.format_exception(exc))
        self.registry.plugins.append(record)
        if self.strict:
            raise PluginLoadError(f"plugin {record.name!r} failed to load: {record.error}") from exc


def load_registry(
    *,
    entry_points: bool = True,
    plugins_dirs: Sequence[Path] = (),
    plugins: Iterable[tuple[str, object]] = (),
    env: Mapping[str, str] | None = None,
) -> Registry:
    """Build a fresh registry.  Tests pass ``entry_points=False`` and their own plugins."""
    loader = PluginLoader(env)
    if entry_points:
        loader.load_entry_points()
    env_dirs = loader.env.get("OPTIKIT_PLUGINS_DIR", "")
    dirs = [*plugins_dirs, *(Path(d) for d in env_dirs.split(os.pathsep) if d)]
    for directory in dirs:
        loader.load_directory(directory)
    for name, plugin in plugins:
        loader.load_object(plugin, name)
    return loader.registry


_REGISTRY: Registry | None = None
_REGISTRY_KEY: tuple[str, ...] | None = None
_ENV_KEYS = (
    "OPTIKIT_LOAD_PLUGINS",
    "OPTIKIT_DISABLE_PLUGINS",
    "OPTIKIT_PLUGINS_DIR",
    "OPTIKIT_STRICT_PLUGINS",
    "OPTIKIT_TRACE_PLUGINS",
)


def get_registry(plugins_dirs: Sequence[Path] = (), refresh: bool = False) -> Registry:
    """The process-wide registry, loaded once per set of plugin directories and settings."""
    global _REGISTRY, _REGISTRY_KEY
    key = tuple(str(Path(d).resolve()) for d in plugins_dirs) + tuple(
        f"{k}={os.environ.get(k)}" for k in _ENV_KEYS
    )
    if refresh or _REGISTRY is None or key != _REGISTRY_KEY:
        _REGISTRY = load_registry(plugins_dirs=plugins_dirs)
        _REGISTRY_KEY = key
    return _REGISTRY
