"""The period windows of ``rf`` and ``fl``: relax-and-fix, fix-and-optimise, and each
window of a large model solved as a small model of its own.

Why the small model: on the 100 x 52 x 3 instance a window that only pins the integers
outside it still hands the solver all 20,000 columns: HiGHS spent its 0.5-2 s per window
in the root LP of the whole model and never improved the constructed plan.  In
:func:`restricted` every column outside the window (continuous ones too) is fixed at the
incumbent and substituted out: a window of 4 periods keeps about 1,600 columns, and the
same 2 s windows improved the plan by 3 % in a minute (generated large seed 1, load 7-8).
The rows the window does not touch stay satisfied, because the incumbent satisfies them;
the rows it touches get their bounds shifted by the fixed part; the fixed columns' cost
becomes the objective offset, so the sub-model's objective is the whole plan's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearModel, LinearResult, LinearSolver
from optikit.types import SolveContext, Status
from optikit_lotsizing.budget import over, slice_of

#: Gap each window's MILP is solved to (the windows are heuristics anyway).
WINDOW_GAP = 1e-3
#: Fix-and-optimise stops when a window would get less (seconds): on the 100 x 52 x 3
#: instance windows given 0.1-0.4 s ran 0.3-0.7 s past their limit at load 4.
MIN_WINDOW_S = 0.25
#: Periods of the first fix-and-optimise window on large models (the size then adapts;
#: each window slides by half its size): a window of 4 periods of the 100 x 52 x 3
#: instance is a MILP of about 1,600 columns that HiGHS improves in 1-2 s (6 periods:
#: 2,400 columns, most windows without a finished root in 2 s at load 8).
LARGE_WINDOW = 4
#: Smallest and largest window size (periods) the large models' windows adapt to.
LARGE_WINDOW_RANGE = (2, 8)
#: A window on a large model gets at least this long (seconds, within the phase): in
#: 0.8 s (25 windows sharing 20 s) HiGHS rarely finished the root of one at load 8, and
#: the windows came back with the incumbent alone.
LARGE_WINDOW_MIN_S = 1.5


@dataclasses.dataclass
class Window:
    """The sub-model of the columns ``cols`` with every other column at ``point``."""

    model: LinearModel
    cols: NDArray[np.int64]
    point: NDArray[np.float64]

    def lift(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """The full model's point: ``point`` with the window's columns at ``values``."""
        out = self.point.copy()
        out[self.cols] = values
        return out


def restricted(model: LinearModel, free: NDArray[np.bool_], point: NDArray[np.float64]
               ) -> Window:
    """The sub-model over the ``free`` columns with the others fixed at ``point``."""
    rows = np.repeat(np.arange(model.num_rows, dtype=np.int64), np.diff(model.indptr))
    inside = free[model.indices]
    fixed_activity = np.bincount(rows[~inside],
                                 weights=model.data[~inside] * point[model.indices[~inside]],
                                 minlength=model.num_rows)
    kept_rows = np.flatnonzero(np.bincount(rows[inside], minlength=model.num_rows) > 0)
    cols = np.flatnonzero(free).astype(np.int64)
    new_col = np.full(model.num_cols, -1, dtype=np.int64)
    new_col[cols] = np.arange(cols.size)
    new_row = np.full(model.num_rows, -1, dtype=np.int64)
    new_row[kept_rows] = np.arange(kept_rows.size)
    # CSR order is kept: the entries of a kept row stay contiguous and in row order
    row_of = new_row[rows[inside]]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(row_of, minlength=kept_rows.size))))
    shift = fixed_activity[kept_rows]
    fixed_cols = ~free
    sub = LinearModel(
        sense=model.sense,
        c=model.c[cols],
        col_lower=model.col_lower[cols],
        col_upper=model.col_upper[cols],
        integer=model.integer[cols],
        indptr=indptr.astype(np.int64),
        indices=new_col[model.indices[inside]],
        data=model.data[inside],
        row_lower=model.row_lower[kept_rows] - shift,
        row_upper=model.row_upper[kept_rows] - shift,
        offset=model.offset + float(model.c[fixed_cols] @ point[fixed_cols]),
        col_names=None if model.col_names is None else [model.col_names[j] for j in cols],
        row_names=None if model.row_names is None else [model.row_names[i] for i in kept_rows],
    )
    return Window(sub, cols, point)


def hinted(model: LinearModel, best: LinearResult | None) -> LinearModel:
    """``model`` with ``best``'s point as its MIP start (unchanged without a point)."""
    if best is None or best.x is None:
        return model
    return model.with_hint(best.x)


def solve_window(model: LinearModel, backend: LinearSolver, ctx: SolveContext,
                  free: NDArray[np.bool_], relaxed: NDArray[np.bool_],
                  fixed: NDArray[np.float64] | None, budget: float | None,
                  start: LinearResult | None = None) -> LinearResult:
    """Solve with ``free`` integers integer, ``relaxed`` continuous, the rest at ``fixed``
    (and ``start``, a point of the window, as its MIP start)."""
    lower, upper = model.col_lower.copy(), model.col_upper.copy()
    pinned = model.integer & ~free & ~relaxed
    if fixed is not None:
        lower[pinned] = upper[pinned] = np.round(fixed[pinned])
    sub = dataclasses.replace(model, integer=model.integer & free, col_lower=lower,
                              col_upper=upper)
    return backend.solve(hinted(sub, start), ctx.narrowed(budget, gap=WINDOW_GAP))


