"""Follow CBC's log file while it runs and report incumbents and bounds to ``ctx.report``.

CBC runs as a separate program, so there is no callback; its log lines are the progress
feed.  During the search CBC prints values of the problem it minimises internally
(negated for ``-max``) and without PuLP's constant term, hence ``sign`` and ``offset``::

    Cbc0012I Integer solution of 38 found by feasibility pump after 0 iterations ...
    Cbc0004I Integer solution of 16 found after 6633 iterations and 1102 nodes ...
    Cbc0010I After 1000 nodes, 617 on tree, 21 best solution, best possible 0 (0.33 s)
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from optikit.types import SolveContext

_POLL_S = 0.1
_INCUMBENT = re.compile(r"^Cbc00(?:04|12)I Integer solution of (\S+) found")
_PROGRESS = re.compile(r"^Cbc0010I After .* best possible (\S+)")


class CbcProgress:
    """Turns log lines into progress events in the model's own sense and units."""

    def __init__(self, ctx: SolveContext, sign: float, offset: float) -> None:
        self.ctx = ctx
        self.sign = sign
        self.offset = offset
        self.best: float | None = None
        self.bound: float | None = None
        self.error: str | None = None

    def feed(self, line: str) -> None:
        try:
            if match := _INCUMBENT.match(line):
                self.best = self._ours(match.group(1))
                self.ctx.report(self.best, self.bound, "cbc")
            elif match := _PROGRESS.match(line):
                bound = self._ours(match.group(1))
                if bound != self.bound:
                    self.bound = bound
                    self.ctx.report(self.best, bound, "cbc")
        except Exception as exc:  # a progress feed must never break the solve
            self.error = self.error or repr(exc)

    def _ours(self, text: str) -> float:
        return self.sign * float(text) + self.offset


@contextlib.contextmanager
def follow_log(path: Path, progress: CbcProgress) -> Iterator[None]:
    """Feed complete lines appended to ``path`` to ``progress`` until the block ends."""
    done = threading.Event()

    def tail() -> None:
        position = 0
        pending = ""
        while True:
            finished = done.wait(_POLL_S)
            with contextlib.suppress(OSError):
                with path.open("r", errors="replace") as handle:
                    handle.seek(position)
                    chunk = handle.read()
                    position = handle.tell()
                pending += chunk
                *lines, pending = pending.split("\n")
                for line in lines:
                    progress.feed(line)
            if finished:
                return

    thread = threading.Thread(target=tail, name="optikit-cbc-log", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
