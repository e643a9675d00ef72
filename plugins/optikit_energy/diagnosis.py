"""Why an energy schedule is infeasible: the jobs and caps that conflict, and by how much.

An energy-scheduling instance has two relaxable hard limits: every job must end by the
``horizon``, and the plant's power must stay under ``peak_power`` in every unit.  Releases,
precedences, mode durations and one operation at a time per machine are the shop itself
and stay hard.  The method, on a small CP-SAT model built only for this:

1. **Guarded model.**  "Job j ends by the horizon" (one per job) and "power <= peak cap"
   are each enforced only if an assumption literal holds; time runs on to a safe bound
   past the horizon so that dropping a guard always leaves a schedule possible.
2. **Core.**  Solve with every assumption; CP-SAT's
   ``sufficient_assumptions_for_infeasibility`` names a conflicting subset.
3. **Deletion filter.**  Drop each member in turn, keep it only if the rest is then
   feasible: what is left is irreducible (every member is needed for the conflict).
4. **Single relaxations**, each with every other limit of the instance held: for a job,
   how late it must be allowed to end (its earliest end minus the horizon); for the cap,
   the least peak any schedule reaches; and for the horizon as a whole, the least makespan
   under the cap.

Power is scaled to integers (exactly when the figures have at most four decimals,
otherwise rounded against feasibility).  Sequence-dependent setups are not modelled here
(they only add time): with setups, horizon relaxations are lower bounds.  Machine
calendars are modelled as the formulations do, through the kernel's
:class:`~optikit.scheduling.calendar_cpsat.CalendarTerms` (starts only in working time, an
interruptible operation's end after its pauses), so a job that cannot end by the horizon
because of working time is named with its earliest end.  An operation that may pause is
left out of the peak check (it draws no power while paused, which one interval cannot
say): with such operations, peak relaxations are lower bounds.  Every solve
shares the run's deadline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from optikit.conflicts import AssumptionProber, diagnose_guarded, never_raising
from optikit.scheduling.calendar_cpsat import CalendarTerms
from optikit.types import SolveContext
from optikit_energy.model import EnergyProblem

#: Powers are multiplied by 10**k for the smallest k <= this that makes them integral.
MAX_DECIMALS = 4


@dataclass(eq=False)  # compared by identity: a literal's == builds a constraint
class Guard:
    """One relaxable limit: its assumption literal and how to report it."""

    constraint: str
    kind: str  # job or peak
    literal: Any
    subject: str = ""
    index: int = -1


@dataclass
class GuardedModel:
    model: Any
    guards: list[Guard]
    job_end: list[Any]
    peak: Any  # scaled cumulative capacity
    scale: int
    makespan: Any
    notes: list[str] = field(default_factory=list)


def _power_scale(values: list[float]) -> tuple[int, bool]:
    for k in range(MAX_DECIMALS + 1):
        factor = 10**k
        if all(abs(v * factor - round(v * factor)) <= 1e-9 * max(1.0, v) for v in values):
            return factor, True
    return 10**MAX_DECIMALS, False


def build(problem: EnergyProblem) -> GuardedModel:
    """The guarded CP-SAT model of the instance's hard limits (no objective)."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    p = problem
    powers = [md.power for op in p.ops for md in op.modes] + list(p.idle_power)
    if p.peak_power is not None:
        powers.append(p.peak_power)
    scale, exact = _power_scale(powers)
    end_of_time = p.horizon + p.shop.horizon()  # a serial schedule ends by then
    calendar = CalendarTerms(p.shop.calendars, end_of_time) if p.shop.has_calendars else None
    pausing = False
    machine_items: list[list[tuple[Any, Any, Any, Any]]] = [[] for _ in range(p.num_machines)]
    demands: list[tuple[Any, int]] = []
    job_end: list[Any] = []
    for ops in p.job_ops:
        previous = None
        for g in ops:
            op = p.ops[g]
            s = m.new_int_var(p.heads[g], end_of_time, f"s{g}")
            e = m.new_int_var(p.heads[g], end_of_time, f"e{g}")
            lits = [m.new_bool_var(f"x{g}_{k}") for k in range(len(op.modes))]
            m.add_exactly_one(lits)
            for k, (md, lit) in enumerate(zip(op.modes, lits, strict=True)):
                extra: Any = 0
                if calendar is not None and calendar.constrained(md.machine, md.duration):
                    iv, extra = calendar.add(m, s, lit, md.machine, md.duration,
                                             op.interruptible, p.heads[g], end_of_time,
                                             f"i{g}_{k}")
                else:
                    iv = m.new_optional_fixed_size_interval_var(s, md.duration, lit,
                                                                f"i{g}_{k}")
                m.add(e == s + md.duration + extra).only_enforce_if(lit)
                machine_items[md.machine].append((iv, lit, s, e))
                if not (isinstance(extra, int) and extra == 0):
                    pausing = True  # its interval spans pauses at no power
                    continue
                base = 0.0 if p.can_switch_off(md.machine) else p.idle_power[md.machine]
                demands.append((iv, math.ceil(round((md.power - base) * scale, 6))))
            if previous is not None:
                m.add(s >= previous)
            previous = e
        job_end.append(previous)
    for machine, items in enumerate(machine_items):
        if len(items) > 1:
            m.add_no_overlap([iv for iv, *_ in items])
        idle = p.idle_power[machine]
        if items and idle > 0 and not p.can_switch_off(machine):
            # Always on from its first start to its last end: idle power over the span.
            used = m.new_bool_var(f"used{machine}")
            first = m.new_int_var(0, end_of_time, f"first{machine}")
            last = m.new_int_var(0, end_of_time, f"last{machine}")
            for _, lit, s, e in items:
                m.add_implication(lit, used)
                m.add(first <= s).only_enforce_if(lit)
                m.add(last >= e).only_enforce_if(lit)
            length = m.new_int_var(0, end_of_time, f"span{machine}")
            m.add(length == last - first)
            span = m.new_optional_interval_var(first, length, last, used, f"on{machine}")
            demands.append((span, math.ceil(round(idle * scale, 6))))
    total = sum(d for _, d in demands)
    peak = m.new_int_var(0, max(total, 1), "peak")
    m.add_cumulative([iv for iv, _ in demands], [d for _, d in demands], peak)
    makespan = m.new_int_var(0, end_of_time, "makespan")
    m.add_max_equality(makespan, job_end)

    guards: list[Guard] = []
    for j, end in enumerate(job_end):
        lit = m.new_bool_var(f"by_horizon{j}")
        m.add(end <= p.horizon).only_enforce_if(lit)
        guards.append(Guard(f"jobs[{j}]", "job", lit, p.shop.jobs[j].id, j))
    notes = []
    if p.peak_power is not None:
        lit = m.new_bool_var("peak_cap")
        m.add(peak <= math.floor(round(p.peak_power * scale, 6))).only_enforce_if(lit)
        guards.append(Guard("peak_power", "peak", lit))
    if not exact:
        notes.append("powers rounded to 4 decimals against feasibility")
    if p.shop.has_setups:
        notes.append("setups not modelled: horizon relaxations are lower bounds")
    if pausing and p.peak_power is not None:
        notes.append("operations that may pause are left out of the peak check: "
                     "peak relaxations are lower bounds")
    return GuardedModel(m, guards, job_end, peak, scale, makespan, notes)


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _round_up(value: float, digits: int = 6) -> float:
    if value <= 0:
        return 0.0
    step = 10.0 ** (math.floor(math.log10(value)) - digits + 1)
    return float(f"{math.ceil(value / step - 1e-9) * step:.{digits}g}")


