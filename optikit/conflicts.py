"""Finding the hard limits that conflict, on a CP-SAT model guarded by assumptions.

Problem types whose infeasibility comes from a handful of relaxable limits (a horizon,
a peak cap, windows, crew sizes...) explain it the same way: each limit is enforced
only when an assumption literal holds, CP-SAT's
``sufficient_assumptions_for_infeasibility`` names a conflicting subset, a deletion
filter makes it irreducible, and a few minimisations measure how far each member alone
must move.  The problem-specific part is only the guarded model and the wording; this
module is the rest, so every plugin's diagnosis shares the run's deadline and stop flag
and says the same thing when it runs out of time.

Part of the plugin API since 1.1.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from optikit.types import SolveContext

#: Without a run time limit, a diagnosis stops after this many seconds.
DEFAULT_BUDGET_S = 30.0

#: What a diagnosis says when it ran out of time before naming the conflict.
OUT_OF_TIME_SUMMARY = (
    "the diagnosis stopped early (out of time); rerun with a longer --time-limit to find "
    "the conflicting limits"
)


class OutOfTime(Exception):
    """A probe ended without an answer (time limit, budget or Ctrl-C)."""


class Guarded(Protocol):
    """Anything carrying the assumption literal that switches one limit on."""

    literal: Any


G = TypeVar("G", bound=Guarded)
T = TypeVar("T")


class AssumptionProber:
    """Solves of one guarded CP-SAT model under subsets of its guards.

    Every solve gets what is left of both the diagnosis budget and the run's deadline,
    and raises :class:`OutOfTime` when CP-SAT returns without a verdict or the run was
    stopped, so a caller can report what it found so far.
    """

    def __init__(self, model: Any, ctx: SolveContext, budget_s: float | None = None) -> None:
        if budget_s is None:
            remaining = ctx.remaining()
            budget_s = DEFAULT_BUDGET_S if remaining is None else remaining
        self.model = model
        self.ctx = ctx
        self.deadline = time.monotonic() + budget_s
        self.solves = 0

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        remaining = self.ctx.remaining()
        if remaining is not None:
            left = min(left, remaining)
        if left <= 0.01 or self.ctx.stop.is_set():
            raise OutOfTime
        return left

    def solve(
        self,
        active: Sequence[Guarded],
        objective: Any = None,
        extra: Any = None,
        workers: int = 1,
    ) -> tuple[Any, Any]:
        """(solver, status) with ``active`` (and ``extra``, a literal) assumed."""
        from ortools.sat.python import cp_model

        model = self.model
        model.clear_assumptions()
        model.clear_objective()
        model.add_assumptions([guard.literal for guard in active])
        if extra is not None:
            model.add_assumption(extra)
        if objective is not None:
            model.minimize(objective)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = self._left()
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = self.ctx.options.seed
        self.solves += 1
        status = solver.solve(model)
        if status in (cp_model.UNKNOWN, cp_model.MODEL_INVALID):
            raise OutOfTime
        return solver, status

    def feasible(self, active: Sequence[Guarded]) -> bool:
        from ortools.sat.python import cp_model

        return self.solve(active)[1] != cp_model.INFEASIBLE

    def core(self, guards: Sequence[G]) -> list[G] | None:
        """A conflicting subset of ``guards``, or None when all of them can hold."""
        from ortools.sat.python import cp_model

        solver, status = self.solve(guards)
        if status != cp_model.INFEASIBLE:
            return None
        index = {guard.literal.index: guard for guard in guards}
        found = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
        return found or list(guards)

    def minimum(
        self, objective: Any, active: Sequence[Guarded], extra: Any = None
    ) -> tuple[int, bool] | None:
        """Least value of ``objective`` under ``active`` and whether it is proven;
        None when ``active`` alone is infeasible."""
        from ortools.sat.python import cp_model

        threads = max(1, self.ctx.options.threads)
        solver, status = self.solve(active, objective, extra, workers=threads)
        if status == cp_model.INFEASIBLE:
            return None
        return round(solver.objective_value), status == cp_model.OPTIMAL


def irreducible(members: Sequence[T], feasible: Callable[[list[T]], bool]) -> list[T]:
    """The deletion filter on any model: reduce a conflicting set to an irreducible one.

    Each member is dropped in turn and stays dropped when the rest still conflicts
    (``feasible(rest)`` is False); a member whose removal makes the rest feasible is
    needed and kept.  One feasibility test per member (Chinneck and Dravnieks, 1991).
    """
    current = list(members)
    for member in members:
        trial = [m for m in current if m is not member]
        if not feasible(trial):
            current = trial
    return current


def deletion_filter(prober: AssumptionProber, members: Sequence[G]) -> list[G]:
    """Reduce a conflicting set of guards to an irreducible one (:func:`irreducible` on
    the prober's CP-SAT model)."""
    return irreducible(members, prober.feasible)


#: ``explain(prober, members, conflicts)``: describe an irreducible conflict, appending
#: one entry per member to ``conflicts`` (kept if time runs out), and return the summary.
Explain = Callable[[AssumptionProber, list[Any], list[dict[str, Any]]], str]


def diagnose_guarded(
    model: Any,
    guards: Sequence[Guarded],
    ctx: SolveContext,
    *,
    explain: Explain,
    method: str,
    no_conflict: str,
    started: float | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``analysis["diagnosis"]`` and stats for an infeasible instance's guarded model.

    Finds a core, makes it irreducible and hands it to ``explain``; never raises for lack
    of time (the report then says so and keeps the entries found so far).  ``started``
    (a ``time.monotonic()`` reading) lets the reported time include building the model.
    """
    started = time.monotonic() if started is None else started
    prober = AssumptionProber(model, ctx)
    conflicts: list[dict[str, Any]] = []
    complete = False
    try:
        core = prober.core(guards)
        if core is None:
            summary = no_conflict
        else:
            summary = explain(prober, deletion_filter(prober, core), conflicts)
        complete = True
    except OutOfTime:
        summary = OUT_OF_TIME_SUMMARY
        if conflicts:
            summary += "; partial results below"
    report = {"summary": summary, "conflicts": conflicts, "method": method,
              "complete": complete}
    stats = {"diagnosis_solves": prober.solves,
             "diagnosis_time_s": round(time.monotonic() - started, 3)}
    return report, stats


def never_raising(
    diagnose: Callable[[], tuple[dict[str, Any], dict[str, Any]]], stats: dict[str, Any]
) -> dict[str, Any]:
    """Run ``diagnose`` (returning the report and extra stats); a failure becomes a report
    that says so, because a diagnosis must never hide the infeasible verdict."""
    try:
        report, more = diagnose()
    except Exception as exc:
        report = {
            "summary": f"the diagnosis failed: {type(exc).__name__}: {exc}",
            "conflicts": [],
            "method": "",
            "complete": False,
        }
        more = {}
    stats.update(more)
    return report
