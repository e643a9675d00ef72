"""A tabu walk in a child process, sharing the incumbent with the solving process.

Why a process: the tabu search is pure Python, so on a thread it holds the GIL and two
walks (or a walk and the LNS model building) share one core.  A child process gets a
core of its own.  The child receives the flat shop, a start schedule, a seed and the
deadline (``time.monotonic`` is system-wide on Linux, so the deadline carries over);
it sends every new best to the parent and picks up the parent's better schedules when
it restarts.  The parent stops it with an event; the child ignores Ctrl-C (the parent
owns the terminal and sets the event).

Only the ``fork`` start method is used (:func:`optikit.forking.fork_context`: ``spawn``
re-runs the caller's main script in the child).  The child touches only the tabu code,
already imported, and its own pipes, so forking a process with other threads is safe
here.  Where there is no ``fork`` (macOS, Windows) or
no process can be started (a daemonic worker), :func:`start_walk` returns ``None`` and
the caller falls back to a thread.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable
from typing import Any

from optikit.forking import child_stop_check, fork_context, reap
from optikit_fjsp.incumbent import SharedIncumbent
from optikit_fjsp.model import FlatShop
from optikit_fjsp.timetable import Solution

START_TIMEOUT_S = 10.0


class _PipeIncumbent:
    """The child's view of the shared incumbent: offers go up, better schedules come down."""

    def __init__(self, up: Any, down: Any, value: float, best: Solution) -> None:
        self.up = up
        self.down = down
        self.value = value
        self.best = best
        self.version = 0

    def offer(self, solution: Solution, value: float, source: str = "") -> bool:
        self._drain()
        if value >= self.value - 1e-9:
            return False
        self.best, self.value = solution, value
        self.version += 1
        self._publish()
        return True

    def _publish(self) -> None:
        """Send the new best up to the parent (at once here)."""
        self.up.send((self.best.modes, self.best.starts, self.value))

    def snapshot(self) -> tuple[Solution, float, int]:
        self._drain()
        return self.best, self.value, self.version

    def _drain(self) -> None:
        while self.down.poll():
            modes, starts, value = self.down.recv()
            if value < self.value - 1e-9:
                self.best, self.value = Solution(modes, starts), value
                self.version += 1


def _child(
    flat: FlatShop,
    start: Solution,
    value: float,
    seed: int,
    deadline: float,
    stop: Any,
    up: Any,
    down: Any,
    settings: dict[str, int],
) -> None:
    stopped = child_stop_check(stop)
    from optikit_fjsp.relinking import RelinkSearch, RelinkSettings  # imported: fork copied them
    from optikit_fjsp.tabu import TabuSearch, new_walk

    shared = _PipeIncumbent(up, down, value, start)
    if settings.get("relink"):
        relinker = RelinkSearch(flat, start, random.Random(seed),
                                RelinkSettings(compiled=bool(settings.get("compiled", 1))))
        try:
            relinker.run(deadline, stop=stopped, incumbent=shared)
        finally:
            with contextlib.suppress(OSError, ValueError):
                up.send(("done", relinker.iteration, relinker.relinks))
        return
    # Elite restarts and single-path candidates exist in the reference walk only.
    reference_only = settings.get("elite_size") or settings.get("single_path")
    compiled = bool(settings.get("compiled", 1)) and not reference_only
    search = new_walk(flat, start, random.Random(seed), compiled=compiled)
    search.perturbation = settings.get("perturbation", search.perturbation)
    if isinstance(search, TabuSearch):
        search.elite_size = settings.get("elite_size", search.elite_size)
        search.single_path = bool(settings.get("single_path", search.single_path))
    try:
        search.run(
            deadline,
            stop=stopped,
            incumbent=shared,  # type: ignore[arg-type]
            restart_iterations=settings.get("restart_iterations"),
        )
    finally:
        with contextlib.suppress(OSError, ValueError):
            up.send(("done", search.iteration))


class TabuWalk:
    """The parent's handle on one child walk: a relay thread and the stop event."""

    def __init__(self, proc: Any, stop: Any, up: Any, down: Any, shared: SharedIncumbent) -> None:
        self.proc = proc
        self.stop_event = stop
        self.up = up
        self.down = down
        self.shared = shared
        self.iterations = 0
        self.relinks: int | None = None  # relinks done (a relinking walk only)
        self.sent_version = shared.version
        self._closed = threading.Event()
        self._relay = threading.Thread(target=self._run, daemon=True)
        self._relay.start()

    def _run(self) -> None:
        """Child bests into the shared incumbent; others' bests down to the child."""
        while not self._closed.is_set():
            try:
                if self.up.poll(0.05):
                    message = self.up.recv()
                    if message[0] == "done":
                        self.iterations = int(message[1])
                        if len(message) > 2:
                            self.relinks = int(message[2])
                        return
                    modes, starts, value = message
                    self.shared.offer(Solution(modes, starts), value, "tabu")
                    self.sent_version = self.shared.version
                sol, value, version = self.shared.snapshot()
                if version != self.sent_version:
                    self.sent_version = version
                    self.down.send((sol.modes, sol.starts, value))
            except (EOFError, OSError, BrokenPipeError):
                return

    def close(self) -> None:
        self.stop_event.set()
        self._relay.join(timeout=5.0)
        self._closed.set()
        reap(self.proc, 5.0)


def start_walk(
    flat: FlatShop,
    shared: SharedIncumbent,
    seed: int,
    deadline: float,
    settings: dict[str, int] | None = None,
    log: Callable[[str], None] | None = None,
) -> TabuWalk | None:
    """Start a tabu walk from the shared best in a child process (None if impossible)."""
    best, value, _version = shared.snapshot()
    return start_child(
        lambda stop, up, down: (flat, best, value, seed, deadline, stop, up, down,
                                settings or {}),
        _child, shared, log, "tabu")


def start_child(
    child_args: Callable[[Any, Any, Any], tuple[Any, ...]],
    target: Callable[..., None],
    relay_to: Any,
    log: Callable[[str], None] | None,
    label: str,
) -> TabuWalk | None:
    """Fork ``target(*child_args(stop, up_send, down_recv))`` with its stop event and the
    two pipes, and relay its bests to ``relay_to``; None where no child can be started."""
    ctx = fork_context()
    if ctx is None:
        return None
    try:
        up_recv, up_send = ctx.Pipe(duplex=False)
        down_recv, down_send = ctx.Pipe(duplex=False)
        stop = ctx.Event()
        proc = ctx.Process(target=target, args=child_args(stop, up_send, down_recv), daemon=True)
        proc.start()
    except (OSError, AssertionError, ValueError, RuntimeError) as exc:
        if log is not None:
            log(f"{label}: no child process ({exc})")
        return None
    up_send.close()
    down_recv.close()
    return TabuWalk(proc, stop, up_recv, down_send, relay_to)
