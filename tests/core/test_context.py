"""``SolveContext.narrowed``: the one way a formulation gives a sub-solve less time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from optikit.types import ProgressEvent, SolveContext, SolveOptions


def _run(limit: float | None = 10.0, *, ago: float = 0.0,
         on_progress: Callable[[ProgressEvent], None] | None = None) -> SolveContext:
    """A run with ``limit`` seconds that started ``ago`` seconds before now."""
    return SolveContext(SolveOptions(time_limit=limit), on_progress,
                        started=time.monotonic() - ago)


def test_a_sub_solve_never_ends_after_the_run() -> None:
    ctx = _run(10.0)
    assert ctx.narrowed(30.0).deadline == ctx.deadline
    assert ctx.narrowed(end=25.0).deadline == ctx.deadline
    assert ctx.narrowed().deadline == ctx.deadline


def test_the_earliest_of_seconds_end_and_the_run_deadline_wins() -> None:
    ctx = _run(100.0, ago=50.0)
    assert ctx.deadline is not None
    by_end = ctx.narrowed(40.0, end=60.0)
    assert by_end.deadline == pytest.approx(ctx.started + 60.0)
    before = time.monotonic()
    by_seconds = ctx.narrowed(5.0, end=90.0)
    assert by_seconds.deadline is not None
    assert before + 5.0 <= by_seconds.deadline <= time.monotonic() + 5.0


def test_the_sub_solve_keeps_the_run_clock_and_a_consistent_time_limit() -> None:
    ctx = _run(100.0, ago=50.0)
    sub = ctx.narrowed(end=60.0)
    assert sub.started == ctx.started
    assert sub.options.time_limit == pytest.approx(60.0)
    assert sub.elapsed() >= 50.0  # counted from the run's start, not the sub-solve's


def test_negative_seconds_and_a_past_end_leave_no_time() -> None:
    ctx = _run(100.0, ago=50.0)
    assert ctx.narrowed(-3.0).expired()
    assert ctx.narrowed(end=10.0).expired()


def test_without_a_run_limit_only_the_given_limits_count() -> None:
    ctx = _run(None)
    assert ctx.narrowed().deadline is None and ctx.narrowed().options.time_limit is None
    sub = ctx.narrowed(3.0)
    assert sub.deadline is not None and 2.0 < (sub.remaining() or 0.0) <= 3.0


def test_past_deadline_lets_a_clean_up_solve_run_after_the_run_ends() -> None:
    ctx = _run(10.0, ago=20.0)  # its deadline passed ten seconds ago
    assert ctx.narrowed(1.0).expired()
    cleanup = ctx.narrowed(1.0, past_deadline=True)
    assert not cleanup.expired() and 0.0 < (cleanup.remaining() or 0.0) <= 1.0
    # without a limit of its own, past_deadline has nothing to extend
    assert ctx.narrowed(past_deadline=True).deadline == ctx.deadline


def test_the_stop_flag_is_shared_unless_the_caller_brings_its_own() -> None:
    ctx = _run(None)
    sub, own = ctx.narrowed(), threading.Event()
    watched = ctx.narrowed(stop=own)
    ctx.stop.set()
    assert sub.expired() and sub.stop is ctx.stop
    assert not watched.expired()
    own.set()
    assert watched.expired()


def test_progress_reaches_the_run_only_when_asked() -> None:
    seen: list[ProgressEvent] = []
    ctx = _run(None, on_progress=seen.append)
    ctx.narrowed().report(5.0, None, "relaxation")
    assert seen == [] and ctx.trajectory == []
    ctx.narrowed(progress=True).report(4.0, 3.0, "stage")
    assert [(e.objective, e.bound, e.source) for e in seen] == [(4.0, 3.0, "stage")]
    assert ctx.trajectory == seen


def test_options_are_overridden_backends_and_log_kept() -> None:
    lines: list[str] = []
    ctx = SolveContext(SolveOptions(time_limit=None, verbose=True, gap=1e-6),
                       log=lines.append, backends=lambda name: None,
                       formulation_options={"rounds": 3})
    sub = ctx.narrowed(gap=1e-3, threads=4)
    assert (sub.options.gap, sub.options.threads) == (1e-3, 4)
    assert ctx.options.gap == 1e-6
    assert sub.option("rounds") == 3
    sub.log("from the sub-solve")
    assert lines == ["from the sub-solve"]
    with pytest.raises(TypeError, match="seconds= or end="):
        ctx.narrowed(time_limit=5.0)
