"""Interrupt a solver that PuLP runs as a child process, when the run's stop flag is set.

PuLP starts CBC with ``subprocess.Popen`` inside ``solve`` and keeps the handle to
itself, so the child is found the way the OS sees it: a process whose parent is us and
whose executable is the solver binary.  CBC answers SIGINT like Ctrl-C: it stops the
search and still writes its best solution, which PuLP then reads.

Only Linux exposes this through ``/proc``; elsewhere a stop request waits for the
solver's time limit (Ctrl-C in a terminal still reaches CBC directly, as it shares
the terminal's process group).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

_POLL_S = 0.05
# After a stop request, give a child that already received the terminal's Ctrl-C this
# long to finish before sending our own SIGINT (a second one may abort it without output).
_GRACE_S = 0.5


def solver_children(executable: str) -> list[int]:
    """PIDs of our child processes running ``executable`` (empty where /proc is missing)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    target = os.path.realpath(executable)
    me = os.getpid()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == me and os.path.realpath(entry / "exe") == target:
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue  # the process ended, or is not ours to inspect
    return found


@contextlib.contextmanager
def interrupt_children_on(stop: threading.Event, executable: str) -> Iterator[list[int]]:
    """While the block runs, SIGINT our ``executable`` children once ``stop`` is set.

    Yields the list of PIDs that were interrupted (filled in by the watcher thread).
    """
    done = threading.Event()
    interrupted: list[int] = []

    def watch() -> None:
        while not stop.is_set():
            if done.wait(_POLL_S):
                return
        if done.wait(_GRACE_S):
            return
        # Keep looking until the block ends: the child may not have started yet.
        while True:
            for pid in solver_children(executable):
                if pid not in interrupted:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGINT)
                        interrupted.append(pid)
            if done.wait(_POLL_S * 4):
                return

    thread = threading.Thread(target=watch, name="optikit-child-stop", daemon=True)
    thread.start()
    try:
        yield interrupted
    finally:
        done.set()
        thread.join()