def _amount(prober: AssumptionProber, gm: GuardedModel, guard: Guard,
            problem: EnergyProblem, held: list[Guard]) -> tuple[float, float, bool] | None:
    """(relaxation, value reached, proven) for ``guard`` dropped and ``held`` kept."""
    if guard.kind == "job":
        best = prober.minimum(gm.job_end[guard.index], held)
        if best is None:
            return None
        return float(max(0, best[0] - problem.horizon)), float(best[0]), best[1]
    best = prober.minimum(gm.peak, held)
    if best is None:
        return None
    needed = best[0] / gm.scale
    return _round_up(max(0.0, needed - (problem.peak_power or 0.0))), needed, best[1]


def _relax(prober: AssumptionProber, gm: GuardedModel, guard: Guard,
           problem: EnergyProblem, members: list[Guard]) -> dict[str, Any]:
    """The conflict entry of ``guard``: what it says and how far it alone must move.

    First with every other limit of the instance held (a fix for the whole instance);
    when that is not enough, with the other members of this conflict held (a fix for
    this conflict only, said so in ``scope``)."""
    entry: dict[str, Any] = {"constraint": guard.constraint}
    if guard.kind == "job":
        job = problem.shop.jobs[guard.index]
        what = f"job {job.id} must end by the horizon {problem.horizon}"
        entry["job"] = job.id
    else:
        what = f"total power at most {_fmt(problem.peak_power or 0.0)} kW in every unit"
        entry.update(unit="kW", limit=problem.peak_power)
    scope = "instance"
    found = _amount(prober, gm, guard, problem, [g for g in gm.guards if g is not guard])
    if found is None:
        scope = "conflict"
        found = _amount(prober, gm, guard, problem, [g for g in members if g is not guard])
    if found is None:
        entry.update(message=f"{what}; moving it alone is not enough", relaxation=None)
        return entry
    amount, reached, proven = found
    least = " at the earliest" if proven else ""
    held = ("every other limit held" if scope == "instance"
            else "the rest of this conflict held (other limits still conflict)")
    if guard.kind == "job":
        text = f"{what}; with {held} it ends at {int(reached)}{least}"
        entry.update(relaxation=int(amount), earliest_end=int(reached))
    else:
        text = f"{what}; with {held} the schedule needs {'at least ' if proven else ''}" \
               f"{_fmt(reached)} kW"
        entry.update(relaxation=amount,
                     relaxed_limit=float(f"{(problem.peak_power or 0.0) + amount:.12g}"))
    entry.update(message=text, scope=scope)
    return entry


