"""A makespan lower bound by refutation: CP-SAT shows, one makespan at a time, that no
schedule ends by ``L``; the first ``L`` it cannot refute ends the probe.

Why: while minimising, CP-SAT with two workers raises its bound slowly on shops with
many machine choices (mk06: 48 after a whole 60 s run, optimum 57), but a model whose
horizon is ``L`` is refuted quickly for ``L`` a little under the optimum, more so with
cumulative rows over machine sets (an operation that may only use machines of a set
``S`` occupies one of ``|S|`` machines while it runs; these rows propagate, the load
cuts of the main model only bound the sum).  A probe that finds a schedule instead is
an improvement, handed to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from optikit.types import SolveContext, Status
from optikit_fjsp import cpsat_model
from optikit_fjsp.model import FjspProblem
from optikit_fjsp.timetable import Solution, objective_value


@dataclass
class ProbeResult:
    bound: int  # every makespan under this was refuted
    best: Solution | None = None  # a schedule a probe found, if any
    probes: list[dict[str, Any]] = field(default_factory=list)


def add_machine_set_cumulatives(problem: FjspProblem, cm: cpsat_model.CpShopModel) -> int:
    """Cumulative rows over each operation's set of eligible machines (and all machines);
    returns how many were added.  Valid for any schedule: setups and pauses only add."""
    flat = problem.flat
    model = cm.model
    spans: list[tuple[frozenset[int], Any]] = []
    for g, lits in enumerate(cm.literals):
        machines = frozenset(flat.modes[g][k][0] for k in lits)
        durations = [flat.modes[g][k][1] for k in lits]
        start, end = cm.starts[g], cm.ends[g]
        if len(set(durations)) == 1:
            span = model.new_fixed_size_interval_var(start, durations[0], f"span{g}")
        else:
            size = model.new_int_var(min(durations), max(durations), f"size{g}")
            model.add(end == start + size)
            span = model.new_interval_var(start, size, end, f"span{g}")
        spans.append((machines, span))
    every = frozenset(range(flat.num_machines))
    added = 0
    for machines in {m for m, _ in spans if len(m) >= 2} | {every}:
        inside = [iv for m, iv in spans if m <= machines]
        if len(inside) > len(machines):
            model.add_cumulative(inside, [1] * len(inside), len(machines))
            added += 1
    return added


def refute_makespans(
    problem: FjspProblem,
    backend: Any,
    ctx: SolveContext,
    lower: int,
    upper: int,
    workers: int | None = None,
    on_schedule: Callable[[Solution, float], object] | None = None,
) -> ProbeResult:
    """Raise ``lower`` (a proven makespan bound) towards ``upper`` (the best makespan
    known) until a probe is not refuted within the context's time.  Pure makespan only.

    Setups stay in the model unless their circuits would be too large; then they are
    left out, which keeps every refutation valid, and a schedule found is not one of the
    real problem, so the probe stops there.
    """
    out = ProbeResult(bound=lower)
    relaxed = cpsat_model.setups_too_large(problem)
    while out.bound < upper and not ctx.expired():
        horizon = out.bound
        cm = cpsat_model.build(problem, horizon, setups=not relaxed, makespan_lower=horizon)
        rows = add_machine_set_cumulatives(problem, cm)
        started = time.monotonic()
        result = backend.solve(
            cm.model, ctx, workers=workers, objective_scale=cm.objective_scale,
            report_progress=False,
        )
        out.probes.append({
            "makespan": horizon, "status": result.status.value,
            "seconds": round(time.monotonic() - started, 2), "cumulatives": rows,
        })
        if result.status is Status.INFEASIBLE:
            out.bound = horizon + 1
            continue
        if result.status.has_solution and not relaxed:
            sol = cm.solution(result.value, result.boolean_value)
            value = objective_value(problem, sol)
            out.best = sol
            upper = int(value)
            if on_schedule is not None:
                on_schedule(sol, value)
            if result.status is Status.OPTIMAL:
                out.bound = upper
            continue
        break
    return out
