"""The search phase of a ``cpsat`` energy run on the interval model: the shift search
(:mod:`optikit_energy.shift_search`) and the LNS (:mod:`optikit_energy.lns`) with the
shift search on each LNS improvement, and the time shares the run gives its stages.
Apart from :mod:`optikit_energy.cpsat`, which decides which stages run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from optikit.types import SolveContext
from optikit_energy import shift_search
from optikit_energy.lns import Polish, improve
from optikit_energy.run import Incumbent, Run, evaluate


def lns_phase(run: Run, workers: Callable[[], int | None]) -> None:
    """The LNS from the incumbent, then the shift search on its result.  (Each LNS step
    builds its own sub-model: :mod:`optikit_energy.lns_frame`.)"""
    ctx = run.ctx
    if run.best is None or ctx.expired():
        return
    improve(run, workers=workers, reserve_s=polish_reserve(run), polish=lns_polisher(run))
    mark(run, "lns")
    shift(run, ctx.remaining() or 0.0, "end")
    mark(run, "end_search")


def lns_polisher(run: Run) -> Polish:
    """The shift search on each LNS improvement, around what the step moved (the rest was
    polished before); None when it finds nothing better."""
    ctx = run.ctx
    record = run.stats.setdefault("shift_search", {}).setdefault(
        "lns", {"calls": 0, "improved": 0, "search_s": 0.0})

    def polish(previous: Incumbent, improved: Incumbent) -> Incumbent | None:
        record["calls"] += 1
        began = time.monotonic()
        focus = shift_search.touched(run.problem, previous.schedule, improved.schedule)
        found = shift_search.improve(run.problem, improved.schedule, improved.switch_on,
                                     improved.objective, time_share(ctx, 0.03, 1.0),
                                     should_stop=ctx.expired, focus=focus)
        record["search_s"] = round(record["search_s"] + time.monotonic() - began, 3)
        if found is None:
            return None
        objective = evaluate(run.problem, found.schedule, found.switch_on)
        if objective >= improved.objective - 1e-9 * max(1.0, abs(objective)):
            return None
        record["improved"] += 1
        return Incumbent(found.schedule, found.switch_on, objective, "lns+shift")

    return polish


def polish_reserve(run: Run) -> float:
    """Time kept from the LNS for the final shift search: what the first one took (from
    scratch: more than a polish needs; medium-3 0.6 s), within 5 % of the time and 3 s."""
    first = run.stats.get("shift_search", {}).get("start", {}).get("search_s", 0.0)
    return min(time_share(run.ctx, 0.05, 3.0), max(0.1, float(first)))


def shift(run: Run, budget_s: float, when: str) -> None:
    """The shift search (:mod:`optikit_energy.shift_search`) on the incumbent: from the
    constructed schedule it gains more per second than CP-SAT does on large instances
    (large-1: 799.2 -> 749.0 in 10 s, loaded), and at the end it polishes the LNS result."""
    best = run.best
    if best is None or run.ctx.expired():
        return
    began = time.monotonic()
    found = shift_search.improve(run.problem, best.schedule, best.switch_on, best.objective,
                                 budget_s, should_stop=run.ctx.expired)
    record: dict[str, Any] = {"search_s": round(time.monotonic() - began, 3), "moves": 0}
    if found is not None:
        objective = evaluate(run.problem, found.schedule, found.switch_on)
        record.update(moves=found.moves, priced=found.priced, objective=objective)
        run.offer(Incumbent(found.schedule, found.switch_on, objective, "shift-search"))
    run.stats.setdefault("shift_search", {})[when] = record


def mark(run: Run, stage: str) -> None:
    """When ``stage`` ended (seconds since the run started): where the time went."""
    run.stats.setdefault("timeline_s", {})[stage] = round(run.ctx.elapsed(), 2)


def time_share(ctx: SolveContext, fraction: float, cap: float) -> float:
    remaining = ctx.remaining()
    if remaining is None:
        return cap
    return max(0.05, min(cap, remaining * fraction))
