"""Span rows of the time-indexed model (:mod:`optikit_energy.timeindexed`), per operation.

Why: the machine rows of the time-indexed model tie a machine's on-state to its
operations only in aggregate (``a[t] >= started at t``, ``on[t] >= covered at t``), so
its LP spreads each start thinly over many units and pays little idle and few
start-ups.  Per operation, what every schedule satisfies is much tighter: an always-on
machine is on from its first start, so ``a[t]`` is at least the operation's start mass
up to ``t`` (and ``b[t]`` its end mass after ``t``); a switchable machine has been
switched on by the time any of its operations starts.  On ``machining_cell_day`` the LP
goes from 72.57 to 75.59, and HiGHS' dual bound after 60 s from 74-75 to about 77.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from optikit.paradigms import LinearModelBuilder
from optikit_energy.model import EnergyProblem

if TYPE_CHECKING:
    from optikit_energy.timeindexed import StartBlock


def span_rows_per_op(problem: EnergyProblem, b: LinearModelBuilder,
                      blocks: Sequence[StartBlock], m: int, a: int | None, bb: int | None) -> None:
    """``a[t] >= started by t`` and ``b[t] >= ends after t`` for each operation on ``m``.

    Why: the aggregated rows only say ``a[t] >= started at t`` (with ``a`` monotone), so an
    LP that spreads each start over many units keeps ``a`` and ``b`` small and pays almost
    no idle on always-on machines.  Per operation, the cumulative start (and end) mass is
    a lower bound on ``a`` (``b``) in every integer point: the machine is on from its
    first start, and any one operation started by ``t`` means that start is by ``t``.
    (Switchable machines pass their switch-ons counted up to ``t`` as ``a``: the machine
    was switched on by the time any of its operations starts.)"""
    horizon = problem.horizon
    per_op: dict[int, list[StartBlock]] = {}
    for blk in blocks:
        mode = problem.ops[blk.op].modes[blk.mode]
        if mode.machine == m and mode.duration > 0:
            per_op.setdefault(blk.op, []).append(blk)
    t = np.arange(horizon)
    for op_blocks in per_op.values():
        for col, key in ((a, "start"), (bb, "end")):
            if col is None:
                continue
            rows, cols, vals = [], [], []
            for blk in op_blocks:
                n = blk.starts.size
                if key == "start":  # column s counts in every row t >= s
                    first, lengths = blk.starts, horizon - blk.starts
                else:  # column s counts in every row t <= end - 1
                    first, lengths = np.zeros(n, dtype=np.int64), np.minimum(blk.ends, horizon)
                total = int(lengths.sum())
                if total == 0:
                    continue
                offs = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
                rows.append(np.repeat(first, lengths) + offs)
                cols.append(np.repeat(np.arange(blk.first_col, blk.first_col + n), lengths))
                vals.append(-np.ones(total))
            if rows:
                b.add_rows_coo(horizon, np.concatenate([t, *rows]),
                               np.concatenate([col + t, *cols]),
                               np.concatenate([np.ones(horizon), *vals]), lower=0.0)


def switched_on_by(b: LinearModelBuilder, su: int, horizon: int) -> int:
    """Columns ``S[t]`` = switch-ons of one machine in units ``0..t`` (first column)."""
    cum = int(b.add_columns(horizon, upper=float(horizon), integer=True)[0])
    t = np.arange(horizon)
    # S[t] - S[t-1] - su[t] = 0
    b.add_rows_coo(horizon, np.concatenate([t, t[1:], t]),
                   np.concatenate([cum + t, cum + t[1:] - 1, su + t]),
                   np.concatenate([np.ones(horizon), -np.ones(horizon - 1), -np.ones(horizon)]),
                   0.0, 0.0)
    return cum
