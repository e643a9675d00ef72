"""Formulation ``cpsat``: the main CP-SAT model, a whole-model solve, then neighbourhood search.

The whole model (:mod:`optikit_rostering.cpsat_model`) gets the time on rosters up to
``LARGE_CELLS`` cells, where it beats neighbourhood search (measured on the Curtois & Qu
instances).  On larger ones a first solve (without presolve) gets a share of the time, then
large-neighbourhood search improves the incumbent: each
step frees either a random group of employees (whole rows of the roster) or a block of days
(every employee), fixes every other cell to the incumbent and re-solves with the incumbent as
hint.  Neighbourhoods grow after quick proofs and shrink after timeouts.  The result is
``optimal`` only when the whole-model solve proved it.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from optikit.types import Outcome, SolveContext, Status
from optikit_rostering.cpsat_model import RosterModel
from optikit_rostering.model import Roster, to_payload
from optikit_rostering.options import CPSAT_OPTIONS

Grid = list[list[int | None]]
#: Rosters with more (employee, day, shift) cells than this count as large.
LARGE_CELLS = 5000
#: Neighbourhoods free about this many cells at first.
LNS_CELLS = 1500


def solve(roster: Roster, backend: Any, ctx: SolveContext) -> Outcome:
    opts = ctx.options_for(CPSAT_OPTIONS)
    rm = RosterModel(roster, symmetry=bool(opts["symmetry"]))
    cells = len(rm.all_cells())
    use_lns = opts["lns"] == "on" or (opts["lns"] == "auto" and cells > LARGE_CELLS)
    remaining = ctx.remaining()
    first_limit = None if remaining is None or not use_lns else \
        max(0.5, remaining * float(opts["global_share"]))
    # On large rosters CP-SAT's presolve costs more than it saves before the first solution.
    params = {"cp_model_presolve": False} if cells > LARGE_CELLS and use_lns else None
    result = backend.solve(rm.model, ctx, time_limit=first_limit, parameters=params)
    if not result.status.has_solution and use_lns and not ctx.expired():
        result = backend.solve(rm.model, ctx, parameters=params)  # keep looking
    if not result.status.has_solution:
        return Outcome(status=result.status, message=result.message)
    grid = rm.grid(result.boolean_value)
    best = round(result.objective)
    bound = result.bound
    stats: dict[str, Any] = {"first_solve": best, "lns_steps": 0, "lns_improvements": 0}
    if result.status is Status.OPTIMAL or not use_lns or ctx.expired():
        return _outcome(roster, grid, best, bound, result.status, stats)
    best, grid = _lns(rm, backend, ctx, grid, best, bound, float(opts["lns_time"]), stats)
    status = Status.OPTIMAL if bound is not None and best <= bound + 1e-9 else Status.FEASIBLE
    return _outcome(roster, grid, best, bound, status, stats)


def _outcome(roster: Roster, grid: Grid, value: int, bound: float | None, status: Status,
             stats: dict[str, Any]) -> Outcome:
    return Outcome(status=status, payload=to_payload(roster, grid), objective=float(value),
                   bound=bound, stats=stats)


def _lns(rm: RosterModel, backend: Any, ctx: SolveContext, grid: Grid, best: int,
         bound: float | None, step_time: float, stats: dict[str, Any]) -> tuple[int, Grid]:
    roster = rm.roster
    rng = random.Random(ctx.options.seed)
    cells = rm.all_cells()
    n_emp, n_days = roster.num_employees, roster.days
    share = min(0.3, LNS_CELLS / max(1, len(cells)))  # fraction of the roster freed
    sub_options = replace(ctx.options, verbose=False)
    step = 0
    while not ctx.expired() and (bound is None or best > bound + 1e-9):
        step += 1
        by_time = step % 2 == 0
        if by_time:
            width = max(2, round(n_days * share))
            first = rng.randrange(0, max(1, n_days - width + 1))
            free = {(e, d) for e in range(n_emp) for d in range(first, first + width)}
        else:
            k = max(2, round(n_emp * share))
            chosen = set(rng.sample(range(n_emp), min(k, n_emp)))
            free = {(e, d) for e in chosen for d in range(n_days)}
        sub = rm.model.clone()
        domains = sub.proto.variables
        sub.clear_hints()
        for e, d, s, var in cells:
            value = 1 if grid[e][d] == s else 0
            sub.add_hint(var, value)
            if (e, d) not in free:
                domain = domains[var.index].domain
                domain[0] = domain[1] = value
        limit = min(step_time, ctx.remaining() or step_time)
        sub_ctx = SolveContext(replace(sub_options, time_limit=limit), stop=ctx.stop)
        result = backend.solve(sub, sub_ctx, time_limit=limit, report_progress=False)
        stats["lns_steps"] = step
        if not result.status.has_solution:
            share = max(0.01, share * 0.8)
            continue
        value = round(result.objective)
        if value <= best:
            if value < best:
                stats["lns_improvements"] += 1
                ctx.report(float(value), None, "lns")
            best = value
            grid = rm.grid(result.boolean_value)
        grow = result.status is Status.OPTIMAL  # proved quickly: try a larger neighbourhood
        stats["lns_proved"] = stats.get("lns_proved", 0) + grow
        share = min(0.9, share * 1.1) if grow else max(0.01, share * 0.9)
    return best, grid