def relax_and_fix(model: LinearModel, period: NDArray[np.int64], periods: int,
                  backend: LinearSolver, ctx: SolveContext, until: float | None,
                  window: int, step: int) -> LinearResult | None:
    """Step 1; None when a window fails (no time, or the fixings made it infeasible)."""
    integer = model.integer
    values: NDArray[np.float64] | None = None
    start, result = 0, None
    while start < periods:
        if over(ctx, until):
            return None
        end = min(periods, start + window)
        free = integer & (period >= start) & (period < end)
        relaxed = integer & (period >= end)
        windows_left = -(-(periods - start) // step)
        result = solve_window(model, backend, ctx, free, relaxed, values,
                               slice_of(ctx, until, windows_left))
        if not result.status.has_solution or result.x is None:
            return None
        values = result.x if values is None else np.where(period < start, values, result.x)
        if end >= periods:
            break
        start += step
    return result


def better(result: LinearResult, best: LinearResult | None) -> bool:
    if not result.status.has_solution or result.x is None or result.objective is None:
        return False
    return best is None or best.objective is None or result.objective < best.objective


def fix_and_optimise(model: LinearModel, period: NDArray[np.int64], periods: int,
                     backend: LinearSolver, ctx: SolveContext, until: float | None,
                     best: LinearResult, window: int, step: int,
                     refresh: Callable[[LinearResult], LinearResult] | None = None,
                     large: bool = False) -> LinearResult:
    """Step 2: free one window at a time around the incumbent, keep improvements
    (``large`` models: :func:`sliding_windows`, with ``refresh`` after every pass)."""
    if large:
        return sliding_windows(model, period, periods, backend, ctx, until, best, refresh)
    starts = list(range(0, max(1, periods - window + 1), step))
    if starts[-1] + window < periods:
        starts.append(periods - window)
    nothing = np.zeros_like(model.integer)
    for k, start in enumerate(starts):
        if over(ctx, until):
            break
        budget = slice_of(ctx, until, len(starts) - k)
        if budget is not None and budget < MIN_WINDOW_S:
            break  # HiGHS overruns so small a limit by its root LP: no time for the rest
        free = model.integer & (period >= start) & (period < start + window)
        assert best.x is not None
        # the incumbent is a point of every window: its MIP start
        result = solve_window(model, backend, ctx, free, nothing, best.x, budget, best)
        if result.status is Status.UNKNOWN and not ctx.expired():
            # not even the start back in its slice (SCIP's and CBC's set-up alone takes
            # 0.5-1.5 s on the 100 x 52 x 3 instance): the next windows get no more
            break
        if better(result, best):
            best = result
    return best


def sliding_windows(model: LinearModel, period: NDArray[np.int64], periods: int,
                    backend: LinearSolver, ctx: SolveContext, until: float | None,
                    best: LinearResult,
                    refresh: Callable[[LinearResult], LinearResult] | None = None
                    ) -> LinearResult:
    """Fix-and-optimise on large models: every column of a window of periods is free and
    the window is solved as a model of its own (:mod:`windows`); the windows slide by
    half their size and wrap around, until a whole horizon passes without a gain or the
    time is spent.  The size adapts to the machine: a window not solved in its time
    makes the next one a period shorter, one solved in under half of it a period longer
    (``LARGE_WINDOW_RANGE``).  ``refresh`` (if given) improves the plan after every
    pass, by a move the windows cannot make (:mod:`purchases`: a bought item's orders
    over the whole horizon)."""
    smallest, largest = LARGE_WINDOW_RANGE
    size, start, idle = LARGE_WINDOW, 0, 0
    while not over(ctx, until) and idle < periods + size:
        step = max(1, size // 2)
        budget = slice_of(ctx, until, -(-(periods - start) // step))
        if budget is not None and until is not None:
            budget = min(max(budget, LARGE_WINDOW_MIN_S), until - ctx.elapsed())
            if budget < MIN_WINDOW_S:
                break  # HiGHS overruns so small a limit by its root LP
        free = (period >= start) & (period < start + size)
        began = ctx.elapsed()
        result = solve_restricted(model, backend, ctx, free, best, budget)
        if result.status is Status.UNKNOWN and not ctx.expired():
            break  # not even the start back in its slice (SCIP's and CBC's set-up)
        if better(result, best):
            best, idle = result, 0
        else:
            idle += step
        if result.status is not Status.OPTIMAL:
            size = max(smallest, size - 1)
        elif budget is None or ctx.elapsed() - began < budget / 2:
            size = min(largest, size + 1)
        # the window reached the last period: around again
        if start + size >= periods:
            start = 0
            if refresh is not None:
                refreshed = refresh(best)
                if refreshed is not best:
                    best, idle = refreshed, 0
        else:
            start = min(start + step, max(0, periods - size))
    return best


def solve_restricted(model: LinearModel, backend: LinearSolver, ctx: SolveContext,
                      free: NDArray[np.bool_], best: LinearResult, budget: float | None
                      ) -> LinearResult:
    """The window of the ``free`` columns as a model of its own, the incumbent its MIP
    start; the answer lifted back to the whole model's columns."""
    assert best.x is not None
    part = restricted(model, free, best.x)
    result = backend.solve(part.model.with_hint(best.x[part.cols]),
                           ctx.narrowed(budget, gap=WINDOW_GAP))
    if result.x is None:
        return result
    x = part.lift(result.x)
    # the window's bound says nothing about the whole model; its objective is the plan's
    return dataclasses.replace(result, x=x, objective=float(model.c @ x) + model.offset,
                               bound=None)
