"""Why a blend is infeasible: a small set of conflicting limits and how far each must move.

A process engineer told "infeasible" can do nothing with it; told "TFe >= 56 % cannot hold
with basicity >= 1.9 and MgO >= 1.4; TFe would have to drop to 55.46 %" they can.  The
method, on the same backend that proved infeasibility:

1. **Elastic model.**  Every relaxable limit (spec, ratio and group-share bounds, material
   min/max, lots, counts, ``max_materials``) gets a non-negative slack; the mass balance
   (the product is ``total`` tonnes) and non-negativity stay hard, they define the blend.
   Slack costs are normalised to each limit's own scale, so "move TFe by 1 point" and
   "move a 0.2 t bound by 0.1 t" are compared as the relative changes they are.
2. **Elastic filter** (Chinneck): solve, make every limit whose slack is positive hard,
   repeat until the elastic model is infeasible; the hardened limits then conflict on
   their own.  This needs about as many solves as the conflict has members.
3. **Deletion filter**: drop each hardened limit in turn and keep it only when the rest
   becomes feasible without it; what is left is irreducible (every member is needed).
4. **Single relaxations**: for each member, the smallest move of that limit alone (all
   other limits of the problem hard) that restores feasibility.  Spec, material and count
   limits are linear in the model, so the elastic slack is the answer; ratio and share
   limits are fractions ``N/D``, so the slack is turned into the fraction's units at the
   elastic solution and then tightened to the exact optimum by Dinkelbach's iteration.

A MILP whose continuous part is already infeasible is diagnosed on that LP (cheaper, and
the conflict then involves no lots or counts); otherwise on the elastic MILP.  Every solve
shares the run's deadline: when time runs out the diagnosis says what it found so far.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from optikit.paradigms import LinearResult, LinearSolver
from optikit.types import SolveContext
from optikit_blend.diagnosis.elastic import Limit, build_elastic
from optikit_blend.diagnosis.filters import (
    SLACK_TOL,
    Prober,
    Stopped,
    deletion_filter,
    elastic_filter,
    no_time_for,
)
from optikit_blend.diagnosis.relaxation import single_relaxation
from optikit_blend.diagnosis.wording import conflict_entry, reported, summary_of
from optikit_blend.model import BlendProblem

__all__ = ["diagnose"]

#: Single relaxations are computed for at most this many members of a conflict (one or
#: more solves each); a shortage of material can involve every material's max.
MAX_RELAXATIONS = 25


def _combined(prober: Prober, result: LinearResult) -> list[dict[str, Any]]:
    """The cheapest combined relaxation (first elastic solve), when nothing better exists."""
    assert result.x is not None
    slacks = prober.slacks(result)
    x = prober.em.charges(result.x)
    out = []
    for i in np.flatnonzero(slacks > SLACK_TOL):
        lim = prober.em.limits[i]
        if lim.fraction is None:
            amount = float(slacks[i]) * lim.to_user
        else:
            den = float(lim.fraction[1] @ x)
            if den <= 0:
                continue
            amount = float(slacks[i]) / den
        out.append(conflict_entry(lim, reported(lim, amount), computed=False))
    return out


def diagnose(
    problem: BlendProblem, backend: LinearSolver, ctx: SolveContext, expected: float = 0.0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``analysis["diagnosis"]`` of an infeasible blend, and stats on how it was found.

    ``expected`` is how long one LP solve of this blend takes on ``backend`` (if known):
    no solve is started that would end past the deadline.  Never raises for solver
    trouble or lack of time: the diagnosis then says what is missing.  Timings go to the
    stats, so the diagnosis itself is reproducible.
    """
    started = time.monotonic()
    method = f"elastic filter and deletion filter ({backend.name})"
    stopped = no_time_for(ctx, expected)
    if stopped is not None:  # not even worth building the elastic model
        return _stopped_report(stopped, method, 0, started)
    lp = Prober(build_elastic(problem, integer=False), backend, ctx, expected)
    # Relaxations must restore the whole problem, lots and counts included.
    full = Prober(build_elastic(problem, integer=True), backend, ctx, expected) \
        if problem.needs_integer else lp
    search, where = lp, "the LP"
    try:
        if full is not lp:
            if lp.feasible(np.ones(len(lp.em.limits), bool)):
                search, where = full, "the MILP"  # the conflict involves lots or counts
            else:
                where = "the continuous part (LP), relaxations on the MILP"
    except Stopped as exc:
        return _stopped_report(exc, method, lp.solves, started)
    method = f"elastic filter and deletion filter on {where} ({backend.name})"
    ctx.log(f"blend diagnosis: {len(search.em.limits)} relaxable limits, on {where}")

    def solves() -> int:
        return lp.solves + (full.solves if full is not lp else 0)

    try:
        members = deletion_filter(search, elastic_filter(search))
    except Stopped as exc:
        report, stats = _stopped_report(exc, method, solves(), started)
        if search.first is not None:
            report["conflicts"] = _combined(search, search.first)
        if report["conflicts"]:
            report["summary"] += (
                "; relaxing the limits below together by the amounts shown restores "
                "feasibility (the set is not minimised)")
        return report, stats
    chosen = [search.em.limits[i] for i in np.flatnonzero(members)]
    relax, complete = _relaxations(full, chosen)
    computed = len(relax)
    relax.extend([None] * (len(chosen) - computed))
    shown = [reported(lim, r) for lim, r in zip(chosen, relax, strict=True)]
    conflicts = [conflict_entry(lim, r, j < computed) for j, (lim, r) in enumerate(
        zip(chosen, shown, strict=True))]
    summary = summary_of(chosen, shown, complete, problem.total)
    if not complete:
        summary += "; ran out of time before every relaxation was computed"
    elif computed < len(chosen):
        summary += f"; relaxations computed for the first {computed} of {len(chosen)} limits"
    report = {"summary": summary, "conflicts": conflicts, "method": method,
              "complete": complete}
    return report, _stats(solves(), started)


def _relaxations(prober: Prober, chosen: list[Limit]) -> tuple[list[float | None], bool]:
    """Single relaxations of the first ``MAX_RELAXATIONS`` conflicting limits, on the
    prober's model (found by name: the conflict may come from the LP part); False when
    time ran out first."""
    index = {lim.constraint: i for i, lim in enumerate(prober.em.limits)}
    relax: list[float | None] = []
    for lim in chosen[:MAX_RELAXATIONS]:
        try:
            relax.append(single_relaxation(prober, index[lim.constraint]))
        except Stopped:
            return relax, False
    return relax, True


def _stats(solves: int, started: float) -> dict[str, Any]:
    return {"diagnosis_solves": solves, "diagnosis_time_s": time.monotonic() - started}


def _stopped_report(
    stopped: Stopped, method: str, solves: int, started: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    advice = "; rerun with a longer --time-limit to find the conflicting limits"
    report: dict[str, Any] = {
        "summary": f"the diagnosis stopped early ({stopped})"
                   + (advice if stopped.out_of_time else ""),
        "conflicts": [],
        "method": method,
        "complete": False,
    }
    return report, _stats(solves, started)
