"""Ctrl-C during a solve: the first stops the solver and keeps the best answer found,
the second exits at once."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TypeVar

from optikit.exitcodes import ExitCode

T = TypeVar("T")


def run_interruptible(work: Callable[[], T]) -> T:
    """Run ``work`` in a worker thread while the main thread stays free for signals.

    Python runs signal handlers in the main thread between bytecodes only; a solver busy
    in native code on the main thread would delay Ctrl-C until it returns.
    """
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="optikit-solve", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.1)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


@contextlib.contextmanager
def graceful_interrupts(stop: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            sys.stderr.write("\ninterrupted again: exiting now\n")
            sys.stderr.flush()
            os._exit(int(ExitCode.INTERRUPTED))
        stop.set()
        sys.stderr.write(
            "\ninterrupt: stopping the solver and keeping the best solution found "
            "(Ctrl-C again to exit at once)\n"
        )
        sys.stderr.flush()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
