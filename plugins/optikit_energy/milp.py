"""Formulation ``milp`` (paradigm ``linear``): the time-indexed model on a linear backend.

For small instances and for cross-checking the CP-SAT formulation; it refuses (UsageError)
instances above the size limits of :mod:`optikit_energy.timeindexed` and instances with
sequence-dependent setups.  The constructive schedule is kept as the answer if the MILP
solver finds nothing better within the time limit.
"""

from __future__ import annotations

from typing import Any

from optikit.paradigms import LinearResult
from optikit.types import Outcome, SolveContext, Status
from optikit_energy import heuristic, switching, timeindexed, timeindexed_points
from optikit_energy.diagnosis import diagnosis_analysis
from optikit_energy.model import EnergyProblem, Infeasible
from optikit_energy.options import MILP_OPTIONS
from optikit_energy.run import evaluate


def solve(problem: EnergyProblem, backend: Any, ctx: SolveContext) -> Outcome:
    opts = ctx.options_for(MILP_OPTIONS)
    timeindexed.check_size(problem)
    built = heuristic.best_constructed(problem, budget_s=0.5)
    if built is not None:
        ctx.report(built.objective, None, source="heuristic")
    analysis: dict[str, Any] = {}
    try:
        ti = timeindexed.build(problem)
    except Infeasible as exc:
        diagnosis: dict[str, Any] = {}
        analysis["diagnosis"] = diagnosis_analysis(problem, ctx, diagnosis)
        return Outcome(Status.INFEASIBLE, message=str(exc), analysis=analysis, stats=diagnosis)
    stats: dict[str, Any] = {
        "model": {
            "columns": ti.model.num_cols,
            "rows": ti.model.num_rows,
            "nonzeros": int(ti.model.data.size),
            "start_columns": ti.num_start_columns,
        }
    }
    if ctx.expired():  # out of time or stopped
        # The build used the time up: answer with the constructed schedule at once.
        result = LinearResult(Status.UNKNOWN, message="no time left to solve the MILP")
    else:
        result = backend.solve(ti.model, ctx)
    stats["backend"] = {"status": result.status.value, "objective": result.objective,
                        "bound": result.bound, **(result.stats or {})}
    if opts["baseline"] and not ctx.expired():
        base = _baseline(problem, ctx)
        if base is not None:
            analysis["baseline"] = base

    if result.status is Status.INFEASIBLE:
        analysis["diagnosis"] = diagnosis_analysis(problem, ctx, stats)
    if result.status in (Status.INFEASIBLE, Status.UNBOUNDED):
        return Outcome(result.status, message=result.message, analysis=analysis, stats=stats)
    candidates = []
    if result.status.has_solution and result.x is not None:
        schedule, switch_on = timeindexed_points.extract(problem, ti, result.x)
        switch_on = switching.normalize(problem, schedule, switch_on)
        candidates.append((evaluate(problem, schedule, switch_on), "milp", schedule, switch_on))
    if built is not None:
        candidates.append((built.objective, "heuristic", built.schedule, built.switch_on))
    if not candidates:
        return Outcome(Status.UNKNOWN, message=result.message or "no solution within the limits",
                       bound=result.bound, analysis=analysis, stats=stats)
    objective, source, schedule, switch_on = min(candidates, key=lambda c: c[0])
    payload, figures = switching.build_payload(problem, schedule, switch_on)
    if "baseline" in analysis:
        from optikit_energy import baseline

        analysis["saving"] = baseline.saving(analysis["baseline"], figures, objective)
    analysis["energy_breakdown"] = figures.breakdown()
    stats["solution_source"] = source
    status = Status.OPTIMAL if result.status is Status.OPTIMAL and source == "milp" else (
        Status.FEASIBLE
    )
    bound = result.bound
    if bound is not None and bound > objective:
        bound = objective
    return Outcome(status, payload=payload, objective=objective, bound=bound,
                   analysis=analysis, stats=stats)


def _baseline(problem: EnergyProblem, ctx: SolveContext) -> dict[str, Any] | None:
    """The makespan-only baseline, on the registered CP-SAT backend; the earliest-finish
    greedy schedule where CP-SAT is not registered or cannot run."""
    from optikit_energy import baseline

    remaining = ctx.remaining()
    budget = min(5.0, remaining if remaining is not None else 5.0) * 0.5
    cp = ctx.backend("cpsat")
    if cp is not None:
        return baseline.compute(problem, cp, ctx, budget_s=budget)
    greedy = heuristic.construct(problem, "earliest", keep_on=True)
    if greedy is None:
        return None
    return baseline.describe(problem, greedy.schedule, "earliest-finish dispatching")
