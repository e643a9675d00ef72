"""The energy-unaware reference: the same shop scheduled for makespan alone.

What an energy manager compares against is the plan the plant would run without energy
awareness: every operation as early as possible (makespan first, then the earliest
finish of every operation), the fastest modes that achieve it, every machine on from its
first start to its last end.  The plant's peak cap is physical, so the baseline keeps it.
Its energy figures come from the same unit-by-unit computation as the checker's
(:mod:`optikit_energy.energy`), so the saving is like for like.
"""

from __future__ import annotations

from typing import Any

from optikit.scheduling import ScheduledOperation, makespan, weighted_tardiness
from optikit.types import SolveContext, Status
from optikit_energy import cpsat_solutions as solutions
from optikit_energy import energy, heuristic, switching
from optikit_energy.cpsat_model import BuildStopped, EnergyCpModel
from optikit_energy.model import EnergyProblem, Infeasible


def describe(
    problem: EnergyProblem, schedule: list[ScheduledOperation], how: str
) -> dict[str, Any]:
    switch_on = switching.stay_on_policy(problem, schedule)
    figures, _ = energy.compute(problem, schedule, switch_on)
    span = makespan(schedule)
    tardiness = weighted_tardiness(problem.shop, schedule)
    return {
        "description": "the same shop scheduled for makespan alone (earliest finish), "
        "machines on from first start to last end",
        "method": how,
        "makespan": span,
        "total_weighted_tardiness": tardiness,
        "energy": figures.payload(),
        "objective": energy.objective(problem, figures, schedule),
    }


def compute(
    problem: EnergyProblem, backend: Any, ctx: SolveContext, budget_s: float
) -> dict[str, Any] | None:
    """Baseline figures, or None if not even a greedy schedule fits the horizon."""
    greedy = heuristic.construct(problem, "earliest", keep_on=True)
    guide = greedy or heuristic.construct(problem, "earliest", keep_on=False)
    try:
        model = EnergyCpModel(problem, purpose="makespan", should_stop=ctx.expired)
    except (Infeasible, BuildStopped):
        return None
    hint = None
    if guide is not None:
        # A hint even if it breaks the cap once machines stay on: CP-SAT repairs from it.
        cp = model.model
        hint = {
            cp.get_int_var_from_proto_index(i): v
            for i, v in solutions.decision_hint(model, guide.schedule, {}).items()
        }
    result = backend.solve(
        model.model, ctx, hint=hint, time_limit=budget_s, report_progress=False,
        parameters={"cp_model_probing_level": 0},
    )
    if result.status.has_solution:
        schedule, _ = solutions.extract(model, result.value, result.boolean_value)
        how = "cpsat makespan " + ("(optimal)" if result.status is Status.OPTIMAL else "(feasible)")
        return describe(problem, schedule, how)
    if greedy is not None:
        return describe(problem, greedy.schedule, "earliest-finish dispatching")
    return None


def saving(
    base: dict[str, Any], figures: energy.EnergyFigures, objective: float
) -> dict[str, Any]:
    """What the optimised plan saves against the baseline (positive = better)."""
    b = base["energy"]
    now = figures.payload()

    def pct(old: float, new: float) -> float | None:
        return None if old == 0 else 100.0 * (old - new) / old

    return {
        "cost": b["cost"] - now["cost"],
        "cost_pct": pct(b["cost"], now["cost"]),
        "kwh": b["kwh"] - now["kwh"],
        "co2_kg": b["co2_kg"] - now["co2_kg"],
        "co2_pct": pct(b["co2_kg"], now["co2_kg"]),
        "peak_kw": b["peak_kw"] - now["peak_kw"],
        "objective": base["objective"] - objective,
        "objective_pct": pct(base["objective"], objective),
    }
