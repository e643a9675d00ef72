"""One deadline for every phase of a lot-sizing solve.

The time limit covers the whole command: after the last solve the plan is read back from
the solver's values, checked by the independent checker, summarised and written.  So the
solves must end ``tail`` seconds before the command's deadline, and every phase (cut
loop, start plan, fix-and-optimise, the MILP) takes its budget from what is left before
that instant, never from the limit itself: a phase that overran leaves less to the next
phase instead of pushing the command past its limit.

Times here are *instants* in seconds since the command started (``ctx.elapsed()``
units), ``None`` when there is no limit.
"""

from __future__ import annotations

import dataclasses

from optikit.types import ProgressEvent, SolveContext
from optikit_lotsizing.model import LotSizingProblem

#: Seconds kept after the last solve whatever the size: building the answer, the
#: checker, the summary and the files, interpreter exit, and a solver's lag in noticing
#: its limit (together 0.4-0.6 s on the 100 x 52 instance at load 4 on 2 cores).
TAIL_BASE_S = 0.3
#: And per item and period (the payload, the checker and the summary walk the plan, and
#: HiGHS notices a limit later on a larger MILP): 100 items x 52 periods took 0.2 s after
#: the MILP returned on a quiet machine, but the MILP itself ended 0.1-0.6 s past its
#: limit at load 4-5.
TAIL_PER_CELL_S = 1e-4
#: The tail never takes more than this share of the limit.
TAIL_MAX_SHARE = 0.1


def tail_seconds(problem: LotSizingProblem, time_limit: float | None) -> float:
    """Seconds between the end of the last solve and the command's deadline."""
    if time_limit is None:
        return 0.0
    cells = problem.num_items * problem.periods
    return min(TAIL_MAX_SHARE * time_limit, TAIL_BASE_S + TAIL_PER_CELL_S * cells)


def solve_end(ctx: SolveContext, problem: LotSizingProblem) -> float | None:
    """The instant by which the last solve must have returned."""
    if ctx.deadline is None:
        return None
    limit = ctx.deadline - ctx.started
    return max(0.0, limit - tail_seconds(problem, ctx.options.time_limit))


def phase_end(ctx: SolveContext, end: float | None, share: float) -> float | None:
    """The end of a phase that may use ``share`` of the time left before ``end``."""
    if end is None:
        return None
    now = ctx.elapsed()
    return now + share * max(0.0, end - now)


def slice_of(ctx: SolveContext, until: float | None, parts: int) -> float | None:
    """Seconds for the next of ``parts`` equal solves that must all end by ``until``."""
    if until is None:
        return None
    return max(0.0, until - ctx.elapsed()) / max(1, parts)


def over(ctx: SolveContext, until: float | None) -> bool:
    """Whether a phase ending at ``until`` must stop (time up, or the user's stop)."""
    return ctx.expired() or (until is not None and ctx.elapsed() >= until)


def until(ctx: SolveContext, end: float | None, gap: float | None = None,
          progress: bool = False) -> SolveContext:
    """A context for one solve that must end at the instant ``end`` (never past ``ctx``'s
    deadline), with the run's start, stop flag and log; with ``progress`` its incumbents
    reach the run's progress."""
    limit = ctx.options.time_limit
    if end is not None:
        limit = end if limit is None else min(end, limit)
    options = dataclasses.replace(ctx.options, time_limit=limit,
                                  gap=ctx.options.gap if gap is None else gap)

    def forward(event: ProgressEvent) -> None:
        ctx.report(event.objective, event.bound, event.source)

    return SolveContext(options, on_progress=forward if progress else None, stop=ctx.stop,
                        log=ctx.log, started=ctx.started)


def within(ctx: SolveContext, seconds: float | None, gap: float | None = None
           ) -> SolveContext:
    """:func:`until`, for a solve of at most ``seconds`` from now."""
    return until(ctx, None if seconds is None else ctx.elapsed() + max(0.0, seconds), gap)
