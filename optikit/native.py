"""Native solver calls that may not return when asked to stop.

Some solvers notice a stop request only at coarse points (SCIP through MathOpt checks its
interrupter at presolve rounds and nodes, never inside the root cut loop; MathOpt's HiGHS
ignores it).  A backend runs such a call through :func:`call_stoppable`, which waits for
it on a thread of its own and, once a stop has been asked for and the call has had
:data:`STOP_GRACE_S` to honour it (or the time limit's grace is nearly used up), stops
waiting.  The backend then answers from what it already knows (its last incumbent), and
the native call is left to finish in the background.

The process must then not run interpreter shutdown while that call is still inside the
solver (C++ destructors would run under it and abort the process: "terminate called
without an active exception", exit status 134).  :func:`work_left_behind` tells the
command line to leave with ``os._exit`` after writing its outputs.  A script or notebook
that simply ends is covered too: every call is known to :mod:`optikit.native_exit`,
which asks it to stop at exit, and runs on a non-daemon thread, so that the interpreter
waits for it however long the solver takes to notice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from optikit.limits import grace_seconds
from optikit.native_exit import in_flight, park_if_exiting
from optikit.paradigms import LinearResult
from optikit.types import SolveContext, Status

T = TypeVar("T")

#: How long a solver may take to honour a stop request (Ctrl-C promises 3 s in all).
STOP_GRACE_S = 2.0
#: Share of the time limit's grace a solver may use past its limit before it is left.
LIMIT_GRACE_SHARE = 0.6
_POLL_S = 0.05

_lock = threading.Lock()
_left_behind = 0


def call_stoppable(fn: Callable[[], T], ctx: SolveContext) -> tuple[bool, T | None]:
    """``(True, fn())``, or ``(False, None)`` when the call was left running.

    Exceptions from ``fn`` propagate as if it had been called directly.
    """
    park_if_exiting()
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            with in_flight(ctx.stop.set):
                outcome["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            done.set()

    # Not a daemon: interpreter shutdown must wait for the solver to return (see above).
    worker = threading.Thread(target=target, name="optikit-native-solve", daemon=False)
    worker.start()
    limit_at = _limit_give_up(ctx)
    stop_seen: float | None = None
    while not done.wait(_POLL_S):
        now = time.monotonic()
        if stop_seen is None and ctx.stop.is_set():
            stop_seen = now
        if (stop_seen is not None and now - stop_seen >= STOP_GRACE_S) or (
            limit_at is not None and now >= limit_at
        ):
            if done.is_set():  # it returned while we looked at the clock
                break
            _mark_left_behind(done)
            return False, None
    if "error" in outcome:
        raise outcome["error"]
    return True, outcome.get("value")


def _limit_give_up(ctx: SolveContext) -> float | None:
    """The instant past the time limit at which a call that ignores its limit is left."""
    if ctx.deadline is None:
        return None
    return ctx.deadline + LIMIT_GRACE_SHARE * grace_seconds(ctx.options.time_limit)


def _mark_left_behind(done: threading.Event) -> None:
    global _left_behind
    with _lock:
        _left_behind += 1

    def forget() -> None:
        global _left_behind
        done.wait()
        with _lock:
            _left_behind -= 1

    threading.Thread(target=forget, name="optikit-native-watch", daemon=True).start()


def work_left_behind() -> bool:
    """Whether a native solver call this process stopped waiting for is still running."""
    with _lock:
        return _left_behind > 0


def left_behind_result(
    solver: str, ctx: SolveContext, x: np.ndarray | None, objective: float | None,
    num_cols: int, bound: float | None = None,
) -> LinearResult:
    """What a linear backend answers for a call it stopped waiting for: its last
    incumbent ``x`` (``feasible``), or ``unknown`` when it saw none of the model's size.

    ``bound`` is the last dual bound the solver reported on its way (a MIP's root can
    run for seconds between two checks of the stop: without it, the bound of all that
    work would be lost)."""
    why = "stopped by the user" if ctx.stop.is_set() else "time limit"
    note = f"{why}; {solver} did not stop in time and was left to finish"
    if x is None or x.shape != (num_cols,):
        return LinearResult(Status.UNKNOWN, bound=bound,
                            message=f"{note} (no incumbent reported)")
    return LinearResult(Status.FEASIBLE, x=x.copy(), objective=objective, bound=bound,
                        message=note)
