"""Ctrl-C during a solve: the first stops the solver and keeps the best answer found,
the second exits at once.

Native solvers must leave SIGINT to Python: CP-SAT's ``catch_sigint_signal`` is turned
off on every solver (issue 11), and solvers run as child processes are kept out of the
terminal's process group and killed through :func:`on_hard_exit` when optikit leaves at
once, so that no orphan solver outlives the command.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TypeVar

from optikit.exitcodes import ExitCode

T = TypeVar("T")


class Overrun(Exception):
    """The solve did not return by its hard deadline (a solver ignoring its limit)."""


_hard_exit_hooks: list[Callable[[], None]] = []


@contextlib.contextmanager
def on_hard_exit(hook: Callable[[], None]) -> Iterator[None]:
    """While the block runs, call ``hook`` if optikit exits without waiting for the solve
    (second Ctrl-C, or a solve abandoned past its deadline), e.g. to kill a child solver.

    ``hook`` may run in a signal handler: it must be quick and must not take locks.
    """
    _hard_exit_hooks.append(hook)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            _hard_exit_hooks.remove(hook)


def run_hard_exit_hooks() -> None:
    """Run every registered hook once; a failing hook never stops the exit."""
    for hook in list(_hard_exit_hooks):
        with contextlib.suppress(Exception):
            hook()


def run_interruptible(
    work: Callable[[], T],
    *,
    soft_deadline: float | None = None,
    on_soft_deadline: Callable[[], None] | None = None,
    hard_deadline: float | None = None,
) -> T:
    """Run ``work`` in a worker thread while the main thread stays free for signals.

    Python runs signal handlers in the main thread between bytecodes only; a solver busy
    in native code on the main thread would delay Ctrl-C until it returns.  The main
    thread is also the watchdog: at ``soft_deadline`` (monotonic) it calls
    ``on_soft_deadline`` (which asks the solver to stop), and at ``hard_deadline`` it
    gives up on the worker and raises :class:`Overrun`.
    """
    box: dict[str, object] = {}
    soft_fired = False

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="optikit-solve", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.05)
        now = time.monotonic()
        if not soft_fired and soft_deadline is not None and now >= soft_deadline:
            soft_fired = True
            if on_soft_deadline is not None:
                on_soft_deadline()
        if hard_deadline is not None and now >= hard_deadline and thread.is_alive():
            run_hard_exit_hooks()  # the worker is abandoned: so are its child solvers
            raise Overrun()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


@contextlib.contextmanager
def graceful_interrupts(
    stop: threading.Event, interrupted: threading.Event | None = None
) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        already = interrupted.is_set() if interrupted is not None else stop.is_set()
        if already:
            run_hard_exit_hooks()
            sys.stderr.write("\ninterrupted again: exiting now\n")
            sys.stderr.flush()
            os._exit(int(ExitCode.INTERRUPTED))
        stop.set()
        if interrupted is not None:
            interrupted.set()
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
