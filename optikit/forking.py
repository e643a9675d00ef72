"""The ``fork`` process context for plugins that run a pure-Python search in a child.

A pure-Python search holds the GIL, so a second one on a thread shares a core; a child
process gets its own.  Only ``fork`` is offered: ``spawn`` re-runs the caller's main
script in the child, which a user's script without a ``__main__`` guard must not suffer.
Standard streams are flushed first so that buffered output is not written twice.
The child side (:func:`child_stop_check`) and the parent side (:func:`reap`) of stopping
such a child live here too, so that every plugin stops its children the same way.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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


def child_stop_check(stop: Any) -> Callable[[], bool]:
    """In a forked child: ignore Ctrl-C (the parent owns the terminal and sets ``stop``)
    and return the child's stop test.

    The test is also true once the parent is gone: a parent that exited at once (a
    second Ctrl-C) never sets the event, and the re-parented child must not run on alone
    until its deadline.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def stopped() -> bool:
        return bool(stop.is_set()) or os.getppid() != parent

    return stopped


def reap(proc: Any, timeout: float) -> None:
    """Wait up to ``timeout`` s for a child told to stop; terminate one that ignores it."""
    proc.join(timeout=max(0.0, timeout))
    if proc.is_alive():  # pragma: no cover - a child that ignores its stop event
        proc.terminate()
        proc.join()
