"""The state a ``cpsat`` energy solve shares with its large-neighbourhood search.

:mod:`optikit_energy.cpsat` drives the solve and :mod:`optikit_energy.lns` improves its
incumbent; both read and update one :class:`Run` and turn CP-SAT results into
:class:`Incumbent` objects priced by :func:`evaluate`, the checker's objective.  Keeping
these here lets ``cpsat`` import ``lns`` without ``lns`` importing ``cpsat`` back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optikit.scheduling import ScheduledOperation
from optikit.types import SolveContext
from optikit_energy import cpsat_solutions as solutions
from optikit_energy import switching
from optikit_energy.cpsat_model import EnergyCpModel
from optikit_energy.model import EnergyProblem

# Probing in CP-SAT's presolve costs seconds on the interval model of the 2,880-minute
# benchmark instance (and every LNS sub-model) for little gain: skip it.
FAST_PRESOLVE = {"cp_model_probing_level": 0}


@dataclass
class Incumbent:
    """A checked-shape schedule with its objective, and its CP-SAT assignment if any."""

    schedule: list[ScheduledOperation]
    switch_on: dict[int, list[int]]
    objective: float
    source: str
    values: dict[int, int] | None = None  # full CP-SAT assignment, by variable index


@dataclass
class Run:
    """One ``cpsat`` solve's state: the best incumbent, the bound and the statistics."""

    problem: EnergyProblem
    backend: Any
    ctx: SolveContext
    best: Incumbent | None = None
    bound: float | None = None
    proven: bool = False
    stats: dict[str, Any] = field(default_factory=dict)
    first_solution_s: float | None = None
    # Schedules found in other threads (the guided search), offered by the main thread.
    inbox: list[Incumbent] = field(default_factory=list)

    def offer(self, inc: Incumbent) -> bool:
        """Keep ``inc`` if it is better; report it."""
        if self.best is not None and inc.objective >= self.best.objective - 1e-9 * max(
            1.0, abs(self.best.objective)
        ):
            if inc.values is not None and self.best.values is None and (
                abs(inc.objective - self.best.objective) <= 1e-9 * max(1.0, abs(inc.objective))
            ):
                self.best = inc  # same objective, but with a full assignment to hint from
            return False
        self.best = inc
        if self.first_solution_s is None:
            self.first_solution_s = self.ctx.elapsed()
        self.ctx.report(inc.objective, None, source=inc.source)
        return True

    def collect(self) -> bool:
        """Offer what other threads left in ``inbox``; True if one became the best."""
        better = False
        while self.inbox:
            better = self.offer(self.inbox.pop(0)) or better
        return better


def evaluate(problem: EnergyProblem, schedule: list[ScheduledOperation],
             switch_on: dict[int, list[int]]) -> float:
    """The objective as the checker computes it (energy from the schedule alone)."""
    from optikit_energy import energy

    figures, _ = energy.compute(problem, schedule, switch_on)
    return energy.objective(problem, figures, schedule)


def all_values(model: EnergyCpModel, result: Any) -> dict[int, int]:
    """The full CP-SAT assignment of ``model`` by variable index (a complete hint)."""
    return {i: int(result.value(v)) for i, v in enumerate(solutions.all_variables(model))}


def complete_hint(
    run: Run, model: EnergyCpModel, inc: Incumbent, limit: float
) -> dict[int, int] | None:
    """A full assignment of ``model`` for a known schedule (decisions fixed, rest solved)."""
    if run.ctx.stop.is_set():  # cloning a large model takes seconds; Ctrl-C promises 3 s
        return None
    decisions = solutions.decision_hint(model, inc.schedule, inc.switch_on)
    result = solve_fixed(model, decisions, run.backend, run.ctx, limit)
    if not result.status.has_solution:
        run.ctx.log(f"energy: hint completion failed ({result.status.value}: {result.message})")
        return None
    return all_values(model, result)


def solve_fixed(model: EnergyCpModel, decisions: dict[int, int], backend: Any,
                ctx: SolveContext, limit: float | None) -> Any:
    """Solve a clone of ``model`` with ``decisions`` fixed: the auxiliaries (spans, cost
    pieces) settle at their true values, so a hint made of its values costs what the
    schedule costs (the objective is kept for exactly that)."""
    clone = model.model.clone()
    solutions.fix(clone, decisions, decisions.keys())
    return backend.solve(clone, ctx, time_limit=limit, workers=1, report_progress=False,
                         parameters=FAST_PRESOLVE)


def priced(problem: EnergyProblem, model: EnergyCpModel, result: Any
           ) -> tuple[list[ScheduledOperation], dict[int, list[int]], float]:
    """The schedule, switch-ons and objective of a CP-SAT result of ``model``, priced as
    the checker prices it (the model's own objective is scaled and may round)."""
    schedule, switch_on = solutions.extract(model, result.value, result.boolean_value)
    switch_on = switching.normalize(problem, schedule, switch_on)
    return schedule, switch_on, evaluate(problem, schedule, switch_on)


def incumbent_from(run: Run, model: EnergyCpModel, result: Any, source: str) -> Incumbent:
    """The incumbent of a CP-SAT result, with its full assignment."""
    schedule, switch_on, objective = priced(run.problem, model, result)
    return Incumbent(schedule, switch_on, objective, source, all_values(model, result))
