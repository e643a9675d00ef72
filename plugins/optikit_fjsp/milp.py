"""Formulation ``milp``: a precedence-based (disjunctive, big-M) MILP for comparison.

Variables: a binary per (operation, mode), a start per operation, one order binary per
pair of operations of different jobs that may share a machine, the makespan and the
jobs' tardiness.  For every pair of modes of two operations on the same machine:

    s_b >= s_a + p_a + setup(a, b) - M (1 - y_ab) - M (2 - x_a - x_b)
    s_a >= s_b + p_b + setup(b, a) - M y_ab       - M (2 - x_a - x_b)

(Manne's disjunctive model extended with machine choice; Özgüven, Özbakır & Yavuz 2010
give the flexible variant.)  It is weak (big-M) and quadratic in the operations, so it is
meant for small instances and for cross-checking CP-SAT, not for production runs.

Setups: the pairwise constraints demand the changeover between *every* two operations
in sequence on a machine, not only consecutive ones.  That is exact when the setup times
obey the triangle inequality (``setup(a,c) <= setup(a,b) + setup(b,c)``); otherwise it is
a restriction, so the result is reported as feasible, never optimal.  Schedules are
re-timed as early as possible from the MILP's sequences, which removes floating-point
noise from the starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np

from optikit.paradigms import LinearModelBuilder
from optikit.types import InvalidProblem, Outcome, SolveContext, Status, UsageError
from optikit_fjsp import heuristic
from optikit_fjsp.cpsat import payload
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.timetable import (
    Solution,
    left_shift,
    machine_sequences,
    makespan,
    objective_value,
)


def setups_triangular(problem: FjspProblem) -> bool:
    """True when every machine's changeovers satisfy the triangle inequality.

    Only products that can run on the machine count: a changeover table row for a
    product the machine never sees cannot make the pairwise model inexact.
    """
    flat = problem.flat
    seen: list[set[int]] = [set() for _ in range(flat.num_machines)]
    for g, modes in enumerate(flat.modes):
        for m, _d in modes:
            seen[m].add(flat.product[flat.op_job[g]])
    for m, table in enumerate(flat.setup):
        if table is None:
            continue
        products = sorted(p for p in seen[m] if p >= 0)
        for a in products:
            for b in products:
                for c in products:
                    if table[a][c] > table[a][b] + table[b][c]:
                        return False
    return True


class BuildAbandoned(Exception):
    """The run's time ran out while the (quadratic) model was being built."""


#: How many operation pairs are written between two looks at the clock.
PAIRS_PER_CHECK = 4096


def build(
    problem: FjspProblem, horizon: int, expired: Callable[[], bool] | None = None
) -> tuple[Any, dict[str, Any]]:
    """The model and the column indices needed to read a schedule back.

    ``expired`` is asked every few thousand operation pairs; when it says so the build
    stops with :class:`BuildAbandoned` (a large instance has millions of pairs).
    """
    flat = problem.flat
    obj = problem.objective
    lp = LinearModelBuilder("min")
    n = flat.num_ops
    head = [0] * n
    for ops in flat.job_ops:
        t = flat.release[flat.op_job[ops[0]]]
        for g in ops:
            head[g] = t
            t += min(d for _m, d in flat.modes[g])
    x_cols: list[list[int]] = []
    for g, modes in enumerate(flat.modes):
        forced = len(modes) == 1
        x_cols.append(
            [
                lp.add_column(
                    lower=1.0 if forced else 0.0, upper=1.0, integer=True, name=f"x[{g},{k}]"
                )
                for k in range(len(modes))
            ]
        )
    s_cols = [
        lp.add_column(
            lower=head[g], upper=horizon - min(d for _m, d in flat.modes[g]), name=f"s[{g}]"
        )
        for g in range(n)
    ]
    # Large enough to switch off any disjunct: a start span plus a duration and a setup.
    max_setup = max((max(map(max, t)) for t in flat.setup if t is not None), default=0)
    big_m = float(horizon + max(d for modes in flat.modes for _m, d in modes) + max_setup)

    def duration_terms(g: int) -> list[tuple[int, float]]:
        return [(x_cols[g][k], float(d)) for k, (_m, d) in enumerate(flat.modes[g])]

    for g in range(n):
        lp.add_row({c: 1.0 for c in x_cols[g]}, 1.0, 1.0, name=f"one_mode[{g}]")
        nxt = flat.next_op(g)
        if nxt >= 0:
            # s_next - s_g - sum(d x_g) >= 0
            lp.add_row(
                [(s_cols[nxt], 1.0), (s_cols[g], -1.0)] + [(c, -d) for c, d in duration_terms(g)],
                lower=0.0,
                name=f"prec[{g}]",
            )

    for count, (a, b) in enumerate(combinations(range(n), 2)):
        if expired is not None and count % PAIRS_PER_CHECK == 0 and expired():
            raise BuildAbandoned
        shared = [
            (ka, kb)
            for ka, (ma, _da) in enumerate(flat.modes[a])
            for kb, (mb, _db) in enumerate(flat.modes[b])
            if ma == mb
        ]
        if not shared:
            continue
        ja, jb = flat.op_job[a], flat.op_job[b]
        if ja == jb:
            # Same job: a precedes b anyway; only a changeover between them can matter.
            for ka, kb in shared:
                m, da = flat.modes[a][ka]
                gap = flat.setup_between(m, ja, jb)
                if gap:
                    lp.add_row(
                        [
                            (s_cols[b], 1.0),
                            (s_cols[a], -1.0),
                            (x_cols[a][ka], -big_m),
                            (x_cols[b][kb], -big_m),
                        ],
                        lower=da + gap - 2 * big_m,
                    )
            continue
        y = lp.add_column(lower=0.0, upper=1.0, integer=True, name=f"y[{a},{b}]")
        for ka, kb in shared:
            m, da = flat.modes[a][ka]
            _m, db = flat.modes[b][kb]
            xa, xb = x_cols[a][ka], x_cols[b][kb]
            ab = flat.setup_between(m, ja, jb)
            ba = flat.setup_between(m, jb, ja)
            # a before b (y = 1): s_b - s_a - M y - M xa - M xb >= da + ab - 3M
            lp.add_row(
                [(s_cols[b], 1.0), (s_cols[a], -1.0), (y, -big_m), (xa, -big_m), (xb, -big_m)],
                lower=da + ab - 3 * big_m,
            )
            # b before a (y = 0): s_a - s_b + M y - M xa - M xb >= db + ba - 2M
            lp.add_row(
                [(s_cols[a], 1.0), (s_cols[b], -1.0), (y, big_m), (xa, -big_m), (xb, -big_m)],
                lower=db + ba - 2 * big_m,
            )

    cols: dict[str, Any] = {"x": x_cols, "s": s_cols}
    if obj.makespan_weight > 0:
        cmax = lp.add_column(cost=obj.makespan_weight, lower=0.0, upper=horizon, name="makespan")
        for ops in flat.job_ops:
            g = ops[-1]
            lp.add_row(
                [(cmax, 1.0), (s_cols[g], -1.0)] + [(c, -d) for c, d in duration_terms(g)],
                lower=0.0,
                name=f"cmax[{g}]",
            )
    if obj.tardiness_weight > 0:
        for j, ops in enumerate(flat.job_ops):
            due = flat.due[j]
            if due is None:
                continue
            t = lp.add_column(
                cost=obj.tardiness_weight * flat.weight[j], lower=0.0, name=f"tardiness[{j}]"
            )
            g = ops[-1]
            lp.add_row(
                [(t, 1.0), (s_cols[g], -1.0)] + [(c, -d) for c, d in duration_terms(g)],
                lower=-float(due),
                name=f"late[{j}]",
            )
    return lp.build(), cols


