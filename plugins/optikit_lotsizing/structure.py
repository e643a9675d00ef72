"""Fix-and-optimise along the bill of materials instead of along the periods.

The period windows (:func:`windows.sliding_windows`) free every item over a few
periods, so a move that shifts a parent's lots and its components' with them over a
longer span is out of their reach.  A neighbourhood here frees a part of the product
structure over every period, every other column fixed at the incumbent and substituted
out (:mod:`windows`):

- ``items``: one item without parents (an end item) and its whole bill of materials:
  its production, setups and stock, the same of every made item under it, the orders
  and stock of the bought items under it, the overtime of the resources they use;
- ``components``: one made item that has parents, with all its parents (their own
  other components stay fixed) and the bought items it consumes.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearModel, LinearResult, LinearSolver
from optikit.types import SolveContext
from optikit_lotsizing.linear import LotModel
from optikit_lotsizing.model import LotSizingProblem
from optikit_lotsizing.subtrees import bom_closure
from optikit_lotsizing.windows import solve_restricted


def below(problem: LotSizingProblem, root: int) -> list[int]:
    """``root`` and every item in its bill of materials (any depth)."""
    return sorted(bom_closure(problem, root))


def columns_of(problem: LotSizingProblem, lm: LotModel, items: list[int],
               orders: bool = True) -> NDArray[np.bool_]:
    """Every column of ``items`` (production, setups, stock, backlog, their orders unless
    not ``orders``) and the overtime of the resources their production uses."""
    free = np.zeros(lm.model.num_cols, dtype=bool)
    for block in (lm.x, lm.y, lm.stock, lm.backlog):
        cols = block[items].ravel()
        free[cols[cols >= 0]] = True
    chosen = set(items) if orders else set()
    for order in lm.orders:
        if order.source.item in chosen:
            free[order.q] = True
            free[order.w] = True
            if order.count >= 0:
                free[order.count] = True
    resources = np.flatnonzero(problem.uses[items].any(axis=0))
    cols = lm.overtime[resources].ravel()
    free[cols[cols >= 0]] = True
    return free


def neighbourhoods(problem: LotSizingProblem, lm: LotModel, kind: str, orders: bool = True
                   ) -> Iterator[tuple[str, NDArray[np.bool_]]]:
    """The neighbourhoods of ``kind`` (``items`` or ``components``), labelled by item;
    without ``orders`` the bought items' orders stay fixed (their stock is free)."""
    has_parent = np.asarray(problem.bom.any(axis=1), dtype=bool)
    bought = np.asarray(problem.purchased & ~problem.produced, dtype=bool)
    for i in range(problem.num_items):
        if not problem.produced[i]:
            continue
        if kind == "items" and not has_parent[i]:
            yield problem.ids[i], columns_of(problem, lm, below(problem, i), orders)
        elif kind == "components" and has_parent[i]:
            parents = [int(p) for p in np.flatnonzero(problem.bom[i])]
            raws = [int(c) for c in np.flatnonzero(problem.bom[:, i]) if bought[c]]
            yield problem.ids[i], columns_of(problem, lm, sorted({i, *parents, *raws}),
                                              orders)


def solve_neighbourhood(model: LinearModel, backend: LinearSolver, ctx: SolveContext,
                        free: NDArray[np.bool_], best: LinearResult, seconds: float | None
                        ) -> LinearResult:
    """The ``free`` columns as a model of their own around ``best`` (its MIP start), solved
    as the windows are; the answer lifted to the whole model (the plan's objective, no
    bound)."""
    return solve_restricted(model, backend, ctx, free, best, seconds)
