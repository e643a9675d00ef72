"""The time-indexed model of an energy-scheduling problem, as a solver-neutral LinearModel.

One binary per (operation, mode, start unit), and per machine and unit an ``on`` binary
(with ``su`` switch-on binaries on switchable machines, or ``a``/``b`` "started by t" /
"still to finish after t" binaries that make a machine without ``startup_energy`` on
from its first start to its last end).  This is the classical formulation of
energy-aware scheduling under time-of-use tariffs (Shrouf et al., 2014; surveyed by
Gahm et al., 2016): exact for any tariff and with a strong LP bound, but its size grows
with operations x modes x horizon, so it is for small instances only.  The ``milp``
formulation solves it with a linear backend; the ``cpsat`` formulation solves the same
model with CP-SAT on small instances (where it proves optima the interval model cannot),
converted by :mod:`optikit_energy.linear_to_cpsat`.

All inequalities that define ``on``/``su``/``a``/``b`` are one-sided; minimisation makes
them tight because prices, carbon and weights are >= 0 (the schema requires it).
Sequence-dependent setups are not modelled: the size check refuses such instances.

Machine calendars restrict each mode's start columns to the starts its calendar allows
(:mod:`optikit_energy.calendar_starts`); a column occupies its machine from its start to
its end (an interruptible operation's pauses included) and draws power in its working
units only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearModel, LinearModelBuilder
from optikit.types import UsageError
from optikit_energy.calendar_starts import CalendarStarts
from optikit_energy.model import EnergyProblem, Infeasible
from optikit_energy.switching import objective_price
from optikit_energy.timeindexed_span import (
    SpanCols,
    span_rows_per_op,
    switched_on_by,
)

# Refuse above these sizes: beyond them the interval CP-SAT model is the tool.
MAX_START_COLUMNS = 200_000
MAX_NONZEROS = 6_000_000
# Use the strong (per-unit) precedence rows up to this horizon.
STRONG_PRECEDENCE_HORIZON = 200


@dataclass
class StartBlock:
    """Columns x[g, k, s] for s in ``starts`` (ascending), one block per (op, mode);
    ``ends[i]`` is the end of the column starting at ``starts[i]``."""

    op: int
    mode: int
    first_col: int
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]


@dataclass
class TimeIndexed:
    model: LinearModel
    blocks: list[StartBlock]
    on_cols: dict[int, int] = field(default_factory=dict)  # machine -> first col of on[m, 0..H)
    switchable: set[int] = field(default_factory=set)
    su_cols: dict[int, int] = field(default_factory=dict)
    a_cols: dict[int, int] = field(default_factory=dict)
    b_cols: dict[int, int] = field(default_factory=dict)
    makespan_col: int | None = None
    late_cols: dict[int, int] = field(default_factory=dict)  # job -> column
    # machine -> first col of S[m, 0..H): switch-ons up to t (span rows, switchable)
    switched_cols: dict[int, int] = field(default_factory=dict)
    spans: list[SpanCols] = field(default_factory=list)  # the span rows' chains

    @property
    def num_start_columns(self) -> int:
        return int(sum(b.starts.size for b in self.blocks))


def start_windows(problem: EnergyProblem) -> list[tuple[int, int, int, int]]:
    """(op, mode, first start, last start) of every mode that fits in its time window."""
    out = []
    cap = problem.peak_power
    for g, op in enumerate(problem.ops):
        lo = problem.heads[g]
        for k, mode in enumerate(op.modes):
            hi = problem.horizon - problem.tails[g] - mode.duration
            if hi < lo or (cap is not None and mode.power > cap + 1e-9):
                continue
            out.append((g, k, lo, hi))
    return out


def size_estimate(problem: EnergyProblem) -> tuple[int, int]:
    """(start columns, nonzeros) of the time-indexed model, without building it."""
    cols = nnz = 0
    for g, k, lo, hi in start_windows(problem):
        n = hi - lo + 1
        d = problem.ops[g].modes[k].duration
        cols += n
        nnz += n * (2 * d + 4)
    return cols, nnz


def check_size(problem: EnergyProblem) -> None:
    """Refuse (UsageError) what the time-indexed model cannot do or would take too long."""
    if problem.shop.has_setups:
        raise UsageError(
            "the time-indexed model does not handle sequence-dependent setups; "
            "use the cpsat solver"
        )
    cols, nnz = size_estimate(problem)
    if cols > MAX_START_COLUMNS or nnz > MAX_NONZEROS:
        raise UsageError(
            f"instance too large for the time-indexed MILP ({cols:,} start variables, about "
            f"{nnz:,} nonzeros; limits {MAX_START_COLUMNS:,} and {MAX_NONZEROS:,}); "
            "use the cpsat solver"
        )


def build(problem: EnergyProblem, span_rows: bool = False) -> TimeIndexed:
    """The time-indexed model (objective in the problem's own units).

    ``span_rows``: with the per-operation span rows of :mod:`optikit_energy.timeindexed_span`,
    for the ``cpsat`` side MILP on mid-size models, where the bound is the problem
    (``machining_cell_day``: LP 72.57 -> 75.59; HiGHS proves its optimum 77.732 in about
    2 minutes).  Off elsewhere: small models are proven in seconds anyway and the rows
    cost time there (generated tiny-0 on ``highs``: 1.5-1.9 s -> 2.1-3.0 s; small-1 on
    ``cpsat``: 9.9 s -> 11.3-13.1 s); the ``milp`` formulation stops HiGHS at the limit,
    inside a root cut round of 5-12 s with them (``machining_cell_day``, 20 s: no bound,
    21.3 s); CP-SAT needs integer columns."""
    check_size(problem)
    horizon = problem.horizon
    h = problem.kwh_per_kw_unit
    pi = objective_price(problem)
    prefix = np.concatenate(([0.0], np.cumsum(pi)))
    w = problem.weights
    b = LinearModelBuilder("min")
    windows = start_windows(problem)
    _every_op_has_a_mode(problem, {g for g, *_ in windows}, "the horizon and the peak cap")

    switchable = {
        m for m in range(problem.num_machines)
        if problem.can_switch_off(m)
        and (problem.idle_power[m] > 0 or (problem.startup_energy[m] or 0) > 0)
    }
    needs_on = switchable | {m for m in range(problem.num_machines) if problem.idle_power[m] > 0}

    # x[g, k, s]: cost = (P - I) * h * sum of pi over the working units of [s, end), I
    # paid through on[m, t].
    cal = CalendarStarts(problem)
    blocks: list[StartBlock] = []
    for g, k, lo, _hi in windows:
        mode = problem.ops[g].modes[k]
        starts, ends = cal.starts(g, k, lo, horizon - problem.tails[g])
        if starts.size == 0:
            continue
        mask = cal.working[mode.machine]
        paid = prefix if mask is None else np.concatenate(([0.0], np.cumsum(pi * mask)))
        net = mode.power - (problem.idle_power[mode.machine] if mode.machine in needs_on else 0.0)
        cost = net * h * (paid[ends] - paid[starts])
        first = b.add_columns(starts.size, cost=cost, upper=1.0, integer=True)
        blocks.append(StartBlock(g, k, int(first[0]), starts, ends))
    _every_op_has_a_mode(problem, {blk.op for blk in blocks},
                         "its machine's working time before the horizon")
    cal_masks = cal.working

    on_cols: dict[int, int] = {}
    su_cols: dict[int, int] = {}
    a_cols: dict[int, int] = {}
    b_cols: dict[int, int] = {}
    for m in sorted(needs_on):
        idle = problem.idle_power[m]
        on_cols[m] = int(b.add_columns(horizon, cost=idle * h * pi, upper=1.0, integer=True)[0])
        if m in switchable:
            e_on = problem.startup_energy[m] or 0.0
            su_cols[m] = int(b.add_columns(horizon, cost=e_on * pi, upper=1.0, integer=True)[0])
        else:
            a_cols[m] = int(b.add_columns(horizon, upper=1.0, integer=True)[0])
            b_cols[m] = int(b.add_columns(horizon, upper=1.0, integer=True)[0])

    # Each operation starts once, in one mode.
    by_op: dict[int, list[StartBlock]] = {}
    for blk in blocks:
        by_op.setdefault(blk.op, []).append(blk)
    rows, cols, vals = [], [], []
    for g in range(len(problem.ops)):
        for blk in by_op[g]:
            n = blk.starts.size
            rows.append(np.full(n, g))
            cols.append(np.arange(blk.first_col, blk.first_col + n))
            vals.append(np.ones(n))
    n_ops = len(problem.ops)
    b.add_rows_coo(
        n_ops, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), 1.0, 1.0
    )

    _precedence_rows(problem, b, by_op)
    _machine_rows(problem, b, blocks, on_cols)
    spans: list[SpanCols] = []
    switched = _switch_rows(problem, b, blocks, on_cols, su_cols, a_cols, b_cols, span_rows,
                            spans)
    _peak_rows(problem, b, blocks, on_cols, needs_on, cal_masks)
    makespan_col, late_cols = _completion_terms(
        problem, b, by_op, w.makespan, w.total_weighted_tardiness
    )
    return TimeIndexed(b.build(), blocks, on_cols, switchable, su_cols, a_cols, b_cols,
                       makespan_col, late_cols, switched, spans)


def _every_op_has_a_mode(problem: EnergyProblem, ops: set[int], what: str) -> None:
    """Raise :class:`Infeasible` naming the first operation not in ``ops``."""
    missing = [g for g in range(len(problem.ops)) if g not in ops]
    if missing:
        op = problem.ops[missing[0]]
        raise Infeasible(
            f"job {problem.shop.jobs[op.job].id} operation {op.index} has no mode that fits "
            + what
        )


def _end_terms(blocks: list[StartBlock], problem: EnergyProblem) -> tuple[list, list]:
    cols, vals = [], []
    for blk in blocks:
        cols.append(np.arange(blk.first_col, blk.first_col + blk.starts.size))
        vals.append(blk.ends.astype(np.float64))
    return cols, vals


def _precedence_rows(
    problem: EnergyProblem, b: LinearModelBuilder, by_op: dict[int, list[StartBlock]]
) -> None:
    """start(next) >= end(prev), aggregated; per unit t as well on short horizons."""
    strong = problem.horizon <= STRONG_PRECEDENCE_HORIZON
    for ops in problem.job_ops:
        for prev, nxt in itertools.pairwise(ops):
            end_cols, end_vals = _end_terms(by_op[prev], problem)
            start_cols = [np.arange(k.first_col, k.first_col + k.starts.size) for k in by_op[nxt]]
            start_vals = [k.starts.astype(np.float64) for k in by_op[nxt]]
            c = np.concatenate(start_cols + end_cols)
            v = np.concatenate(start_vals + [-x for x in end_vals])
            b.add_rows_coo(1, np.zeros(c.size, dtype=np.int64), c, v, 0.0)
            if not strong:
                continue
            # For every t: started(next) by t <= finished(prev) by t.
            rows, cols, vals = [], [], []
            for t in range(problem.horizon):
                for blk in by_op[nxt]:
                    sel = blk.starts <= t
                    rows.append(np.full(int(sel.sum()), t))
                    cols.append(blk.first_col + np.flatnonzero(sel))
                    vals.append(np.ones(int(sel.sum())))
                for blk in by_op[prev]:
                    sel = blk.ends <= t
                    rows.append(np.full(int(sel.sum()), t))
                    cols.append(blk.first_col + np.flatnonzero(sel))
                    vals.append(-np.ones(int(sel.sum())))
            b.add_rows_coo(
                problem.horizon, np.concatenate(rows), np.concatenate(cols),
                np.concatenate(vals), upper=0.0,
            )


def _cover(
    blk: StartBlock, horizon: int, working: NDArray[np.bool_] | None = None
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(unit, column) pairs: column x[s] covers units s..end-1 (only the working ones
    when ``working`` is given)."""
    lengths = blk.ends - blk.starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    units = np.repeat(blk.starts, lengths) + offsets
    cols = np.repeat(np.arange(blk.first_col, blk.first_col + blk.starts.size), lengths)
    keep = units < horizon
    if working is not None:
        keep &= working[np.minimum(units, horizon - 1)]
    return units[keep], cols[keep]


def _machine_rows(
    problem: EnergyProblem, b: LinearModelBuilder, blocks: list[StartBlock],
    on_cols: dict[int, int],
) -> None:
    """At most one operation per machine and unit, and only while the machine is on."""
    horizon = problem.horizon
    for m in range(problem.num_machines):
        units, cols = [], []
        for blk in blocks:
            mode = problem.ops[blk.op].modes[blk.mode]
            if mode.machine != m:
                continue
            u, c = _cover(blk, horizon)
            units.append(u)
            cols.append(c)
        if not units:
            continue
        u = np.concatenate(units)
        c = np.concatenate(cols)
        v = np.ones(c.size)
        if m in on_cols:
            u = np.concatenate([u, np.arange(horizon)])
            c = np.concatenate([c, on_cols[m] + np.arange(horizon)])
            v = np.concatenate([v, -np.ones(horizon)])
            b.add_rows_coo(horizon, u, c, v, upper=0.0)
        else:
            b.add_rows_coo(horizon, u, c, v, upper=1.0)


def _switch_rows(
    problem: EnergyProblem, b: LinearModelBuilder, blocks: list[StartBlock],
    on_cols: dict[int, int], su_cols: dict[int, int], a_cols: dict[int, int],
    b_cols: dict[int, int], span_rows: bool = True, spans: list[SpanCols] | None = None,
) -> dict[int, int]:
    """Switch-on and span rows; returns the switch-on count columns it added."""
    horizon = problem.horizon
    t = np.arange(horizon)
    switched: dict[int, int] = {}
    for m, su in su_cols.items():
        on = on_cols[m]
        # su[t] >= on[t] - on[t-1], machines start off (on[-1] = 0).
        rows = np.concatenate([t, t, t[1:]])
        cols = np.concatenate([su + t, on + t, on + t[1:] - 1])
        vals = np.concatenate([np.ones(horizon), -np.ones(horizon), np.ones(horizon - 1)])
        b.add_rows_coo(horizon, rows, cols, vals, lower=0.0)
        if span_rows:
            switched[m] = switched_on_by(b, su, horizon)
            spans_m = span_rows_per_op(problem, b, blocks, m, switched[m], None)
            if spans is not None:
                spans.extend(spans_m)
    for m, a in a_cols.items():
        bb = b_cols[m]
        on = on_cols[m]
        # a monotone up, b monotone down.
        if horizon > 1:
            r = np.arange(horizon - 1)
            b.add_rows_coo(horizon - 1, np.concatenate([r, r]),
                           np.concatenate([a + r + 1, a + r]),
                           np.concatenate([np.ones(horizon - 1), -np.ones(horizon - 1)]), lower=0.0)
            b.add_rows_coo(horizon - 1, np.concatenate([r, r]),
                           np.concatenate([bb + r, bb + r + 1]),
                           np.concatenate([np.ones(horizon - 1), -np.ones(horizon - 1)]), lower=0.0)
        # a[t] >= started at t; b[t] >= finishing in unit t (last unit s + d - 1 = t).
        rs, cs, vs, re, ce, ve = [], [], [], [], [], []
        for blk in blocks:
            mode = problem.ops[blk.op].modes[blk.mode]
            if mode.machine != m or mode.duration == 0:
                continue
            n = blk.starts.size
            colrange = np.arange(blk.first_col, blk.first_col + n)
            rs.append(blk.starts)
            cs.append(colrange)
            vs.append(-np.ones(n))
            re.append(blk.ends - 1)
            ce.append(colrange)
            ve.append(-np.ones(n))
        b.add_rows_coo(horizon, np.concatenate([t, *rs]), np.concatenate([a + t, *cs]),
                       np.concatenate([np.ones(horizon), *vs]), lower=0.0)
        b.add_rows_coo(horizon, np.concatenate([t, *re]), np.concatenate([bb + t, *ce]),
                       np.concatenate([np.ones(horizon), *ve]), lower=0.0)
        if span_rows:
            spans_m = span_rows_per_op(problem, b, blocks, m, a, bb)
            if spans is not None:
                spans.extend(spans_m)
        # on[t] >= a[t] + b[t] - 1.
        b.add_rows_coo(horizon, np.concatenate([t, t, t]),
                       np.concatenate([on + t, a + t, bb + t]),
                       np.concatenate([np.ones(horizon), -np.ones(horizon), -np.ones(horizon)]),
                       lower=-1.0)
    return switched


def _peak_rows(
    problem: EnergyProblem, b: LinearModelBuilder, blocks: list[StartBlock],
    on_cols: dict[int, int], needs_on: set[int], working: list[NDArray[np.bool_] | None],
) -> None:
    cap = problem.peak_power
    if cap is None:
        return
    horizon = problem.horizon
    units, cols, vals = [], [], []
    for blk in blocks:
        mode = problem.ops[blk.op].modes[blk.mode]
        net = mode.power - (problem.idle_power[mode.machine] if mode.machine in needs_on else 0.0)
        if net == 0:
            continue
        u, c = _cover(blk, horizon, working[mode.machine])
        units.append(u)
        cols.append(c)
        vals.append(np.full(c.size, net))
    for m, on in on_cols.items():
        if problem.idle_power[m]:
            units.append(np.arange(horizon))
            cols.append(on + np.arange(horizon))
            vals.append(np.full(horizon, problem.idle_power[m]))
    if units:
        b.add_rows_coo(horizon, np.concatenate(units), np.concatenate(cols),
                       np.concatenate(vals), upper=cap)


def _completion_terms(
    problem: EnergyProblem, b: LinearModelBuilder, by_op: dict[int, list[StartBlock]],
    w_makespan: float, w_tardiness: float,
) -> tuple[int | None, dict[int, int]]:
    horizon = problem.horizon
    cmax: int | None = None
    late_cols: dict[int, int] = {}
    if w_makespan:
        cmax = b.add_column(cost=w_makespan, upper=horizon, integer=True, name="makespan")
        for ops in problem.job_ops:
            cols, vals = _end_terms(by_op[ops[-1]], problem)
            c = np.concatenate([*cols, [cmax]])
            v = np.concatenate([*(-x for x in vals), [1.0]])
            b.add_rows_coo(1, np.zeros(c.size, dtype=np.int64), c, v, lower=0.0)
    if w_tardiness:
        for j, job in enumerate(problem.shop.jobs):
            if job.due is None or not job.weight:
                continue
            late = b.add_column(cost=w_tardiness * job.weight, upper=horizon, integer=True)
            late_cols[j] = late
            # late >= sum of max(0, end - due) over the last operation's columns: exact for
            # one chosen column, and in the LP never below the aggregated
            # late >= sum(end x) - due (which lets early and late columns average out).
            cols, vals = _end_terms(by_op[problem.job_ops[j][-1]], problem)
            c = np.concatenate([*cols, [late]])
            v = np.concatenate([*(-np.maximum(0.0, x - job.due) for x in vals), [1.0]])
            b.add_rows_coo(1, np.zeros(c.size, dtype=np.int64), c, v, lower=0.0)
    return cmax, late_cols
