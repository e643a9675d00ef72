"""Progress of a suite on stderr: runs done, running and failed, and the time left.

On a terminal this is a rich progress bar (which honours ``NO_COLOR``); elsewhere
(CI logs, pipes) it is one plain line per finished run, so logs stay readable.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = max(0, round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ETA:
    """Time left, from the mean wall time of finished runs and the runs still to go.

    Before any run finishes, each run is assumed to use its whole time limit: an upper
    estimate that tightens as runs finish.
    """

    def __init__(self, limits: list[float], capacity: int) -> None:
        self.remaining_limits = sorted(limits)
        self.capacity = max(1, capacity)
        self.walls: list[float] = []
        self.limits_done: list[float] = []

    def finished(self, time_limit: float, wall_s: float | None) -> None:
        if time_limit in self.remaining_limits:
            self.remaining_limits.remove(time_limit)
        if wall_s is not None:
            self.walls.append(wall_s)
            self.limits_done.append(time_limit)

    def seconds_left(self) -> float:
        if not self.remaining_limits:
            return 0.0
        if self.walls:
            # Runs use a stable share of their limit (plus start-up), so scale by it.
            ratio = sum(self.walls) / max(1e-9, sum(self.limits_done))
            work = sum(limit * ratio for limit in self.remaining_limits)
        else:
            work = sum(limit + 2.0 for limit in self.remaining_limits)
        return work / self.capacity


class BenchProgress:
    """Counts and shows finished/running/failed runs; thread-safe."""

    def __init__(
        self,
        total: int,
        limits: list[float],
        capacity: int,
        running: Callable[[], int],
        stream: IO[str] | None = None,
        enabled: bool = True,
    ) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.wrong = 0
        self.eta = ETA(limits, capacity)
        self._running = running
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = enabled
        self._lock = threading.Lock()
        self._progress: Any = None
        self._task: Any = None
        self._started = time.monotonic()
        self._interactive = enabled and self._stream.isatty()

    def __enter__(self) -> BenchProgress:
        if self._interactive:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            console = Console(file=self._stream)
            self._progress = Progress(
                TextColumn("[bold]bench"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("running {task.fields[running]}"),
                TextColumn("failed {task.fields[failed]}"),
                TextColumn("wrong {task.fields[wrong]}"),
                TimeElapsedColumn(),
                TextColumn("left ~{task.fields[eta]}"),
                console=console,
                transient=False,
                refresh_per_second=4,
            )
            self._progress.start()
            self._task = self._progress.add_task(
                "bench", total=self.total, running=0, failed=0, wrong=0,
                eta=format_duration(self.eta.seconds_left()),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self.refresh()
            self._progress.stop()

    def refresh(self) -> None:
        if self._progress is None:
            return
        with self._lock:
            self._progress.update(
                self._task, completed=self.done, running=self._running(),
                failed=self.failed, wrong=self.wrong,
                eta=format_duration(self.eta.seconds_left()),
            )

    def note(self, message: str) -> None:
        if not self._enabled:
            return
        if self._progress is not None:
            self._progress.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=self._stream, flush=True)

    def run_finished(self, values: dict[str, Any]) -> None:
        outcome = values.get("outcome")
        with self._lock:
            self.done += 1
            if outcome == "failed":
                self.failed += 1
            elif outcome == "wrong":
                self.wrong += 1
            self.eta.finished(float(values.get("time_limit") or 0.0), values.get("wall_s"))
        line = self._line(values)
        if not self._interactive or outcome in ("failed", "wrong"):
            self.note(line)
        self.refresh()

    def _line(self, v: dict[str, Any]) -> str:
        width = len(str(self.total))
        what = f"{v.get('suite')} {v.get('instance_set')}/{v.get('instance')} {v.get('solver')}"
        if int(v.get("seed") or 0) or int(v.get("repeat") or 0):
            what += f" seed {v.get('seed')} rep {v.get('repeat')}"
        result = str(v.get("outcome"))
        if v.get("objective") is not None:
            result += f" {v['objective']:g}"
        t = v.get("time_s") if v.get("time_s") is not None else v.get("wall_s")
        if t is not None:
            result += f" ({t:.1f} s)"
        if v.get("outcome") in ("failed", "wrong", "skipped") and v.get("message"):
            result += f": {v['message']}"
        elapsed = format_duration(time.monotonic() - self._started)
        left = format_duration(self.eta.seconds_left())
        return (
            f"[{self.done:>{width}}/{self.total}] {what}: {result}  "
            f"(running {self._running()}, failed {self.failed}, elapsed {elapsed}, left ~{left})"
        )
