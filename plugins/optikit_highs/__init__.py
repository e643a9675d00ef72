"""The ``highs`` backend: LP/MILP through highspy, with the model's arrays passed in one call.

highspy is imported lazily (in :mod:`optikit_highs.backend` functions), so registering this
plugin costs nothing when another solver is used.
"""

from __future__ import annotations

from collections.abc import Callable

from optikit import hookimpl
from optikit.types import Backend
from optikit_highs.backend import HighsBackend

__all__ = ["HighsBackend"]


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    register(HighsBackend())
