"""Span rows of the time-indexed model (:mod:`optikit_energy.timeindexed`), per operation.

Why: the machine rows of the time-indexed model tie a machine's on-state to its
operations only in aggregate (``a[t] >= started at t``, ``on[t] >= covered at t``), so
its LP spreads each start thinly over many units and pays little idle and few
start-ups.  Per operation, what every schedule satisfies is much tighter: an always-on
machine is on from its first start, so ``a[t]`` is at least the operation's start mass
up to ``t`` (and ``b[t]`` its end mass after ``t``); a switchable machine has been
switched on by the time any of its operations starts.  On ``machining_cell_day`` the LP
goes from 72.57 to 75.59.

The new columns are continuous (any value the rows allow is valid; at an integer point
the true one is): as integers HiGHS spent 7-12 s per root cut round on them (loaded),
continuous 5-6 s, with a higher bound (76.0 against 76.6 after 25 s).  A model with
them is therefore not converted to CP-SAT (``linear_to_cpsat`` needs every column
integer); only mid-size models, which go to HiGHS, get them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from optikit.paradigms import LinearModelBuilder
from optikit.scheduling import ScheduledOperation
from optikit_energy.model import EnergyProblem

if TYPE_CHECKING:
    from optikit_energy.timeindexed import StartBlock


@dataclass
class SpanCols:
    """One operation's chain on one machine: ``first`` column of ``G[t]`` ("started on
    the machine by t", kind ``start``) or ``E[t]`` ("still running on it after t", kind
    ``end``), t = 0..horizon-1."""

    op: int
    machine: int
    kind: str
    first: int


def span_rows_per_op(problem: EnergyProblem, b: LinearModelBuilder,
                     blocks: Sequence[StartBlock], m: int, a: int | None,
                     bb: int | None) -> list[SpanCols]:
    """``a[t] >= G_g[t]`` and ``b[t] >= E_g[t]`` for each operation ``g`` on ``m``, with
    ``G_g[t] >= G_g[t-1] + (starts of g at t)`` and ``E_g[t] >= E_g[t+1] + (ends of g at
    t + 1)``: ``a`` at least the operation's start mass up to ``t``, ``b`` its end mass
    after ``t``.

    Why: the aggregated rows only say ``a[t] >= started at t`` (with ``a`` monotone), so an
    LP that spreads each start over many units keeps ``a`` and ``b`` small and pays almost
    no idle on always-on machines.  Per operation the cumulative mass is a lower bound in
    every integer point: the machine is on from its first start, and any one operation
    started by ``t`` means that start is by ``t``.  (Switchable machines pass their
    switch-ons counted up to ``t`` as ``a``: switched on by the time any of its
    operations starts.)  The chains keep the rows sparse (one row per unit and
    operation, each start column once), where writing the sums out puts every column in
    up to ``horizon`` rows; HiGHS then answers its interrupt late on a loaded machine."""
    horizon = problem.horizon
    per_op: dict[int, list[StartBlock]] = {}
    for blk in blocks:
        mode = problem.ops[blk.op].modes[blk.mode]
        if mode.machine == m and mode.duration > 0:
            per_op.setdefault(blk.op, []).append(blk)
    t = np.arange(horizon)
    added: list[SpanCols] = []
    for g, op_blocks in per_op.items():
        for target, kind in ((a, "start"), (bb, "end")):
            if target is None:
                continue
            chain = int(b.add_columns(horizon, upper=1.0)[0])  # continuous: see module doc
            added.append(SpanCols(g, m, kind, chain))
            # start: G[t] - G[t-1] - sum(x starting at t) >= 0
            # end:   E[t] - E[t+1] - sum(x whose last unit is t) >= 0
            prev = (t[1:], chain + t[1:] - 1) if kind == "start" else (t[:-1], chain + t[:-1] + 1)
            rows = [t, prev[0]]
            cols = [chain + t, prev[1]]
            vals = [np.ones(horizon), -np.ones(horizon - 1)]
            for blk in op_blocks:
                at = blk.starts if kind == "start" else blk.ends - 1
                keep = at < horizon
                rows.append(at[keep])
                cols.append(blk.first_col + np.flatnonzero(keep))
                vals.append(-np.ones(int(keep.sum())))
            b.add_rows_coo(horizon, np.concatenate(rows), np.concatenate(cols),
                           np.concatenate(vals), lower=0.0)
            # target[t] - chain[t] >= 0
            b.add_rows_coo(horizon, np.concatenate([t, t]),
                           np.concatenate([target + t, chain + t]),
                           np.concatenate([np.ones(horizon), -np.ones(horizon)]), lower=0.0)
    return added


def span_hint(problem: EnergyProblem, spans: Sequence[SpanCols],
              schedule: Sequence[ScheduledOperation], values: dict[int, int]) -> None:
    """The chains' values for a known schedule (``values`` by column, updated)."""
    horizon = problem.horizon
    by_op = {problem.job_ops[s.job][s.operation]: s for s in schedule}
    t = np.arange(horizon)
    for span in spans:
        s = by_op[span.op]
        on_m = s.machine == span.machine
        state = (t >= s.start) if span.kind == "start" else (t < s.end)
        for u in range(horizon):
            values[span.first + u] = int(on_m and bool(state[u]))


def switched_on_by(b: LinearModelBuilder, su: int, horizon: int) -> int:
    """Columns ``S[t]`` = switch-ons of one machine in units ``0..t`` (first column)."""
    cum = int(b.add_columns(horizon, upper=float(horizon))[0])
    t = np.arange(horizon)
    # S[t] - S[t-1] - su[t] = 0
    b.add_rows_coo(horizon, np.concatenate([t, t[1:], t]),
                   np.concatenate([cum + t, cum + t[1:] - 1, su + t]),
                   np.concatenate([np.ones(horizon), -np.ones(horizon - 1), -np.ones(horizon)]),
                   0.0, 0.0)
    return cum
