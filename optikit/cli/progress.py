"""Live progress of a solve on a terminal: elapsed against the limit, incumbent, bound,
gap, refreshed in place on stderr (rich).  Shown only on a terminal and only once the
solve has run for a second; rich honours NO_COLOR.  Nothing is left behind: the line is
removed before the summary is printed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

from optikit.numbers import number
from optikit.types import ProgressEvent

DELAY_S = 1.0


class LiveProgress:
    """Callable as the solve's ``on_progress``; draws itself once started."""

    def __init__(self, time_limit: float, started: float) -> None:
        self.time_limit = time_limit
        self.started = started
        self.objective: float | None = None
        self.bound: float | None = None
        self.live: Any = None

    def __call__(self, event: ProgressEvent) -> None:
        if event.objective is not None:
            self.objective = event.objective
        if event.bound is not None:
            self.bound = event.bound

    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)

    def text(self) -> str:
        elapsed = time.monotonic() - self.started
        gap = self.gap()
        return (f"{elapsed:6.1f} s of {number(self.time_limit)} s   "
                f"incumbent {number(self.objective)}   bound {number(self.bound)}   "
                f"gap {'-' if gap is None else f'{100 * gap:.2f}%'}")

    def render(self) -> Any:
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        elapsed = time.monotonic() - self.started
        grid = Table.grid(padding=(0, 2))
        grid.add_row(
            ProgressBar(total=max(self.time_limit, 1e-9), completed=min(elapsed, self.time_limit),
                        width=20),
            self.text(),
        )
        return grid


@contextlib.contextmanager
def live_progress(enabled: bool, time_limit: float, started: float) -> Iterator[LiveProgress]:
    """The progress display around a solve (a no-op recorder when not enabled)."""
    progress = LiveProgress(time_limit, started)
    if not enabled:
        yield progress
        return
    from rich.console import Console
    from rich.live import Live

    live = Live(console=Console(stderr=True), transient=True, auto_refresh=True,
                refresh_per_second=4, get_renderable=progress.render,
                redirect_stdout=False, redirect_stderr=True)
    lock = threading.Lock()
    state = {"started": False, "closed": False}

    def start() -> None:
        with lock:
            if not state["closed"]:
                live.start()
                state["started"] = True

    timer = threading.Timer(DELAY_S, start)
    timer.daemon = True
    timer.start()
    try:
        yield progress
    finally:
        timer.cancel()
        with lock:
            state["closed"] = True
            if state["started"]:
                live.stop()
