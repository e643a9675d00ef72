"""A second swap search in a child process, its best sequences relayed to the solve.

Why a process: the swap search (:mod:`optikit_carseq.localsearch`) is pure Python and
holds the GIL, so during the local-search phase ``--threads 2`` left one core idle.  On
lines whose objective is window excess only (CSPLib files) that phase does all the work:
on set 1 the CP-SAT stages after it found nothing better in any run measured, and one
descent reaches its best after 3 to 20 s depending on the seed.  A second descent on
another seed doubles the tries and takes whichever gets there first.

The child gets the problem, the start sequence, a seed and the deadline
(``time.monotonic`` is system-wide on Linux, so the deadline carries over) and sends
``(cost, sequence)`` on every new best (at most every :data:`SEND_EVERY` seconds, at
once when it reaches the target), then its best and ``("done", moves)``.  The parent
reads the pipe without blocking (:meth:`SearchProcess.collect`) and checks every
sequence itself.  It stops the child with an event; the child ignores Ctrl-C (the
parent owns the terminal) and also stops if the parent is gone.

Only the ``fork`` start method is used (:func:`optikit.forking.fork_context`).  The
child runs only the already imported search and its pipe.  Where there is no ``fork``
or no process can be started, :func:`start` returns ``None`` and the solve goes on with
one search.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from optikit.forking import child_stop_check, fork_context, reap
from optikit_carseq.localsearch import SwapSearch
from optikit_carseq.model import CarSeqProblem

#: The child sends a new best at most this often (seconds), except when it hits the target.
SEND_EVERY = 0.2
#: How long :meth:`SearchProcess.close` waits for the child's last message (seconds).
CLOSE_TIMEOUT_S = 3.0


def _child(problem: CarSeqProblem, start: list[int], seed: int, deadline: float,
           target: int, breakout: int, stop: Any, up: Any) -> None:
    stopped = child_stop_check(stop)
    search = SwapSearch(problem, start, seed)
    sent = [time.monotonic()]

    def improved(cost: int) -> None:
        now = time.monotonic()
        if cost <= target or now - sent[0] >= SEND_EVERY:
            sent[0] = now
            up.send((cost, search.sequence()))

    try:
        search.run(deadline, stopped, target=target, on_improve=improved, stall_moves=None,
                   breakout=breakout)
        up.send((search.cost, search.sequence()))  # run() ends on its best sequence
    finally:
        with contextlib.suppress(OSError, ValueError):
            up.send(("done", search.moves))


class SearchProcess:
    """The parent's handle on one child search: its pipe and its stop event."""

    def __init__(self, proc: Any, stop: Any, up: Any) -> None:
        self.proc = proc
        self.stop_event = stop
        self.up = up
        self.moves = 0
        self.finished = False

    def collect(self, wait: float = 0.0) -> list[tuple[int, list[int]]]:
        """The ``(cost, sequence)`` messages waiting in the pipe (up to ``wait`` s for one)."""
        found: list[tuple[int, list[int]]] = []
        try:
            while not self.finished and self.up.poll(wait):
                message = self.up.recv()
                if message[0] == "done":
                    self.moves, self.finished = int(message[1]), True
                else:
                    found.append((int(message[0]), list(message[1])))
                wait = 0.0
        except (EOFError, OSError):
            self.finished = True
        return found

    def close(self) -> list[tuple[int, list[int]]]:
        """Stop the child; returns the sequences it sent since the last :meth:`collect`."""
        self.stop_event.set()
        found: list[tuple[int, list[int]]] = []
        end = time.monotonic() + CLOSE_TIMEOUT_S
        while not self.finished and time.monotonic() < end:
            found += self.collect(wait=0.05)
        reap(self.proc, end - time.monotonic())
        self.up.close()
        return found


def start(problem: CarSeqProblem, seq: list[int], seed: int, deadline: float, target: int,
          breakout: int) -> SearchProcess | None:
    """Start a swap search from ``seq`` in a child process (None where impossible)."""
    ctx = fork_context()
    if ctx is None:
        return None
    try:
        up_recv, up_send = ctx.Pipe(duplex=False)
        stop = ctx.Event()
        proc = ctx.Process(target=_child, daemon=True,
                           args=(problem, list(seq), seed, deadline, target, breakout, stop,
                                 up_send))
        proc.start()
    except (OSError, AssertionError, ValueError, RuntimeError):
        return None
    up_send.close()
    return SearchProcess(proc, stop, up_recv)
