"""Non-preemption rows for the time-bucket relaxation: each operation starts in one bucket.

Why: the bucket relaxation (:mod:`optikit_energy.bucket_bound`) lets an operation split
its units over any buckets of its window, so it can pack machines solid and put every
piece of a long operation in a cheap period.  A real operation runs in one piece: if it
starts at ``t`` inside bucket ``b``, its units in each bucket ``b'`` are the overlap of
``[t, t + d)`` with ``b'``.  Over all starts ``t`` in ``b`` that overlap lies between a
least and a largest value, which these rows impose:

- ``u[i,b]``: mode ``i`` starts in bucket ``b`` (binary in the MILP); ``sum_b u = x[i]``;
- ``sum_b lo(b,b') u[i,b] <= y[i,b'] <= sum_b hi(b,b') u[i,b]`` for every bucket ``b'``.

Every schedule keeps a feasible point (``u`` = 1 at its start bucket, ``y`` its true
overlaps), so the bound stays valid.  Modes on machines with a calendar keep the
preemptive rows only (their operations may pause or must fit working windows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearModelBuilder


@dataclass
class StartPattern:
    """Per start bucket of one mode, the least and largest units in each of its buckets."""

    start_buckets: NDArray[np.int64]  # buckets in which the mode can start
    least: NDArray[np.float64]  # (start buckets, mode's buckets)
    most: NDArray[np.float64]


def start_pattern(starts: NDArray[np.int64], ends: NDArray[np.int64],
                  buckets: NDArray[np.int64], duration: int, earliest: int,
                  latest: int) -> StartPattern | None:
    """Overlap bounds of ``[t, t + duration)`` with ``buckets`` for starts ``earliest..latest``
    grouped by the bucket each start falls in (None: no start fits)."""
    if latest < earliest:
        return None
    t = np.arange(earliest, latest + 1, dtype=np.int64)
    a, b = starts[buckets], ends[buckets]
    overlap = np.clip(np.minimum(t[:, None] + duration, b[None, :])
                      - np.maximum(t[:, None], a[None, :]), 0, None).astype(np.float64)
    home = np.searchsorted(starts, t, side="right") - 1
    groups = np.flatnonzero(np.diff(np.concatenate(([-1], home))) != 0)
    least = np.minimum.reduceat(overlap, groups, axis=0)
    most = np.maximum.reduceat(overlap, groups, axis=0)
    return StartPattern(home[groups].astype(np.int64), least, most)


def add_start_rows(bld: LinearModelBuilder, pattern: StartPattern, x_col: int,
                   y_cols: NDArray[np.int64], integer: bool) -> NDArray[np.int64]:
    """The start-bucket columns of one mode and their rows (module docstring)."""
    ns, ny = pattern.least.shape
    u = np.asarray(bld.add_columns(ns, upper=1.0, integer=integer), dtype=np.int64)
    # sum_b u[b] - x = 0
    bld.add_rows_coo(1, np.zeros(ns + 1, dtype=np.int64), np.concatenate([u, [x_col]]),
                     np.concatenate([np.ones(ns), [-1.0]]), 0.0, 0.0)
    for bound, sign in ((pattern.least, 1.0), (pattern.most, -1.0)):
        # sign * (y[b'] - sum_b bound[b, b'] u[b]) >= 0
        sb, jb = np.nonzero(bound)
        rows = np.concatenate([np.arange(ny), jb])
        cols = np.concatenate([y_cols, u[sb]])
        vals = np.concatenate([np.full(ny, sign), -sign * bound[sb, jb]])
        bld.add_rows_coo(ny, rows, cols, vals, lower=0.0)
    return u


def add_precedence_rows(bld: LinearModelBuilder, starts: NDArray[np.int64],
                        ends: NDArray[np.int64], before: list[ModeStarts],
                        after: list[ModeStarts]) -> None:
    """Operation ``after`` starts in a bucket up to ``b`` only if ``before`` started early
    enough to end before the end of ``b``: for every bucket ``b``,
    ``sum_{b' <= b} u_after[b'] <= sum_{modes} sum_{b'': starts[b''] <= ends[b] - 1 - d} u_before``.
    A mode without start columns (calendar) counts on the right with its ``x`` (any time).
    """
    nb = starts.size
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    vals: list[NDArray[np.float64]] = []
    b_all = np.arange(nb)
    for ms in after:
        if ms.u is None:
            continue
        # u_after[b'] appears in every row b >= b'
        for j, b0 in enumerate(ms.start_buckets):
            r = b_all[b0:]
            rows.append(r)
            cols.append(np.full(r.size, ms.u[j]))
            vals.append(np.ones(r.size))
    if not rows:
        return
    for ms in before:
        if ms.u is None:
            rows.append(b_all)
            cols.append(np.full(nb, ms.x))
            vals.append(-np.ones(nb))
            continue
        # u_before[b''] appears in every row b with starts[b''] <= ends[b] - 1 - d
        first = np.searchsorted(ends - 1 - ms.duration, starts[ms.start_buckets], side="left")
        for j, f in enumerate(first):
            r = b_all[f:]
            rows.append(r)
            cols.append(np.full(r.size, ms.u[j]))
            vals.append(-np.ones(r.size))
    bld.add_rows_coo(nb, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
                     upper=0.0)


@dataclass
class ModeStarts:
    """One mode's columns for the precedence rows."""

    x: int
    duration: int
    start_buckets: NDArray[np.int64]
    u: NDArray[np.int64] | None  # None: no start columns (machine calendar)
