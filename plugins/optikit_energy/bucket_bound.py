"""A lower bound from a time-bucket relaxation of the energy schedule, on a linear backend.

Why: the interval CP-SAT model's bound on long horizons (2,880 one-minute units) comes
from an LP that charges operations their cheapest placement but hardly sees that cheap
periods are short, that a machine left on between two cheap nights pays idle power all
day, or that a switched-off oven pays its start-up again.  This relaxation sees those and
stays small because prices are constant inside a tariff period.

The horizon is cut into buckets (every tariff boundary, then at most ``bucket_len`` units
each).  Variables:

- ``x[g,k]``: operation ``g`` runs in mode ``k`` (binary in the MILP, fractional in the LP);
- ``y[g,k,b]``: its processing units inside bucket ``b`` (preemptive: any split is allowed,
  only inside the op's window from its head to the horizon minus its tail);
- per machine with idle power or start-up energy (a *tracked* machine): ``z[m,b]`` it
  processes in ``b``, ``v[m,b]`` it is on at the end of ``b``, ``s[m,b]`` it is switched
  on in ``b``, ``idle[m,b]`` its idle units in ``b``; a machine without ``startup_energy``
  has one switch-on at most (on from its first start to its last end, off after);
- completion times by mean busy time, for the makespan and tardiness terms.

Machine calendars: a machine processes only in its working units, so a mode's room in
a bucket and the machine's capacity there are its working units in the bucket (the
on/off and idle rows still treat the bucket as a whole: a relaxation).

Every real schedule maps onto a feasible point that costs no more (``y`` = processing per
bucket; ``v[m,b]`` = 1 when an on period of ``m`` spans the end of ``b``, ``s[m,b]`` = 1
when one starts inside ``b``, ``idle`` the real idle units), so the optimum of this model,
and any dual bound of its MILP, is a lower bound on every schedule.  Rows: one mode per
operation, machine and job capacity per bucket (one unit at a time each), precedence as
cumulative completed fractions, the peak cap as energy per bucket, and "at most q
operations at once among modes above cap/(q+1)".

Three relaxations (option ``bucket_relaxation``), all valid:

- ``preemptive`` (default): the above, with the idle row ``idle + processing >= len *
  (v[b] - s[b])`` (on at the end of ``b`` without a switch-on inside: on all through).
- ``non-preemptive``: plus each operation starting in one bucket
  (:mod:`optikit_energy.bucket_starts`).  Near-exact on small instances (generated
  tiny-1: 77.03 -> 77.61, its optimum), but a much harder MILP: on a generated medium
  instance HiGHS does not get past the preemptive optimum in 60 s, and its LP adds < 0.3 %.
- ``classic``: the relaxation before, with the weaker idle row ``len * (v[b-1] + v[b] -
  1 - s[b])``, which an LP satisfies at ``v = 0.5`` all day without idle.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearModel, LinearModelBuilder
from optikit.types import SolveContext, Status
from optikit_energy.bucket_starts import (
    ModeStarts,
    add_precedence_rows,
    add_start_rows,
    start_pattern,
)
from optikit_energy.calendar_starts import CalendarStarts
from optikit_energy.guided import RelaxedPlan, plan_from
from optikit_energy.model import EnergyProblem
from optikit_energy.switching import objective_price

# Default bucket length: about this many buckets over the horizon (tariff cuts add more).
# Prices are constant inside a tariff period, so finer buckets add little to the bound
# (650.71 with 18 buckets, 650.76 with 28 on the 2,880-minute benchmark instance) and
# cost LP time.
TARGET_BUCKETS = 16
# The automatic choice solves the MILP up to this many columns, else the LP.
MILP_COLUMNS = 8_000
# The relaxations ``build`` makes (option ``bucket_relaxation``).
PREEMPTIVE = "preemptive"
NON_PREEMPTIVE = "non-preemptive"
CLASSIC = "classic"
RELAXATIONS = (PREEMPTIVE, NON_PREEMPTIVE, CLASSIC)
# Subtracted from a solver's bound (relative), for the solver's feasibility tolerances.
SAFETY = 1e-6


@dataclass
class BucketModel:
    model: LinearModel
    starts: NDArray[np.int64]  # bucket b is [starts[b], ends[b])
    ends: NDArray[np.int64]
    modes: list[tuple[int, int]]  # (op, mode) of each x column, in column order
    constant: float  # objective terms outside the model (already in ``model.offset``)
    mode_buckets: list[NDArray[np.int64]]  # per x column, the buckets of its y columns
    mode_cols: list[NDArray[np.int64]]  # per x column, its y columns
    x0: int  # the first x column


@dataclass
class BoundResult:
    value: float
    method: str  # "bucket-lp" or "bucket-milp"
    status: str
    buckets: int
    seconds: float
    relaxation: str = PREEMPTIVE
    plan: RelaxedPlan | None = None  # modes and windows of the relaxation's point


def bucket_edges(problem: EnergyProblem, bucket_len: int | None = None) -> NDArray[np.int64]:
    """Bucket boundaries: every tariff boundary, then every ``bucket_len`` units."""
    horizon = problem.horizon
    length = bucket_len or max(1, -(-horizon // TARGET_BUCKETS))
    edges = {0, horizon, *(p.start for p in problem.tariff), *(p.end for p in problem.tariff)}
    cuts = sorted(edges)
    out: list[int] = []
    for a, b in itertools.pairwise(cuts):
        out.extend(range(a, b, length))
    out.append(horizon)
    return np.array(out, dtype=np.int64)


def tracked(problem: EnergyProblem, m: int) -> bool:
    """Machines whose on/off states cost something beyond processing."""
    return problem.idle_power[m] > 0 or (problem.startup_energy[m] or 0.0) > 0


def build(problem: EnergyProblem, integer: bool = True,
          bucket_len: int | None = None, relaxation: str = PREEMPTIVE) -> BucketModel:
    """The bucket relaxation (objective in the problem's own units); ``relaxation`` is one
    of ``RELAXATIONS`` (module docstring)."""
    if relaxation not in RELAXATIONS:
        raise ValueError(f"unknown bucket relaxation {relaxation!r}")
    nonpreemptive = relaxation == NON_PREEMPTIVE
    edges = bucket_edges(problem, bucket_len)
    starts, ends = edges[:-1], edges[1:]
    lens = (ends - starts).astype(np.float64)
    nb = starts.size
    pi = objective_price(problem)
    price = pi[starts]  # constant inside each bucket
    h = problem.kwh_per_kw_unit
    horizon = problem.horizon
    cap = problem.peak_power
    w = problem.weights
    bld = LinearModelBuilder("min")

    # Modes that fit their operation's window and the cap.
    modes: list[tuple[int, int]] = []
    for g, op in enumerate(problem.ops):
        lo, hi = problem.heads[g], horizon - problem.tails[g]
        for k, md in enumerate(op.modes):
            if lo + md.duration <= hi and (cap is None or md.power <= cap + 1e-9):
                modes.append((g, k))
    x0 = int(bld.add_columns(len(modes), upper=1.0, integer=integer)[0])

    # Working units of each machine in [0, t) (calendars: processing happens only then).
    working = CalendarStarts(problem).working
    worked = [None if mask is None else np.concatenate(([0], np.cumsum(mask)))
              for mask in working]

    def work_in(m: int, a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.int64]:
        """Working units of machine m in [a, b) (elementwise; b >= a)."""
        cum = worked[m]
        return b - a if cum is None else cum[b] - cum[a]

    # y columns: one block per mode over the buckets its window meets.
    mode_starts: dict[tuple[int, int], ModeStarts] = {}
    y_cols: list[NDArray[np.int64]] = []
    y_bkt: list[NDArray[np.int64]] = []
    y_room: list[NDArray[np.float64]] = []
    for (g, k) in modes:
        md = problem.ops[g].modes[k]
        lo, hi = problem.heads[g], horizon - problem.tails[g]
        from_t, to_t = np.maximum(starts, lo), np.minimum(ends, hi)
        overlap = np.where(to_t > from_t,
                           work_in(md.machine, from_t, np.maximum(from_t, to_t)), 0)
        bs = np.flatnonzero(overlap > 0)
        room = np.minimum(overlap[bs], md.duration).astype(np.float64)
        cost = md.power * h * price[bs]
        cols = bld.add_columns(bs.size, cost=cost, upper=room)
        if nonpreemptive:
            x_col = x0 + len(y_cols)
            pattern = (start_pattern(starts, ends, bs, md.duration, lo, hi - md.duration)
                       if worked[md.machine] is None else None)
            u = None if pattern is None else add_start_rows(bld, pattern, x_col, cols, integer)
            mode_starts[(g, k)] = ModeStarts(
                x_col, md.duration,
                np.zeros(0, np.int64) if pattern is None else pattern.start_buckets, u)
        y_cols.append(cols)
        y_bkt.append(bs)
        y_room.append(room)

    def row(cols: Any, vals: Any, lower: float = -np.inf, upper: float = np.inf) -> None:
        c = np.asarray(cols, dtype=np.int64)
        bld.add_rows_coo(1, np.zeros(c.size, dtype=np.int64), c,
                         np.asarray(vals, dtype=np.float64), lower, upper)

    # One mode per operation; a mode's units add up to its duration.
    by_op: dict[int, list[int]] = {}
    for i, (g, _k) in enumerate(modes):
        by_op.setdefault(g, []).append(i)
    for g in range(len(problem.ops)):
        idx = by_op.get(g, [])
        if not idx:
            raise ValueError(f"operation {g} has no mode that fits")  # models refuse earlier
        row([x0 + i for i in idx], np.ones(len(idx)), 1.0, 1.0)
    for i, (g, k) in enumerate(modes):
        d = problem.ops[g].modes[k].duration
        # y <= min(overlap, d) * x, per bucket (the column upper bound alone allows y > 0
        # with x = 0).
        cols = y_cols[i]
        n = cols.size
        r = np.arange(n)
        bld.add_rows_coo(n, np.concatenate([r, r]), np.concatenate([cols, np.full(n, x0 + i)]),
                         np.concatenate([np.ones(n), -y_room[i]]), upper=0.0)
        row(np.concatenate([cols, [x0 + i]]), np.concatenate([np.ones(n), [-float(d)]]),
            0.0, 0.0)

    # Per bucket sums: machine, job, peak (and cover) rows are built bucket-major.
    per_machine: list[list[tuple[NDArray[np.int64], NDArray[np.int64]]]] = [
        [] for _ in range(problem.num_machines)
    ]
    per_job: list[list[tuple[NDArray[np.int64], NDArray[np.int64]]]] = [
        [] for _ in problem.job_ops
    ]
    for i, (g, k) in enumerate(modes):
        md = problem.ops[g].modes[k]
        per_machine[md.machine].append((y_bkt[i], y_cols[i]))
        per_job[problem.ops[g].job].append((y_bkt[i], y_cols[i]))

    # Tracked machines: z, v, s, idle per bucket.
    track = [m for m in range(problem.num_machines) if tracked(problem, m) and per_machine[m]]
    z0: dict[int, int] = {}
    v0: dict[int, int] = {}
    s0: dict[int, int] = {}
    i0: dict[int, int] = {}
    for m in track:
        idle = problem.idle_power[m]
        e_on = problem.startup_energy[m] or 0.0
        z0[m] = int(bld.add_columns(nb, upper=1.0, integer=integer)[0])
        v0[m] = int(bld.add_columns(nb, upper=1.0, integer=integer)[0])
        s0[m] = int(bld.add_columns(nb, cost=e_on * price, upper=1.0, integer=integer)[0])
        i0[m] = int(bld.add_columns(nb, cost=idle * h * price, upper=lens)[0])
        b = np.arange(nb)
        # z[b] <= v[b-1] + s[b];  v[b] <= v[b-1] + s[b]   (v[-1] = 0: the horizon starts off)
        for lhs in (z0[m], v0[m]):
            rr = np.concatenate([b, b, b[1:]])
            cc = np.concatenate([lhs + b, s0[m] + b, v0[m] + b[1:] - 1])
            vv = np.concatenate([np.ones(nb), -np.ones(nb), -np.ones(nb - 1)])
            bld.add_rows_coo(nb, rr, cc, vv, upper=0.0)
        if problem.startup_energy[m] is None:
            row(s0[m] + b, np.ones(nb), upper=1.0)  # on from first start to last end
        rr_l: list[Any]
        if relaxation == CLASSIC:
            # idle[b] + proc[b] >= len_b * (v[b-1] + v[b] - 1 - s[b])
            rr_l = [b, b, b, b[1:]]
            cc_l: list[Any] = [i0[m] + b, v0[m] + b, s0[m] + b, v0[m] + b[1:] - 1]
            vv_l: list[Any] = [np.ones(nb), -lens, lens, -lens[1:]]
            lower = -lens.copy()
        else:
            # idle[b] + proc[b] >= len_b * (v[b] - s[b]): on at the end of b without a
            # switch-on inside b, it was on all through b.  Dominates the classic row
            # (v[b-1] <= 1) and, unlike it, charges a fractional v: an LP point "30 % on
            # all day" now pays 30 % of the day's idle (large-1 LP 650.7 -> 660.8).
            rr_l = [b, b, b]
            cc_l = [i0[m] + b, v0[m] + b, s0[m] + b]
            vv_l = [np.ones(nb), -lens, lens]
            lower = np.zeros(nb)
        for bs, cols in per_machine[m]:
            rr_l.append(bs)
            cc_l.append(cols)
            vv_l.append(np.ones(bs.size))
        bld.add_rows_coo(nb, np.concatenate(rr_l), np.concatenate(cc_l), np.concatenate(vv_l),
                         lower=lower)

    # Machine capacity (times z on tracked machines) and job capacity.
    for m in range(problem.num_machines):
        if not per_machine[m]:
            continue
        rr = np.concatenate([bs for bs, _ in per_machine[m]])
        cc = np.concatenate([cols for _, cols in per_machine[m]])
        vv = np.ones(cc.size)
        room_m = work_in(m, starts, ends).astype(np.float64)
        if m in z0:
            b = np.arange(nb)
            bld.add_rows_coo(nb, np.concatenate([rr, b]), np.concatenate([cc, z0[m] + b]),
                             np.concatenate([vv, -room_m]), upper=0.0)
        else:
            bld.add_rows_coo(nb, rr, cc, vv, upper=room_m)
    for parts in per_job:
        rr = np.concatenate([bs for bs, _ in parts])
        cc = np.concatenate([cols for _, cols in parts])
        bld.add_rows_coo(nb, rr, cc, np.ones(cc.size), upper=lens)

    # Peak cap: energy per bucket, and at most q at once among modes above cap / (q + 1).
    if cap is not None:
        rr_l, cc_l, vv_l = [], [], []
        for i, (g, k) in enumerate(modes):
            rr_l.append(y_bkt[i])
            cc_l.append(y_cols[i])
            vv_l.append(np.full(y_cols[i].size, problem.ops[g].modes[k].power))
        for m in track:
            if problem.idle_power[m] > 0:
                rr_l.append(np.arange(nb))
                cc_l.append(i0[m] + np.arange(nb))
                vv_l.append(np.full(nb, problem.idle_power[m]))
        bld.add_rows_coo(nb, np.concatenate(rr_l), np.concatenate(cc_l), np.concatenate(vv_l),
                         upper=cap * lens)
        for q in (1, 2, 3):
            big = [i for i, (g, k) in enumerate(modes)
                   if problem.ops[g].modes[k].power > cap / (q + 1) + 1e-9]
            machines = {problem.ops[modes[i][0]].modes[modes[i][1]].machine for i in big}
            if len(machines) <= q:
                continue  # implied by the machine rows
            bld.add_rows_coo(nb, np.concatenate([y_bkt[i] for i in big]),
                             np.concatenate([y_cols[i] for i in big]),
                             np.ones(sum(y_cols[i].size for i in big)), upper=q * lens)

    # Precedence: the completed fraction of an operation never exceeds its predecessor's.
    frac0: dict[int, int] = {}
    for ops in problem.job_ops:
        if len(ops) < 2:
            continue
        for g in ops:
            f0 = int(bld.add_columns(nb, upper=1.0)[0])
            frac0[g] = f0
            b = np.arange(nb)
            # F[b] - F[b-1] - sum_k y[g,k,b] / d_k = 0
            rr_l = [b, b[1:]]
            cc_l = [f0 + b, f0 + b[1:] - 1]
            vv_l = [np.ones(nb), -np.ones(nb - 1)]
            for i in by_op[g]:
                d = problem.ops[g].modes[modes[i][1]].duration
                rr_l.append(y_bkt[i])
                cc_l.append(y_cols[i])
                vv_l.append(np.full(y_cols[i].size, -1.0 / d))
            bld.add_rows_coo(nb, np.concatenate(rr_l), np.concatenate(cc_l),
                             np.concatenate(vv_l), 0.0, 0.0)
        for a, c in itertools.pairwise(ops):
            b = np.arange(nb)
            bld.add_rows_coo(nb, np.concatenate([b, b]),
                             np.concatenate([frac0[c] + b, frac0[a] + b]),
                             np.concatenate([np.ones(nb), -np.ones(nb)]), upper=0.0)

    if nonpreemptive:
        for ops in problem.job_ops:
            for a, c in itertools.pairwise(ops):
                add_precedence_rows(bld, starts, ends,
                                    [mode_starts[(a, modes[i][1])] for i in by_op[a]],
                                    [mode_starts[(c, modes[i][1])] for i in by_op[c]])

    # Completion times (mean busy time + half the duration) for makespan and tardiness.
    constant = 0.0
    if w.makespan or w.total_weighted_tardiness:
        cmax = None
        if w.makespan:
            cmax = bld.add_column(cost=w.makespan, upper=float(horizon))
        for j, ops in enumerate(problem.job_ops):
            g = ops[-1]
            job = problem.shop.jobs[j]
            c = bld.add_column(upper=float(horizon))
            terms: list[tuple[int, float]] = [(c, 1.0)]
            for i in by_op[g]:
                d = problem.ops[g].modes[modes[i][1]].duration
                mid = (starts[y_bkt[i]] + 0.5) / d
                terms += [(int(col), -float(v)) for col, v in zip(y_cols[i], mid, strict=True)]
                terms.append((x0 + i, -d / 2.0))
            bld.add_row(terms, lower=0.0)
            if cmax is not None:
                bld.add_row([(cmax, 1.0), (c, -1.0)], lower=0.0)
            if w.total_weighted_tardiness and job.due is not None and job.weight:
                t = bld.add_column(cost=w.total_weighted_tardiness * job.weight)
                bld.add_row([(t, 1.0), (c, -1.0)], lower=-float(job.due))
    model = bld.build()
    return BucketModel(model, starts, ends, modes, constant, y_bkt, y_cols, x0)


def lower_bound(problem: EnergyProblem, ctx: SolveContext, budget_s: float,
                integer: bool | None = None, bucket_len: int | None = None,
                threads: int | None = None, stop: threading.Event | None = None,
                relaxation: str = PREEMPTIVE,
                built: BucketModel | None = None) -> BoundResult | None:
    """The bucket relaxation's bound within ``budget_s`` seconds (HiGHS), or None.

    ``stop`` (default the run's) ends the solve early.  ``integer=None`` picks the MILP
    when it is small (up to ``MILP_COLUMNS``: its dual
    bound passes the LP's within seconds, 170.3 -> 175.2 on a generated medium instance)
    and the LP otherwise (on the 2,880-minute instance the MILP's root alone outlasts a
    few seconds' budget).  ``built``: the model of ``build`` with these arguments, when
    the caller has it already (the bound thread reads its size first).
    """
    import time

    from optikit.paradigms import LinearBackend

    backend = ctx.backend_of("highs", LinearBackend)
    if backend is None or budget_s <= 0.05:
        return None
    started = time.monotonic()
    bm = built or build(problem, integer=integer is not False, bucket_len=bucket_len,
                        relaxation=relaxation)
    if integer is None and bm.model.num_cols > MILP_COLUMNS:
        bm = dataclasses.replace(bm, model=dataclasses.replace(
            bm.model, integer=np.zeros_like(bm.model.integer)))
    remaining = budget_s - (time.monotonic() - started)
    if remaining <= 0.05:
        return None
    options = dataclasses.replace(ctx.options, time_limit=remaining, verbose=False,
                                  threads=threads or ctx.options.threads)
    sub = SolveContext(options, stop=stop or ctx.stop)
    result = backend.solve(bm.model, sub)
    value: float | None
    if bm.model.is_mip:
        value = result.bound
    else:
        value = result.objective if result.status is Status.OPTIMAL else None
    if value is None or not np.isfinite(value):
        return None
    plan = None
    if result.x is not None and result.objective is not None:
        plan = plan_from(bm.modes, bm.mode_buckets, bm.mode_cols, bm.starts, bm.ends,
                         result.x[bm.x0:bm.x0 + len(bm.modes)], result.x,
                         result.objective)
    value = value - SAFETY * max(1.0, abs(value))
    return BoundResult(value, "bucket-milp" if bm.model.is_mip else "bucket-lp",
                       result.status.value, int(bm.starts.size),
                       round(time.monotonic() - started, 3), relaxation, plan)
