"""``fl``'s last MILP on models that are not large: a start from the facility-location LP,
and a model and settings that HiGHS proves faster than the plain one.

Where the time went (issue 16, see benchmarks/lot-sizing/README.md): HiGHS proves F1 and
the generated small instances from the plain model in about 2 s of CPU; its root takes
40-60 % of that, mostly in the RINS and RENS sub-MIPs that find the plan, and the root
bound it reaches on the plain rows is as good as with any (l,S) or surrogate capacity
rows added.  So ``fl`` brings the plan and the branching, not the bound:

1. *start*: the setups the facility-location LP closes (0) or opens (1) are fixed and the
   rest of the plain MILP is solved (a RENS on the stronger LP: HiGHS's own works from
   the plain one); 0.2-1.2 % above the optimum on F1 and the small instances, in
   0.05-0.25 s.  When the fixing leaves no feasible plan, only the closed setups are fixed;
   when that fails too there is no start (capacity with setup times can need setups the
   LP keeps closed).
2. *setup counts*: an integer column per period equal to its number of setups; branching
   on a period's count splits the capacity-bound fractional setups that the plain
   variables leave for hundreds of nodes (F1: 57-69 nodes instead of 191-429).
3. with that start, HiGHS runs without RINS and RENS (:data:`HIGHS_WITH_START`), whose
   sub-MIPs then only re-find it.

The three only pay together (measured: the counts alone, or the start without its
sub-MIPs on the plain model, are no faster than the plain MILP), and only on small
models (:data:`GUIDED_MAX_SETUPS`): on G73 (24 items x 30 periods) and the generated
medium instances (20 x 30) HiGHS without RINS and RENS did not improve the start (G73 at
60 s: 254,358 against the plain MILP's 254,170), so there ``fl`` keeps the plain MILP.
Measured on the ``highs`` backend only, which is the only one that takes this path.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearModel, LinearResult, LinearSolver
from optikit.types import SolveContext
from optikit_lotsizing.linear import LotModel

#: Largest number of setup columns ``fl`` takes this path for (F1: 90, generated small:
#: 140-150, medium: about 600, G73: about 720).
GUIDED_MAX_SETUPS = 300
#: Gap the start's restricted MILP is solved to (it is a start, the last MILP proves).
START_GAP = 1e-4
#: A fractional LP setup counts as closed below this, as open above ``1 - FIXED_TOL``.
FIXED_TOL = 1e-6
#: HiGHS options of the last MILP when it has the start (unless the user set them).
HIGHS_WITH_START = {"highs.mip_heuristic_run_rins": "false",
                    "highs.mip_heuristic_run_rens": "false"}


def applies(lm: LotModel, backend_name: str) -> bool:
    """Whether ``fl`` takes this path: small models (see above) on the ``highs`` backend,
    the only one measured with it (the others take no RINS/RENS options from here)."""
    return backend_name == "highs" and int((lm.y >= 0).sum()) <= GUIDED_MAX_SETUPS


def guided_start(lm: LotModel, setups: NDArray[np.float64], backend: LinearSolver,
                 ctx: SolveContext, until: float | None) -> LinearResult | None:
    """A plan of the plain model ``lm.model`` with the setups the LP left at 0 (and, if
    that gives one, at 1) fixed; ``setups`` is the LP value of every setup column of
    ``lm.y`` (its order).  None when neither fixing gives a plan before the instant
    ``until`` (seconds since the run started; None: the run's deadline)."""
    model = lm.model
    columns = lm.y[lm.x >= 0]
    closed, opened = columns[setups < FIXED_TOL], columns[setups > 1 - FIXED_TOL]
    for fix_open in (True, False):
        lower, upper = model.col_lower.copy(), model.col_upper.copy()
        upper[closed] = 0.0
        if fix_open:
            lower[opened] = 1.0
        restricted = dataclasses.replace(model, col_lower=lower, col_upper=upper)
        result = backend.solve(restricted, ctx.narrowed(end=until, gap=START_GAP))
        if result.status.has_solution and result.x is not None:
            return dataclasses.replace(result, bound=None)  # a restriction's bound
        if ctx.expired() or (until is not None and ctx.elapsed() >= until):
            break
    return None


def _period_setups(lm: LotModel) -> list[NDArray[np.int64]]:
    """The setup columns of each period with at least two (one needs no count)."""
    groups = [lm.y[:, t][lm.y[:, t] >= 0] for t in range(lm.y.shape[1])]
    return [g for g in groups if g.size >= 2]


def with_setup_counts(model: LinearModel, lm: LotModel) -> LinearModel:
    """``model`` with an integer column per period equal to its number of setups, after
    the existing columns (so every column of ``lm`` keeps its index)."""
    groups = _period_setups(lm)
    if not groups:
        return model
    first = model.num_cols
    counts = np.arange(first, first + len(groups), dtype=np.int64)
    rows = [np.concatenate([g, [c]]) for g, c in zip(groups, counts, strict=True)]
    values = [np.concatenate([np.ones(g.size), [-1.0]]) for g in groups]
    lengths = np.array([r.size for r in rows], dtype=np.int64)
    sizes = np.array([g.size for g in groups], dtype=np.float64)
    changes: dict[str, Any] = {
        "c": np.concatenate([model.c, np.zeros(len(groups))]),
        "col_lower": np.concatenate([model.col_lower, np.zeros(len(groups))]),
        "col_upper": np.concatenate([model.col_upper, sizes]),
        "integer": np.concatenate([model.integer, np.ones(len(groups), dtype=bool)]),
        "indptr": np.concatenate([model.indptr, model.indptr[-1] + np.cumsum(lengths)]),
        "indices": np.concatenate([model.indices, *rows]).astype(np.int64),
        "data": np.concatenate([model.data, *values]),
        "row_lower": np.concatenate([model.row_lower, np.zeros(len(groups))]),
        "row_upper": np.concatenate([model.row_upper, np.zeros(len(groups))]),
    }
    if model.col_names is not None:
        changes["col_names"] = [*model.col_names,
                                *(f"setups:{k + 1}" for k in range(len(groups)))]
    if model.row_names is not None:
        changes["row_names"] = [*model.row_names,
                                *(f"setup_count:{k + 1}" for k in range(len(groups)))]
    return dataclasses.replace(model, **changes)


def counted_point(lm: LotModel, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """A point of the plain model extended by its setup counts (see
    :func:`with_setup_counts`)."""
    counts = [float(np.round(x[g]).sum()) for g in _period_setups(lm)]
    return np.concatenate([x, counts])


def milp_options(backend_name: str, ctx: SolveContext) -> dict[str, Any] | None:
    """The ``extra`` options of the last MILP when it has the guided start (None: the
    run's own).  HiGHS only; an option the user set is left as the user set it."""
    if backend_name != "highs":
        return None
    mine = {k: v for k, v in HIGHS_WITH_START.items() if k not in ctx.options.extra}
    return {**ctx.options.extra, **mine} if mine else None
