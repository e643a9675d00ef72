"""Ctrl-C during a solve: the first stops the solver and keeps the best answer found,
the second exits at once."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

from optikit.exitcodes import ExitCode


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
