"""The best schedule so far, shared by improvement methods running side by side.

The tabu search (pure Python, holds the GIL) and the CP-SAT LNS (waits in CP-SAT, which
releases the GIL) run on two threads at once; each offers what it finds here and picks
up the other's improvements at its next step.  ``last_improvement`` lets the caller end
the phase when neither has improved for a while.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from optikit_fjsp.timetable import Solution


class SharedIncumbent:
    def __init__(
        self,
        solution: Solution,
        value: float,
        on_improve: Callable[[Solution, float, str], None] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self.best = solution
        self.value = value
        self.version = 0
        self.last_improvement = time.monotonic()
        self._on_improve = on_improve

    def offer(self, solution: Solution, value: float, source: str = "") -> bool:
        """Keep ``solution`` if it is strictly better; True when it was."""
        with self._lock:
            if value >= self.value - 1e-9:
                return False
            self.best, self.value = solution, value
            self.version += 1
            self.last_improvement = time.monotonic()
        if self._on_improve is not None:
            self._on_improve(solution, value, source)
        return True

    def snapshot(self) -> tuple[Solution, float, int]:
        with self._lock:
            return self.best, self.value, self.version

    def quiet_for(self) -> float:
        """Seconds since the last improvement (or since creation)."""
        return time.monotonic() - self.last_improvement
