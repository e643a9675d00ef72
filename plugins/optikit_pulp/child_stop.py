"""Stop a solver that PuLP runs as a child process when the run's stop flag is set.

CBC 2.10.3 (PuLP's bundled binary) is a poor judge of Ctrl-C, measured on generated fjsp
and energy MILPs: a SIGINT during its preprocessing is swallowed (the run goes on to its
time limit, even after five SIGINTs), and one during its heuristics or root cut loop is
honoured only when they end, 8-23 s later; in the branch-and-bound it stops at once and
writes its best solution ("Result - User ctrl-c").  A terminal's Ctrl-C goes to the
whole foreground process group, so CBC used to get it directly and make that choice
itself.  Now:

- CBC runs in a session of its own (:class:`SessionSubprocess` stands in for the
  ``subprocess`` module inside PuLP's CBC API), so only optikit signals it;
- when ``stop`` is set, :class:`ChildStopper` sends it one SIGINT, and a SIGKILL if it
  has not finished :data:`KILL_AFTER_S` later (its incumbent is then lost, and the run
  says so), which keeps Ctrl-C's promise of a prompt stop;
- if optikit exits at once (a second Ctrl-C, or a run abandoned past its limit), the
  children are killed first (:func:`optikit.cli.interrupt.on_hard_exit`): none outlives
  optikit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

_POLL_S = 0.05
#: How long CBC may take to stop after its SIGINT before it is killed.  Stopping in the
#: branch-and-bound takes about 0.2 s; the rest of the 3 s Ctrl-C promise is for
#: reading the solution back, checking it and writing the document.
KILL_AFTER_S = 1.0

_local = threading.local()


class SessionSubprocess:
    """The ``subprocess`` module, except that ``Popen`` starts a new session (POSIX)
    and hands the child to the calling thread's :class:`ChildStopper`, if any."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        if os.name == "posix":
            kwargs.setdefault("start_new_session", True)
        child: subprocess.Popen[Any] = subprocess.Popen(*args, **kwargs)
        stopper: ChildStopper | None = getattr(_local, "stopper", None)
        if stopper is not None:
            stopper.adopt(child)
        return child


def run_children_in_own_session(module: ModuleType) -> None:
    """Make ``module`` (one that calls ``subprocess.Popen``) start its children through
    :class:`SessionSubprocess`; idempotent."""
    if not isinstance(getattr(module, "subprocess", None), SessionSubprocess):
        module.subprocess = SessionSubprocess()  # type: ignore[attr-defined]


class ChildStopper:
    """Interrupts, then kills, the children adopted while ``stop`` is set."""

    def __init__(self, stop: threading.Event, kill_after: float = KILL_AFTER_S) -> None:
        self.stop = stop
        self.kill_after = kill_after
        self.children: list[subprocess.Popen[Any]] = []
        self.interrupted = False  # a SIGINT was sent
        self.killed = False  # a child had to be killed (its result is lost)
        self.killed_before_search = False  # ... one started after the stop request
        self._late: set[int] = set()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="optikit-child-stop",
                                        daemon=True)

    def adopt(self, child: subprocess.Popen[Any]) -> None:
        with self._lock:
            self.children.append(child)
            if self.stop.is_set():  # started after the stop request: nothing to keep
                self._late.add(child.pid)

    def kill_all(self) -> None:
        """SIGKILL every child still running (safe from a signal handler)."""
        with contextlib.suppress(Exception):
            for child in list(self.children):
                if child.returncode is None:
                    with contextlib.suppress(OSError):
                        os.kill(child.pid, signal.SIGKILL)

    def _live(self) -> list[subprocess.Popen[Any]]:
        with self._lock:
            return [c for c in self.children if c.poll() is None]

    def _watch(self) -> None:
        while not self.stop.is_set():
            if self._done.wait(_POLL_S):
                return
        signalled: dict[int, float] = {}
        while not self._done.is_set():
            now = time.monotonic()
            for child in self._live():
                sent = signalled.get(child.pid)
                if child.pid in self._late:
                    with contextlib.suppress(OSError):
                        child.kill()
                        self.killed = self.killed_before_search = True
                elif sent is None:
                    signalled[child.pid] = now
                    with contextlib.suppress(OSError):
                        child.send_signal(signal.SIGINT)
                        self.interrupted = True
                elif now - sent >= self.kill_after:
                    with contextlib.suppress(OSError):
                        child.kill()
                        self.killed = True
            self._done.wait(_POLL_S)

    @contextlib.contextmanager
    def watching(self) -> Iterator[ChildStopper]:
        """While the block runs, children this thread starts are adopted and watched."""
        from optikit.cli.interrupt import on_hard_exit

        previous = getattr(_local, "stopper", None)
        _local.stopper = self
        self._thread.start()
        try:
            with on_hard_exit(self.kill_all):
                yield self
        finally:
            _local.stopper = previous
            self._done.set()
            self._thread.join()
