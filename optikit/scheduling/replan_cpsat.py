"""The stability stage of a CP-SAT re-plan, for any type whose model minimises an integer
objective expression.

:func:`stability_terms` adds ``|start - old start|`` per moved item and "not on its old
machine" per operation; :func:`solve_stages` runs the ``stability.mode``:
``lexicographic`` (stage 1 the type's objective, stage 2 least disruption with the
objective kept within ``tolerance`` of stage 1's), ``weighted`` (objective +
disruption in one stage) or ``none`` (stage 1 only).  The type reads the results into
its own plans (and keeps stage 1's when stage 2 finds nothing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from optikit.scheduling.replan_events import Stability
from optikit.types import Outcome, SolveContext, Status

STAGE1_SHARE = 0.7  # of the remaining time, in the lexicographic mode


@dataclass
class Stages:
    """What the stages found: stage 1's result, stage 2's (or None), and their statuses."""

    first: Any
    second: Any = None
    proven: bool = False  # stage 1 proved its objective optimal (not in weighted mode)
    stats: dict[str, Any] = field(default_factory=dict)


def stability_terms(
    model: Any, moves: Sequence[tuple[Any, int, int]], same: Sequence[Sequence[Any]]
) -> tuple[Any, Any]:
    """(total shift, machine changes): ``moves`` are (start variable, old start, largest
    shift); ``same`` per operation of the old plan the literals of its modes on its old
    machine (empty: it cannot stay)."""
    shifts = []
    for i, (start, old, room) in enumerate(moves):
        shift = model.new_int_var(0, max(room, old), f"shift{i}")
        model.add_abs_equality(shift, start - old)
        shifts.append(shift)
    changes = [1 - sum(lits) if lits else 1 for lits in same]
    return sum(shifts), sum(changes)


def solve_stages(
    model: Any, objective: Any, scale: float, offset: float, shift: Any, changes: Any,
    stability: Stability, backend: Any, ctx: SolveContext, exact: bool = True,
) -> Stages:
    """Solve ``model`` (which minimises the integer ``objective``; true objective =
    ``objective * scale + offset``) in the stability mode."""
    mode = stability.mode
    q = 1.0 / scale
    if mode == "weighted":
        model.minimize(objective + round(q * stability.shift) * shift
                       + round(q * stability.machine_change) * changes)
    remaining = ctx.remaining()
    limit = remaining * STAGE1_SHARE if remaining is not None and mode == "lexicographic" else (
        remaining)
    weighted = mode == "weighted"
    first = backend.solve(model, ctx, time_limit=limit,
                          objective_scale=1.0 if weighted else scale,
                          objective_offset=0.0 if weighted else offset,
                          report_progress=not weighted)
    out = Stages(first, stats={"stage1_status": first.status.value})
    if not first.status.has_solution:
        return out
    out.proven = not weighted and exact and first.status is Status.OPTIMAL
    if mode != "lexicographic" or ctx.expired():
        return out
    if not isinstance(objective, int):  # a constant objective needs no bound
        reached = int(first.value(objective))
        model.add(objective <= math.floor(reached * (1.0 + stability.tolerance)))
    a, b = integer_pair(stability.shift, stability.machine_change)
    model.minimize(a * shift + b * changes)
    model.clear_hints()
    for i in range(len(model.proto.variables)):
        var = model.get_int_var_from_proto_index(i)
        model.add_hint(var, first.value(var))
    second = backend.solve(model, ctx, time_limit=ctx.remaining(), report_progress=False)
    out.stats["stage2_status"] = second.status.value
    if second.status.has_solution:
        out.second = second
    return out


def integer_pair(a: float, b: float) -> tuple[int, int]:
    """Two non-negative weights as integers in about the same ratio."""
    scale = 1000 / max(a, b, 1e-9)
    return round(a * scale), round(b * scale)


def no_plan(stages: Stages) -> Outcome | None:
    """The outcome when stage 1 found no plan (None when it found one)."""
    first = stages.first
    if first.status is Status.INFEASIBLE:
        return Outcome(Status.INFEASIBLE, stats=stages.stats,
                       message="no plan keeps the started work and the events")
    if not first.status.has_solution:
        return Outcome(first.status if first.status is Status.ERROR else Status.UNKNOWN,
                       stats=stages.stats, message=first.message
                       or "no re-plan found within the limits")
    return None


class Repaired(Protocol):
    """A repaired old plan that passed the type's checks."""

    @property
    def value(self) -> float: ...

    @property
    def payload(self) -> dict[str, Any]: ...


def fallback(repaired: Repaired | str, stats: dict[str, Any], status: Status, message: str,
             bound: float | None = None) -> Outcome:
    """The checked repaired plan as the answer (``feasible``; ``bound`` kept when it is
    finite and not above the plan), or ``status`` with why there is none (``repaired``)."""
    if isinstance(repaired, str):
        return Outcome(status, stats=stats, message=f"{message}; {repaired}")
    if bound is not None and (not math.isfinite(bound) or bound > repaired.value):
        bound = None
    return Outcome(Status.FEASIBLE, payload=repaired.payload, objective=repaired.value,
                   bound=bound, stats={**stats, "answer": "repair"},
                   message="no better re-plan found in time: the old plan repaired")


def last_resort(repaired: Repaired | str) -> Outcome:
    """The re-plan's answer when no model runs: the checked repaired plan (``feasible``),
    or ``unknown`` saying why there is none."""
    stats = {} if isinstance(repaired, str) else {"repair_objective": repaired.value}
    return fallback(repaired, stats, Status.UNKNOWN, "no re-plan found")


def unless_planned(stages: Stages, repaired: Repaired | str,
                   stats: dict[str, Any]) -> Outcome | None:
    """None when stage 1 found a plan; else the answer without one: a proven
    infeasibility as it is, otherwise the repaired old plan (or why there is none).
    ``stats`` takes the stages' figures either way."""
    stats.update(stages.stats)
    failed = no_plan(stages)
    if failed is None:
        return None
    if failed.status is Status.INFEASIBLE:
        return failed
    return fallback(repaired, stats, failed.status, failed.message or "no re-plan found")