def needs_integer(problem: FjspProblem) -> bool:
    return True


def solve(problem: FjspProblem, backend: Any, ctx: SolveContext) -> Outcome:
    if problem.shop.has_calendars:
        raise InvalidProblem(
            "calendars", "the milp formulation does not model calendars; use cpsat or cpsat-plain"
        )
    if problem.batching is not None:
        raise UsageError(
            "fjsp milp: batch machines (machines[].batch) are not modelled by the MILP; "
            "use --formulation cpsat or cpsat-plain"
        )
    start = heuristic.construct(problem, budget=0.2, seed=ctx.options.seed)
    start_value = objective_value(problem, start)
    ctx.report(start_value, None, "heuristic")
    if problem.objective.is_makespan:
        horizon = makespan(problem.flat, start)  # no better schedule ends later
    else:
        horizon = problem.shop.horizon()

    def fallback(why: str, stats: dict[str, Any]) -> Outcome:
        """The dispatching schedule, when the MILP has nothing better to offer."""
        return Outcome(
            Status.FEASIBLE,
            payload=payload(problem, start),
            objective=start_value,
            stats={**stats, "answer": "heuristic"},
            message=f"{why}; the dispatching-rule schedule is returned",
        )

    try:  # ctx.expired() is also true once the user stopped the run
        model, cols = build(problem, horizon, ctx.expired)
    except BuildAbandoned:
        return fallback("out of time while building the MILP", {})
    stats = {"rows": model.num_rows, "columns": model.num_cols}
    if ctx.expired():
        return fallback("no time left to solve the MILP", stats)
    result = backend.solve(model, ctx)
    if result.status is Status.INFEASIBLE:
        # The horizon admits the heuristic schedule, so this is a numerical failure.
        return Outcome(
            Status.ERROR, message="MILP reported infeasible: numerical trouble", stats=stats
        )
    if result.status is Status.ERROR:
        return Outcome(result.status, message=result.message, stats=stats)
    if not result.status.has_solution or result.x is None:
        return fallback(f"the MILP found no schedule ({result.message or result.status})", stats)
    x = np.asarray(result.x)
    flat = problem.flat
    modes = tuple(int(np.argmax([x[c] for c in cols["x"][g]])) for g in range(flat.num_ops))
    starts = tuple(math.floor(x[c] + 0.5) for c in cols["s"])
    rough = Solution(modes, starts)
    sol = left_shift(flat, modes, machine_sequences(flat, rough))
    value = objective_value(problem, sol)
    exact = setups_triangular(problem)
    status = result.status if exact else Status.FEASIBLE
    if status is not Status.OPTIMAL and start_value < value:
        kept = fallback(f"the MILP's schedule ({value:g}) is worse", stats)
        kept.bound = result.bound if exact else None
        return kept
    return Outcome(
        status=status,
        payload=payload(problem, sol),
        objective=value,
        bound=result.bound if exact else None,
        stats=stats,
        message=result.message
        if exact
        else "setups break the triangle inequality: "
        "the MILP is a restriction, its optimum is not proven for the problem",
    )
