"""(l,S) inequalities separated on the LP relaxation: the facility-location bound on the
small aggregate model.

For an item made and never bought, with cumulative requirement ``R`` (see
:mod:`requirements`; ``R[-1] = 0``), lead time ``L`` and ``D(t,l) = R[l] - R[t+L-1]``
(the requirement of arrival periods ``t+L..l``), every plan satisfies, for every period
``l`` and every set ``S`` of start periods ``t <= l - L``::

    sum_{t in S} D(t,l) y[t] + sum_{t not in S} x[t] >= R[l]

(in ``S`` a start covers at most what is still required, outside it at most its size).
Their closure is the projection of the facility-location reformulation, whose LP bound
is exact for the uncapacitated item.  The most violated ``S`` for a given ``l`` puts
``t`` in ``S`` exactly when ``D(t,l) y*[t] < x*[t]``, so separation is a linear scan.

The loop solves the LP, adds every cut violated by more than ``MIN_VIOLATION`` (relative)
and stops when none is left, the bound stalls, or its time share is spent.  The MILP keeps
only the cuts priced by the last LP's duals: the same LP bound with the fewest rows.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, LinearModel, LinearSolver
from optikit.types import SolveContext, Status
from optikit_lotsizing.budget import over, phase_end
from optikit_lotsizing.linear import LotModel, build
from optikit_lotsizing.model import LotSizingProblem
from optikit_lotsizing.requirements import lower_cumulative

MIN_VIOLATION = 1e-4
#: Largest facility-location model whose LP seeds the cuts.
SEED_MAX_COLUMNS = 60_000
MAX_ROUNDS = 60
STALL_ROUNDS = 3
STALL_GAIN = 1e-5
#: Cuts whose dual price at the last LP is below this are dropped before the MILP.
DUAL_TOL = 1e-9


Cut = tuple[NDArray[np.int64], NDArray[np.float64], float]


def separate(problem: LotSizingProblem, lm: LotModel, need: NDArray[np.float64],
             values: NDArray[np.float64], min_violation: float = MIN_VIOLATION
             ) -> list[Cut]:
    """The most violated (l,S) cut per item and period, as (columns, coefficients, rhs);
    with ``min_violation < 0`` also those tight (or nearly) at ``values``."""
    periods, found = problem.periods, []
    for i in np.flatnonzero(problem.produced & ~problem.purchased):
        cols = np.flatnonzero(lm.x[i] >= 0)
        if cols.size == 0:
            continue
        lead = int(problem.lead[i])
        x = values[lm.x[i, cols]]
        y = values[lm.y[i, cols]]
        before = np.concatenate(([0.0], need[i]))
        for last in range(periods):
            req = float(need[i, last])
            if req <= 0:
                continue
            ok = cols + lead <= last
            if not ok.any():
                continue
            ts = cols[ok]
            cover = req - before[ts + lead]  # D(t, l)
            level = float(np.minimum(cover * y[ok], x[ok]).sum())
            if req - level <= min_violation * max(1.0, req):
                continue
            tol = 1e-9 * max(1.0, req)
            strict = cover * y[ok] < x[ok] - tol
            loose = cover * y[ok] <= x[ok] + tol
            # both ways of breaking ties: either cut may be the one the LP needs
            for in_s in (strict, loose) if (strict != loose).any() else (strict,):
                pos = in_s & (cover > 0)
                cols_cut = np.concatenate([lm.y[i, ts[pos]], lm.x[i, ts[~in_s]]])
                vals_cut = np.concatenate([cover[pos], np.ones(int((~in_s).sum()))])
                found.append((cols_cut.astype(np.int64), vals_cut, req))
    return found


def with_cuts(base: LinearModel, cuts: list[Cut]) -> LinearModel:
    """``base`` with the cuts appended as ``>= rhs`` rows."""
    if not cuts:
        return base
    lengths = np.array([c[0].size for c in cuts], dtype=np.int64)
    indptr = np.concatenate([base.indptr, base.indptr[-1] + np.cumsum(lengths)])
    names = None if base.row_names is None else [*base.row_names,
                                                 *(f"lS{k}" for k in range(len(cuts)))]
    return dataclasses.replace(
        base,
        indptr=indptr.astype(np.int64),
        indices=np.concatenate([base.indices, *(c[0] for c in cuts)]).astype(np.int64),
        data=np.concatenate([base.data, *(c[1] for c in cuts)]),
        row_lower=np.concatenate([base.row_lower, [c[2] for c in cuts]]),
        row_upper=np.concatenate([base.row_upper, np.full(len(cuts), INF)]),
        row_names=names,
    )


def _binding(cuts: list[Cut], values: NDArray[np.float64]) -> list[Cut]:
    return [c for c in cuts if float(values[c[0]] @ c[1]) <= c[2] * (1 + 1e-6) + 1e-6]


def relaxation(model: LinearModel) -> LinearModel:
    return dataclasses.replace(model, integer=np.zeros_like(model.integer))


def _seed(problem: LotSizingProblem, lm: LotModel, need: NDArray[np.float64],
          backend: LinearSolver, ctx: SolveContext, budget: float | None
          ) -> tuple[list[Cut], float | None, NDArray[np.float64] | None]:
    """The (l,S) cuts tight at the optimum of the facility-location LP (z variables
    written out): one LP gives the cuts that carry its bound, where a cut loop on the
    small model would need many rounds (each a cold LP solve through the backend).
    Also that LP's optimum (a proven bound) and its setups (in the order of
    ``lm.y[lm.x >= 0]``), None when it was not solved."""
    ext = build(problem, strong=True)
    if ext.model.num_cols > SEED_MAX_COLUMNS:
        return [], None, None
    result = backend.solve(relaxation(ext.model), ctx.narrowed(budget))
    if result.status is not Status.OPTIMAL or result.x is None:
        return [], None, None
    values = np.zeros(lm.model.num_cols)
    made = lm.x >= 0
    values[lm.x[made]] = result.x[ext.x[made]]
    values[lm.y[made]] = result.x[ext.y[made]]
    return (separate(problem, lm, need, values, min_violation=-1e-6), result.objective,
            result.x[ext.y[made]])


@dataclasses.dataclass(frozen=True)
class CutLoop:
    """What the cut loop leaves: statistics for the answer, the last LP solution (None if
    no LP was solved) and the setups of the facility-location LP that seeded it (None if
    that LP was not solved; :mod:`proof` starts from them)."""

    stats: dict[str, float]
    lp: NDArray[np.float64] | None
    seed_setups: NDArray[np.float64] | None


def strengthen(problem: LotSizingProblem, lm: LotModel, backend: LinearSolver,
               ctx: SolveContext, share: float = 0.3, max_rounds: int = MAX_ROUNDS,
               end: float | None = None) -> CutLoop:
    """Run the cut loop on ``lm`` (rebuilding ``lm.model``) for ``share`` of the time left
    before the instant ``end`` (see :mod:`budget`; None: the run's deadline)."""
    need = lower_cumulative(problem)
    base = lm.model
    pool: list[Cut] = []
    if end is None and ctx.deadline is not None:
        end = ctx.deadline - ctx.started
    until = phase_end(ctx, end, share)
    fresh: list[Cut] = []
    seed_bound: float | None = None
    seed_setups: NDArray[np.float64] | None = None
    if not over(ctx, until):
        fresh, seed_bound, seed_setups = _seed(problem, lm, need, backend, ctx,
                                               None if until is None else until - ctx.elapsed())
    cuts = len(fresh)
    if fresh:
        lm.model = with_cuts(base, fresh)
    rounds = stall = 0
    first = last = None
    values: NDArray[np.float64] | None = None
    last_x: NDArray[np.float64] | None = None
    duals: NDArray[np.float64] | None = None
    while rounds < max_rounds and not over(ctx, until):
        budget = None if until is None else until - ctx.elapsed()
        result = backend.solve(relaxation(lm.model), ctx.narrowed(budget))
        if result.status is not Status.OPTIMAL or result.x is None:
            break
        bound = float(result.objective or 0.0)
        values = result.x
        first = bound if first is None else first
        if last is not None and bound - last <= STALL_GAIN * max(1.0, abs(bound)):
            stall += 1
            if stall >= STALL_ROUNDS:
                break
        else:
            stall = 0
        last = bound
        last_x = result.x
        duals = result.row_duals
        pool += fresh
        fresh = separate(problem, lm, need, result.x)
        rounds += 1
        if not fresh:
            break
        cuts += len(fresh)
        lm.model = with_cuts(base, pool + fresh)
    if duals is not None and duals.size == base.num_rows + len(pool):
        # only the cuts with a dual price carry the last LP's bound; the others (slack or
        # degenerate-tight, often several per item and period) just slow the node LPs
        pool = [c for c, d in zip(pool, duals[base.num_rows:], strict=True)
                if abs(d) > DUAL_TOL]
        fresh = []
    elif last_x is not None:
        pool = _binding(pool, last_x)
    lm.model = with_cuts(base, pool + fresh)
    ctx.log(f"lot-sizing: {cuts} (l,S) cuts in {rounds} rounds, LP {first} -> {last}")
    out = {"cut_rounds": float(rounds), "cuts": float(cuts),
           "cuts_kept": float(len(pool) + len(fresh))}
    if seed_bound is not None:
        out["lp_bound_seed"] = seed_bound
    if first is not None and last is not None:
        out.update({"lp_bound_start": first, "lp_bound_cuts": last})
    return CutLoop(out, values, seed_setups)
