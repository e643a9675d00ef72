"""A roster from the converged relaxation by diving with re-pricing.

Why: on Instance8 the relaxation converges (LP 1,296.6, bound 1,297, best known 1,308) but
the roster step settled at 1,400-1,500: the restricted master MILP over the pool gave
1,921-2,009 in 6 s and the LP-fixed CP-SAT model, hinted with it, settled a whole
shortfall above.  The dive keeps the LP on the path: it fixes employees' rows one batch at a
time (every row the LP already takes whole, else the employee's heaviest row), and between
fixings re-prices the employees still free under the LP's duals (a few rounds of the
column generation, on the live LP of :mod:`optikit_rostering.colgen_live`), so the rest of
the roster adapts to each fixing.  Every fixed row obeys its employee's rules (it came from
pricing), so the dive ends with a roster; it is kept only if it also keeps every safety rule.
"""

from __future__ import annotations

import math
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from optikit.types import SolveContext
from optikit_rostering.colgen_live import LiveMaster
from optikit_rostering.colgen_master import penalty
from optikit_rostering.colgen_pricing import ENTER, Column, Duals, Pricer, reduced_cost
from optikit_rostering.model import Roster

#: Column-generation rounds after each fixing (fewer when no row prices out).
ROUNDS = 3
#: A row the LP takes at least this much of is fixed with the batch.
WHOLE = 1 - 1e-6
#: Without a row taken whole, the heaviest rows of this share of the free employees are
#: fixed together (at least one).
BATCH = 0.1
#: The dive's LP may rise this share above its start before the fixing stops counting.
RISE = 0.0025
#: Rows kept from one pricing call.
MOST = 5
#: A lazy dive re-prices only once its LP is this share above its start.
FLAT = 1e-6
#: A jittered dive ranks the rows by their LP value times up to 1 + this.
JITTER = 0.5


@dataclass
class Dive:
    """What a dive leaves: the LP's column values (per employee, column -> value) at its
    last step still within ``RISE`` of the LP it started from (the fixed rows have value
    one there), how many employees were fixed then, and the roster if it went to the end."""

    weights: dict[int, list[tuple[Column, float]]] = field(default_factory=dict)
    fixed: int = 0
    roster: tuple[list[Column], int] | None = None


def dive(roster: Roster, pool: list[Column], pricers: list[Pricer], ctx: SolveContext,
         seconds: float, stats: dict[str, Any], to_end: bool = False,
         jitter: random.Random | None = None, lazy: bool = False) -> Dive | None:
    """Dive over ``pool`` (the relaxation's columns) with re-pricing by ``pricers`` for at
    most ``seconds``: fix rows until the LP rises more than ``RISE`` above its start (or,
    with ``to_end``, until everyone is fixed: the roster, kept if it keeps every safety
    rule).  ``jitter``: the batch's rows are ranked by their LP values times a random factor
    in [1, 1 + ``JITTER``) (another dive from the same LP).  ``lazy``: no re-pricing while
    the LP stays within ``FLAT`` of its start (the fixing cost nothing: the LP is likely
    still optimal over all rows).  None without highspy or if the first LP fails."""
    started = time.monotonic()
    deadline = started + seconds
    try:
        live = LiveMaster(roster, pool, ctx)
    except ImportError:
        return None
    seen = {(c.employee, c.row, c.stations) for c in pool}
    fixed: dict[int, Column] = {}
    out: Dive | None = None
    start_lp: float | None = None
    steps = rounds = 0
    threads = max(1, int(ctx.options.threads))
    with ThreadPoolExecutor(threads) as workers:
        while len(fixed) < roster.num_employees:
            if time.monotonic() > deadline or ctx.stop.is_set():
                break
            free = [p for p in pricers if p.e not in fixed]
            answer = None
            for _ in range(ROUNDS):
                answer = live.solve(deadline - time.monotonic())
                if answer is None:
                    break
                if lazy and start_lp is not None and \
                        answer[0] <= start_lp + FLAT * max(1.0, abs(start_lp)):
                    break  # the LP has not moved: no pricing
                rounds += 1
                duals = live.master.duals(answer[2])
                found = list(workers.map(partial(_price, duals=duals, deadline=deadline,
                                                 seed=int(ctx.options.seed)), free))
                fresh = []
                for cols in found:
                    for col in cols:
                        key = (col.employee, col.row, col.stations)
                        if key not in seen and reduced_cost(roster, col, duals) < ENTER:
                            seen.add(key)
                            fresh.append(col)
                if not fresh:
                    break
                live.add(fresh)
                answer = None
            if answer is None:
                answer = live.solve(deadline - time.monotonic())
            if answer is None:
                break
            lp, x, first = answer[0], answer[1], live.master.first_column
            if start_lp is None:
                start_lp = lp
            weights: dict[int, list[tuple[Column, float]]] = {}
            for j, col in enumerate(live.master.columns):
                value = float(x[first + j])
                if value > 1e-6:
                    weights.setdefault(col.employee, []).append((col, value))
            if lp <= start_lp + RISE * max(1.0, abs(start_lp)):
                out = Dive(weights, len(fixed))
            elif not to_end:
                break
            best = {e: max(range(len(w)), key=lambda i, w=w: w[i][1])  # type: ignore[misc]
                    for e, w in weights.items() if e not in fixed}
            noise = {e: 1.0 + (JITTER * jitter.random() if jitter else 0.0) for e in best}
            heaviest = sorted(best.items(),
                              key=lambda item: -weights[item[0]][item[1]][1] * noise[item[0]])
            batch = [(e, i) for e, i in heaviest if weights[e][i][1] >= WHOLE]
            if not batch:
                batch = heaviest[:max(1, math.ceil(BATCH * len(free)))]
            for e, i in batch:
                fixed[e] = weights[e][i][0]
                live.fix(first + live.master.columns.index(fixed[e]))
            steps += 1
    if out is not None and len(fixed) == roster.num_employees:
        chosen = [fixed[e] for e in range(roster.num_employees)]
        total = penalty(roster, chosen)
        out.roster = None if total is None else (chosen, total)
    stats.update(colgen_dive_fixed=None if out is None else out.fixed,
                 colgen_dive=None if out is None or out.roster is None else out.roster[1],
                 colgen_dive_steps=steps, colgen_dive_rounds=rounds,
                 colgen_dive_s=round(time.monotonic() - started, 1))
    return out


def _price(pricer: Pricer, duals: Duals, deadline: float, seed: int) -> list[Column]:
    """One free employee's rows under the dive's duals (the labelling pricer: exact)."""
    return pricer.price(duals, 0.5, max(0.01, deadline - time.monotonic()), seed=seed,
                        most=MOST)[0]
