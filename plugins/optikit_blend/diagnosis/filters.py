"""Solving variants of the elastic model, and the filters that isolate a conflict.

The elastic filter (Chinneck) hardens every limit whose slack is used until the elastic
model is infeasible; the deletion filter (``optikit.conflicts.irreducible``) then makes
the hardened set irreducible.  Every solve shares the run's deadline.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from numpy.typing import NDArray

from optikit.conflicts import irreducible
from optikit.paradigms import LinearResult, LinearSolver
from optikit.types import SolveContext, Status
from optikit_blend.diagnosis.elastic import ElasticModel

#: A slack counts as used above this (model units are % points, per-tonne charges, counts).
SLACK_TOL = 1e-9


class Stopped(Exception):
    """A solve ended without an answer (time limit, Ctrl-C, solver trouble)."""

    def __init__(self, reason: str, out_of_time: bool = False) -> None:
        super().__init__(reason)
        self.out_of_time = out_of_time


def no_time_for(ctx: SolveContext, seconds: float) -> Stopped | None:
    """Why a step that takes ``seconds`` must not start now (None: it may)."""
    remaining = ctx.remaining()
    if not ctx.expired() and (remaining is None or remaining >= seconds):
        return None
    if ctx.stop.is_set():
        return Stopped("interrupted")
    return Stopped("out of time", out_of_time=True)


class Prober:
    """Solves variants of one elastic model on the run's backend, within its deadline."""

    def __init__(
        self, em: ElasticModel, backend: LinearSolver, ctx: SolveContext, expected: float = 0.0
    ) -> None:
        self.em = em
        self.backend = backend
        self.ctx = ctx
        self.solves = 0
        #: How long the next solve will probably take (the last one's wall time): a solve
        #: that cannot finish before the deadline is not started, since a backend's own
        #: overheads (building a PuLP model, writing a file) are outside its time limit.
        self.expected = expected
        self.first: LinearResult | None = None  # the first elastic solution, once found
        self.weights = np.array([1.0 / lim.scale for lim in em.limits])

    def solve(
        self,
        hard: NDArray[np.bool_],
        priced: NDArray[np.bool_] | None = None,
        x_cost: NDArray[np.float64] | None = None,
    ) -> LinearResult:
        """Limits in ``hard`` hold exactly; the rest are relaxed, at their normalised price
        where ``priced`` is set and for free elsewhere.  ``x_cost`` replaces the slack
        prices by an objective over the charges.  Returns only INFEASIBLE or a solution."""
        stopped = no_time_for(self.ctx, self.expected)
        if stopped is not None:
            raise stopped
        em = self.em
        c = np.zeros(em.model.num_cols)
        if x_cost is not None:
            c = em.charge_cost(x_cost)
        elif priced is not None:
            c[em.slack_cols[priced]] = self.weights[priced]
        upper = em.model.col_upper.copy()
        upper[em.slack_cols[hard]] = 0.0
        variant = dataclasses.replace(em.model, c=c, col_upper=upper)
        self.solves += 1
        started = time.monotonic()
        result = self.backend.solve(variant, self.ctx)
        self.expected = time.monotonic() - started
        if result.status is Status.INFEASIBLE:
            return result
        if result.status.has_solution and result.x is not None:
            return result
        reason = result.message or result.status.value
        raise Stopped(f"a diagnosis solve ended {result.status.value}: {reason}",
                       out_of_time=self.ctx.expired())

    def feasible(self, hard: NDArray[np.bool_]) -> bool:
        """Do the ``hard`` limits (with the model's fixed rules) admit a blend?"""
        return self.solve(hard).status is not Status.INFEASIBLE

    def slacks(self, result: LinearResult) -> NDArray[np.float64]:
        assert result.x is not None
        return np.asarray(result.x[self.em.slack_cols], dtype=np.float64)


def elastic_filter(prober: Prober) -> NDArray[np.bool_]:
    """Harden every limit that needs slack until the elastic model is infeasible.

    Returns the hardened set (it conflicts on its own), or raises :class:`Stopped`.
    The first elastic solution (the cheapest combined relaxation) is kept in
    ``prober.first``.
    """
    n = len(prober.em.limits)
    hard = np.zeros(n, dtype=bool)
    while True:
        result = prober.solve(hard, priced=~hard)
        if result.status is Status.INFEASIBLE:
            return hard
        prober.first = prober.first or result
        used = (prober.slacks(result) > SLACK_TOL) & ~hard
        if not used.any():
            raise Stopped("the conflict is within the solver's tolerances")
        hard |= used


def deletion_filter(prober: Prober, members: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Reduce an infeasible set of limits (a mask) to an irreducible one."""
    n = len(members)

    def mask(indices: list[int]) -> NDArray[np.bool_]:
        out = np.zeros(n, dtype=bool)
        out[indices] = True
        return out

    kept = irreducible([int(i) for i in np.flatnonzero(members)],
                       lambda indices: prober.feasible(mask(indices)))
    return mask(kept)
