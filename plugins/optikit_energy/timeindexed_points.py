"""Points of the time-indexed model: a schedule read from a solution vector, and a known
schedule written as a complete MIP start.

Apart from :mod:`optikit_energy.timeindexed` (which builds the model) because the
solvers' answers and hints pass through here, not the model's rows.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearModel
from optikit.scheduling import ScheduledOperation, completion_times, makespan
from optikit_energy import energy
from optikit_energy.model import EnergyProblem
from optikit_energy.timeindexed import TimeIndexed
from optikit_energy.timeindexed_span import span_hint


def extract(
    problem: EnergyProblem, ti: TimeIndexed, x: NDArray[np.float64]
) -> tuple[list[ScheduledOperation], dict[int, list[int]]]:
    """Schedule and switch-on times from a solution vector."""
    chosen: dict[int, tuple[float, int, int, int]] = {}
    for blk in ti.blocks:
        vals = x[blk.first_col : blk.first_col + blk.starts.size]
        i = int(np.argmax(vals))
        if blk.op not in chosen or vals[i] > chosen[blk.op][0]:
            chosen[blk.op] = (float(vals[i]), blk.mode, int(blk.starts[i]), int(blk.ends[i]))
    schedule = []
    for g, op in enumerate(problem.ops):
        _, k, s, e = chosen[g]
        schedule.append(ScheduledOperation(op.job, op.index, k, op.modes[k].machine, s, e))
    switch_on: dict[int, list[int]] = {}
    horizon = problem.horizon
    for m in range(problem.num_machines):
        if not problem.can_switch_off(m):
            continue
        if m in ti.switchable:
            on = x[ti.on_cols[m] : ti.on_cols[m] + horizon] > 0.5
            prev = np.concatenate(([False], on[:-1]))
            switch_on[m] = [int(t) for t in np.flatnonzero(on & ~prev)]
        else:
            starts = [s.start for s in schedule if s.machine == m]
            switch_on[m] = [min(starts)] if starts else []
    return schedule, switch_on


def hint_vector(
    problem: EnergyProblem, ti: TimeIndexed, schedule: list[ScheduledOperation],
    switch_on: dict[int, list[int]],
) -> dict[int, int]:
    """A complete assignment of the model's columns for a known schedule."""
    values: dict[int, int] = {}
    horizon = problem.horizon
    by_op = {problem.job_ops[s.job][s.operation]: s for s in schedule}
    for blk in ti.blocks:
        s = by_op[blk.op]
        for i, t in enumerate(blk.starts):
            values[blk.first_col + i] = int(s.mode == blk.mode and s.start == t)
    periods, _ = energy.on_periods(problem, schedule, switch_on)
    for m, on in ti.on_cols.items():
        state = np.zeros(horizon, dtype=int)
        for a, bnd in periods[m]:
            state[a:bnd] = 1
        for t in range(horizon):
            values[on + t] = int(state[t])
        if m in ti.su_cols:
            prev = np.concatenate(([0], state[:-1]))
            for t in range(horizon):
                values[ti.su_cols[m] + t] = int(state[t] and not prev[t])
            if m in ti.switched_cols:
                counted = np.cumsum(state.astype(bool) & ~prev.astype(bool))
                for t in range(horizon):
                    values[ti.switched_cols[m] + t] = int(counted[t])
        if m in ti.a_cols:
            ops = [s for s in schedule if s.machine == m and s.end > s.start]
            first = min((s.start for s in ops), default=horizon)
            last = max((s.end for s in ops), default=0)
            for t in range(horizon):
                values[ti.a_cols[m] + t] = int(t >= first)
                values[ti.b_cols[m] + t] = int(t < last)
    span_hint(problem, ti.spans, schedule, values)
    if ti.makespan_col is not None:
        values[ti.makespan_col] = makespan(schedule)
    done = completion_times(problem.shop, schedule)
    for j, col in ti.late_cols.items():
        due = problem.shop.jobs[j].due or 0
        values[col] = max(0, done[j] - due)
    return values


def with_start(
    problem: EnergyProblem, ti: TimeIndexed, schedule: list[ScheduledOperation],
    switch_on: dict[int, list[int]],
) -> LinearModel:
    """The model with a known schedule as its MIP start (``hint``, which a MIP backend
    hands its solver, see :func:`optikit.paradigms.start_point`).

    Why: from the constructed schedule HiGHS' branch-and-cut starts with an incumbent
    and prunes from its first node instead of searching for a first schedule."""
    values = hint_vector(problem, ti, schedule, switch_on)
    hint = np.zeros(ti.model.num_cols)
    hint[list(values)] = list(values.values())
    return ti.model.with_hint(hint)
