"""Callables that import their module on first use.

A plugin's registration must stay cheap (``optikit --help`` imports every plugin), so
parse, check, solve and plot functions that pull in ortools, numpy or matplotlib are
registered as ``lazy("package.module:function")`` and imported only when a run calls
them.  Part of the plugin API since 1.1.
"""

from __future__ import annotations

import importlib
from typing import Any


class lazy:
    """``lazy("pkg.module:name")(*args)`` imports ``pkg.module`` and calls ``name``."""

    __slots__ = ("_function", "_target")

    def __init__(self, target: str) -> None:
        module, sep, name = target.partition(":")
        if not sep or not module or not name:
            raise ValueError(f"lazy target must look like 'package.module:function': {target!r}")
        self._target = target
        self._function: Any = None

    def resolve(self) -> Any:
        """The target function itself (imported now if it was not yet)."""
        if self._function is None:
            module, _, name = self._target.partition(":")
            self._function = getattr(importlib.import_module(module), name)
        return self._function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"lazy({self._target!r})"