def _horizon_entry(prober: AssumptionProber, gm: GuardedModel,
                   problem: EnergyProblem) -> dict[str, Any] | None:
    """The horizon as a whole: the least makespan with the peak cap held."""
    held = [g for g in gm.guards if g.kind == "peak"]
    best = prober.minimum(gm.makespan, held)
    if best is None:
        return None
    makespan, _ = best
    return {
        "constraint": "horizon",
        "message": f"{problem.horizon} units; every job ends by {makespan} "
                   f"(extend the tariff with it)",
        "relaxation": max(0, makespan - problem.horizon),
        "limit": problem.horizon,
        "relaxed_limit": max(makespan, problem.horizon),
    }


def diagnose(problem: EnergyProblem, ctx: SolveContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """``analysis["diagnosis"]`` for an infeasible instance, and stats; never raises for
    lack of time (the diagnosis then says what it found so far)."""
    import time

    started = time.monotonic()
    method = "CP-SAT assumptions, deletion filter, single relaxations"
    gm = build(problem)
    if gm.notes:
        method += " (" + "; ".join(gm.notes) + ")"

    def explain(prober: AssumptionProber, members: list[Guard],
                conflicts: list[dict[str, Any]]) -> str:
        summary = _summary(members, problem)
        jobs = [g for g in members if g.kind == "job"]
        if jobs:
            horizon = _horizon_entry(prober, gm, problem)
            if horizon is not None:
                conflicts.append(horizon)
                summary += (f"; cheapest fix for the horizon: extend it by "
                            f"{horizon['relaxation']} units to {horizon['relaxed_limit']}")
        for guard in members:
            conflicts.append(_relax(prober, gm, guard, problem, members))
        peak = next((c for c in conflicts if c["constraint"] == "peak_power"), None)
        if peak is not None and peak.get("scope") == "instance":
            summary += (f"; {'or ' if jobs else ''}raise peak_power by "
                        f"{_fmt(peak['relaxation'])} kW")
        return summary

    return diagnose_guarded(
        gm.model, gm.guards, ctx, explain=explain, method=method, started=started,
        no_conflict="no conflict between the horizon and the peak cap was found; "
        "the infeasibility comes from limits this diagnosis does not model",
    )


def _summary(members: list[Guard], problem: EnergyProblem) -> str:
    jobs = [g.subject for g in members if g.kind == "job"]
    parts = []
    if jobs:
        names = ", ".join(jobs[:8]) + (f" and {len(jobs) - 8} more" if len(jobs) > 8 else "")
        parts.append(f"job{'s' if len(jobs) > 1 else ''} {names} cannot "
                     f"{'all ' if len(jobs) > 1 else ''}end by the horizon "
                     f"({problem.horizon} units)")
    cap = f"the peak cap of {_fmt(problem.peak_power or 0.0)} kW"
    if any(g.kind == "peak" for g in members):
        parts.append(f"under {cap}" if jobs else f"{cap} cannot hold even without the horizon")
    if not parts:
        return "the shop's fixed data conflict on their own"
    return " ".join(parts)


def diagnosis_analysis(problem: EnergyProblem, ctx: SolveContext,
                       stats: dict[str, Any]) -> dict[str, Any]:
    """The diagnosis for an outcome's analysis; a failure never hides the verdict."""
    return never_raising(lambda: diagnose(problem, ctx), stats)
