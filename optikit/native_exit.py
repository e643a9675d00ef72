"""Native solver calls still running when the interpreter exits.

A solver's C++ threads must not be running when the interpreter tears itself down: the
runtime then aborts the process ("terminate called without an active exception", exit
status 134) after the script's work was done.  That happens when a script or notebook
ends while a solve runs on a daemon thread (its own, or a formulation's side thread).

Every native call that may run long is made inside :func:`in_flight`, with a function
that asks it to stop.  Just before the interpreter waits for its threads at exit, the
hook below calls each of those functions and waits (at most :data:`EXIT_WAIT_S`) for
the calls to return.  A daemon thread that tries to start a call after that point is
parked for good instead (the interpreter never runs it again); a non-daemon one, which
the interpreter waits for anyway, makes its call with its stop already asked for (the
HiGHS backend then returns at its first check; CP-SAT forgets a stop asked before its
search and runs to its limit).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Longest wait at exit for the calls in flight to honour their stop.
EXIT_WAIT_S = 30.0

_lock = threading.Condition()
_stops: dict[int, Callable[[], None]] = {}
_exiting = threading.Event()
_next_key = 0


def park_if_exiting() -> None:
    """On a daemon thread once the exit hook has run: never return (the interpreter is
    ending and will not run this thread again; no new native call may start)."""
    if _exiting.is_set() and threading.current_thread().daemon:
        threading.Event().wait()


@contextmanager
def in_flight(stop: Callable[[], None]) -> Iterator[None]:
    """Run the ``with`` body (one native call) known to the exit hook; ``stop`` must make
    the call return soon and be callable from any thread."""
    global _next_key
    park_if_exiting()
    if _exiting.is_set():
        stop()
    with _lock:
        _next_key += 1
        key = _next_key
        _stops[key] = stop
    try:
        yield
    finally:
        with _lock:
            _stops.pop(key, None)
            _lock.notify_all()


def stop_all_and_wait(timeout: float = EXIT_WAIT_S) -> bool:
    """Ask every call in flight to stop and wait for them (True when none is left)."""
    _exiting.set()
    with _lock:
        stops = list(_stops.values())
    for stop in stops:
        with contextlib.suppress(Exception):  # a failing stop must not block the others
            stop()
    with _lock:
        return _lock.wait_for(lambda: not _stops, timeout)


# Called before the interpreter joins its non-daemon threads (atexit would come after).
_register = getattr(threading, "_register_atexit", None)
if _register is not None:
    _register(stop_all_and_wait)
