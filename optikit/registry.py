"""What the loaded plugins registered, and safe calls of the observer hooks."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pluggy

from optikit.types import Availability, Backend, ProblemType, Reader, UsageError

B = TypeVar("B", bound=Backend)


@dataclass
class PluginRecord:
    """One plugin as ``optikit plugins`` shows it."""

    name: str
    source: str
    version: str = ""
    status: str = "ok"  # ok | broken | blocked
    error: str = ""
    detail: str = ""  # full traceback of a failure, for --verbose and strict mode
    hooks: list[str] = field(default_factory=list)
    provides: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "version": self.version,
            "status": self.status,
            "error": self.error,
            "hooks": self.hooks,
            "provides": self.provides,
        }


def _closest(name: str, known: Iterable[str]) -> str:
    import difflib

    known = sorted(known)
    hint = difflib.get_close_matches(name, known, n=1)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
    return f"(known: {', '.join(known) or 'none'}){suggestion}"


class Registry:
    """Problem types, backends and readers, each owned by the plugin that registered it."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.plugins: list[PluginRecord] = []
        self.problem_types: dict[str, ProblemType] = {}
        self.backends: dict[str, Backend] = {}
        self.readers: dict[str, Reader] = {}  # by lower-case extension, with the dot
        self.owner: dict[tuple[str, str], str] = {}
        self._muted: set[tuple[str, int]] = set()
        self._availability: dict[str, Availability] = {}

    # -- look-ups with messages a user can act on ---------------------------------------
    def problem_type(self, name: str) -> ProblemType:
        try:
            return self.problem_types[name]
        except KeyError:
            raise UsageError(
                f"unknown problem type {name!r} {_closest(name, self.problem_types)}"
                + self._broken_note()
            ) from None

    def backend(self, name: str) -> Backend:
        try:
            return self.backends[name]
        except KeyError:
            raise UsageError(
                f"unknown solver {name!r} {_closest(name, self.backends)}" + self._broken_note()
            ) from None

    def backend_of(self, name: str, kind: type[B]) -> B:
        """:meth:`backend`, typed as a paradigm's backend class (``CpSatBackend``, say), so
        that notebooks and tests calling its ``solve`` are type-checked against it."""
        found = self.backend(name)
        if not isinstance(found, kind):
            raise UsageError(f"solver {name!r} is not a {kind.__name__}")
        return found

    def availability(self, backend: Backend) -> Availability:
        """The backend's probe, run once per process (probes import solver libraries)."""
        found = self._availability.get(backend.name)
        if found is None:
            try:
                found = backend.availability()
            except Exception as exc:  # a probe must not raise; if it does, say so
                found = Availability(False, f"availability probe failed: {exc}")
            self._availability[backend.name] = found
        return found

    def available_backend(self, name: str) -> Backend | None:
        """The backend of that name if it is registered and can run here, else None."""
        found = self.backends.get(name)
        return found if found is not None and self.availability(found).available else None

    def reader_for(self, path: Path) -> Reader | None:
        return self.readers.get(path.suffix.lower())

    @property
    def broken(self) -> list[PluginRecord]:
        return [p for p in self.plugins if p.status == "broken"]

    def _broken_note(self) -> str:
        names = [p.name for p in self.broken]
        return f" (plugins that failed to load: {', '.join(names)})" if names else ""

    # -- observer hooks -----------------------------------------------------------------
    def notify(self, hook_name: str, **kwargs: Any) -> None:
        """Call an observer hook on every plugin, isolating each implementation.

        A failing implementation is reported once on stderr and skipped for the rest of
        the process, so one plugin's bug never stops a solve or another plugin.
        """
        caller = getattr(self.pm.hook, hook_name)
        for impl in caller.get_hookimpls():
            key = (hook_name, id(impl))
            if key in self._muted:
                continue
            try:
                impl.function(*[kwargs[a] for a in impl.argnames])
            except Exception as exc:
                self._muted.add(key)
                print(
                    f"warning: plugin {impl.plugin_name!r} failed in hook {hook_name}: "
                    f"{type(exc).__name__}: {exc} (skipped from now on)",
                    file=sys.stderr,
                )

    def collect(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a query hook on every plugin: (plugin name, answer) for each answer that
        is not None.  A failing implementation is reported on stderr and skipped."""
        answers: list[tuple[str, Any]] = []
        caller = getattr(self.pm.hook, hook_name, None)
        for impl in caller.get_hookimpls() if caller is not None else []:
            try:
                answer = impl.function(*[kwargs[a] for a in impl.argnames])
            except Exception as exc:
                print(
                    f"warning: plugin {impl.plugin_name!r} failed in hook {hook_name}: "
                    f"{type(exc).__name__}: {exc} (ignored)",
                    file=sys.stderr,
                )
                continue
            if answer is not None:
                answers.append((impl.plugin_name, answer))
        return answers


def call_plugin_hook(
    pm: pluggy.PluginManager, plugin: object, hook_name: str, **kwargs: Any
) -> None:
    """Call ``hook_name`` on one plugin only (registration hooks run plugin by plugin)."""
    caller = getattr(pm.hook, hook_name)
    for impl in caller.get_hookimpls():
        if impl.plugin is plugin:
            fn: Callable[..., Any] = impl.function
            fn(*[kwargs[a] for a in impl.argnames])
