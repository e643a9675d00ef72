"""Swap moves for the shift search: two neighbours on a machine change places.

Why: the single-operation moves of :mod:`optikit_energy.shift_search` stop where the
machines are packed (large-2: 17 feasible shifts in all from its local optimum, session
15), because an operation can only move inside a gap.  Exchanging an operation with the
one after it on its machine re-sequences the machine without a gap: the later one may
take the cheap hours the first one held.  Each swap is priced as the checker prices
schedules, as the single moves are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from optikit.scheduling import ScheduledOperation

if TYPE_CHECKING:
    from optikit_energy.shift_search import _Search

# Placements of a swapped pair priced per swap (the cheapest by processing-cost estimate).
PAIRS_PER_SWAP = 6


def successor(search: _Search, g: int) -> int | None:
    """The operation right after ``g`` on its machine (None if ``g`` is the last)."""
    s = search.at(g)
    after = [t for t in search.pricer.machine_ops(s.machine) if t.start >= s.end and t != s]
    return search.p.job_ops[after[0].job][after[0].operation] if after else None


def swap(search: _Search, g: int) -> int | None:
    """Apply the best improving exchange of ``g`` with its machine successor (modes
    kept); the successor's index if one was applied, else None."""
    h = successor(search, g)
    if h is None:
        return None
    if search.at(g).job == search.at(h).job:
        return None  # one job's order on one machine: fixed by its precedence
    options = ({g: new_g, h: new_h} for new_h, new_g in placements(search, g, h)[:PAIRS_PER_SWAP])
    return h if search.take_best(options) else None


def placements(search: _Search, g: int, h: int
               ) -> list[tuple[ScheduledOperation, ScheduledOperation]]:
    """Feasible places of ``h`` then ``g`` in the room the pair holds on its machine (its
    neighbours' setups and both jobs' neighbours respected), cheapest estimate first."""
    p = search.p
    shop = p.shop
    first, second = search.at(g), search.at(h)
    m = first.machine
    on_machine = search.pricer.machine_ops(m)
    before = [t for t in on_machine if t.end <= first.start and t != first]
    after = [t for t in on_machine if t.start >= second.end and t != second]
    prev = max(before, key=lambda t: t.end, default=None)
    nxt = min(after, key=lambda t: t.start, default=None)
    a = 0 if prev is None else prev.end + shop.setup_time(m, prev.job, second.job)
    b = p.horizon if nxt is None else nxt.start - shop.setup_time(m, first.job, nxt.job)
    lo_h, hi_h = search.job_room(h)
    lo_g, hi_g = search.job_room(g)
    dg, dh = first.end - first.start, second.end - second.start
    setup = shop.setup_time(m, second.job, first.job)
    pg = p.ops[g].modes[first.mode].power
    ph = p.ops[h].modes[second.mode].power
    old = pg * search.paid(first.start, first.end) + ph * search.paid(second.start, second.end)
    lo, hi = max(a, lo_h), min(b, hi_h) - dh  # h's start range
    starts = {lo, hi, first.start} | {c for c in search.cuts if lo < c < hi} | {
        c - dh for c in search.cuts if lo < c - dh < hi}
    out: list[tuple[float, ScheduledOperation, ScheduledOperation]] = []
    for th in starts:
        if not lo <= th <= hi:
            continue
        lo2, hi2 = max(th + dh + setup, lo_g), min(b, hi_g) - dg  # g's start range
        if lo2 > hi2:
            continue
        for tg in {lo2, hi2} | {c for c in search.cuts if lo2 < c < hi2} | {
                c - dg for c in search.cuts if lo2 < c - dg < hi2}:
            estimate = ph * search.paid(th, th + dh) + pg * search.paid(tg, tg + dg) - old
            out.append((estimate,
                        ScheduledOperation(second.job, second.operation, second.mode, m,
                                           th, th + dh),
                        ScheduledOperation(first.job, first.operation, first.mode, m,
                                           tg, tg + dg)))
    out.sort(key=lambda x: x[0])
    return [(x[1], x[2]) for x in out]
