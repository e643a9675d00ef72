"""The ``fork`` process context for plugins that run a pure-Python search in a child.

A pure-Python search holds the GIL, so a second one on a thread shares a core; a child
process gets its own.  Only ``fork`` is offered: ``spawn`` re-runs the caller's main
script in the child, which a user's script without a ``__main__`` guard must not suffer.
Standard streams are flushed first so that buffered output is not written twice.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no ForkContext where there is no fork
    from multiprocessing.context import ForkContext


def fork_context() -> ForkContext | None:
    """The ``fork`` context with stdout and stderr flushed, or None where there is no
    ``fork`` (macOS, Windows): the caller then runs without the child."""
    if "fork" not in mp.get_all_start_methods():
        return None
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return mp.get_context("fork")
