"""The clean-up LPs' context: a floor past the deadline, and no cap on unlimited runs."""

from __future__ import annotations

from optikit_pooling.lp import POLISH_FLOOR, polish_context

from optikit.types import SolveContext, SolveOptions


def test_an_unlimited_run_gives_its_clean_up_no_limit() -> None:
    ctx = SolveContext(SolveOptions(time_limit=None))
    assert polish_context(ctx).remaining() is None


def test_a_spent_run_still_gives_its_clean_up_the_floor() -> None:
    ctx = SolveContext(SolveOptions(time_limit=0.0))
    left = polish_context(ctx).remaining()
    assert left is not None and 0.5 * POLISH_FLOOR < left <= POLISH_FLOOR


def test_a_run_with_time_left_keeps_its_deadline() -> None:
    ctx = SolveContext(SolveOptions(time_limit=120.0))
    sub = polish_context(ctx)
    assert sub.deadline is not None and ctx.deadline is not None
    assert abs(sub.deadline - ctx.deadline) < 1e-3
    assert sub.stop is ctx.stop
