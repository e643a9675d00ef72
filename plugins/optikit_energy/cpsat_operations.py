"""Operations of the energy CP-SAT model (:mod:`optikit_energy.cpsat_model`): their start,
end and modes, and the per-(mode, piece) cost terms of their energy.

Separate from the machines and the caps because everything else hangs on these
variables: the machines' circuits and idle terms read ``cm.start``, ``cm.lits`` and
``cm.f_start``, the redundant caps read ``cm.pieces``.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from optikit.scheduling.calendar_cpsat import CalendarTerms
from optikit_energy import cpsat_calendar
from optikit_energy.model import Infeasible

if TYPE_CHECKING:
    from optikit_energy.cpsat_model import EnergyCpModel


def add_operations(cm: EnergyCpModel) -> None:
    """A start, an end, one optional fixed-size interval per possible mode (with a
    calendar: the kernel's interval, which spans an interruptible's pauses), and the job
    order."""
    p = cm.p
    model = cm.model
    horizon = p.horizon
    cap = p.peak_power
    heads, tails = p.heads, p.tails
    if p.shop.has_calendars:
        cm.calendar = CalendarTerms(p.shop.calendars, horizon)
    calendar = cm.calendar
    for g, op in enumerate(p.ops):
        cm._check_stop(64, g)
        lo, hi_end = heads[g], horizon - tails[g]
        frame = cm.frame
        if frame is not None:
            lo, hi_end = frame.window(g, lo, hi_end)
        possible = [
            k for k, md in enumerate(op.modes)
            if lo + md.duration <= hi_end and (cap is None or md.power <= cap + 1e-9)
            and (frame is None or frame.allows(g, k))
        ]
        job = p.shop.jobs[op.job]
        if not possible:
            raise Infeasible(
                f"job {job.id} operation {op.index} fits no mode between its earliest "
                f"start {lo} and its latest end {hi_end} under the peak cap"
            )
        dmin = min(op.modes[k].duration for k in possible)
        s = model.new_int_var(lo, hi_end - dmin, f"S{g}")
        if frame is not None and g in frame.starts and hi_end - dmin > lo:
            model.add(s == frame.starts[g])  # frozen, pausing over its calendar
        e = model.new_int_var(lo + dmin, hi_end, f"E{g}")
        lits: list[Any] = [None] * len(op.modes)
        ivs: list[Any] = [None] * len(op.modes)
        ends: list[Any] = []
        for k in possible:
            md = op.modes[k]
            lit = model.new_bool_var(f"L{g}_{k}")
            lits[k] = lit
            extra: Any = 0
            if calendar is not None and calendar.constrained(md.machine, md.duration):
                ivs[k], extra = calendar.add(
                    model, s, lit, md.machine, md.duration, op.interruptible, lo,
                    hi_end - md.duration, f"I{g}_{k}", (g, k),
                )
                if isinstance(extra, int) and extra:
                    extra = extra * lit
            else:
                ivs[k] = model.new_optional_fixed_size_interval_var(
                    s, md.duration, lit, f"I{g}_{k}"
                )
            if not (isinstance(extra, int) and extra == 0):
                cm.mode_extra[(g, k)] = extra
            ends.append(md.duration * lit + extra)
        model.add_exactly_one([lits[k] for k in possible])
        model.add(e == s + sum(ends))
        cm.start.append(s)
        cm.end.append(e)
        cm.lits.append(lits)
        cm.mode_intervals.append(ivs)
    for ops in p.job_ops:
        for a, b in itertools.pairwise(ops):
            model.add(cm.start[b] >= cm.end[a])


def add_cost_pieces(cm: EnergyCpModel, g: int) -> None:
    """Disaggregate (mode, piece) for operation g: exact, and a tight LP relaxation.

    For mode k of duration d, the start domain is cut where S or S + d crosses a price
    segment boundary; on each piece [u, v] both F(S) and F(S + d) are linear in S.  One
    boolean per (mode, piece) (summing to the mode literal) and a copy x of S per piece
    (offsets y from a piece end, ``y <= (v-u) z``, ``sum = S``): the LP relaxation of
    an operation's cost is then
    the convex envelope of its true cost over modes and starts, so the root bound
    already charges every operation at least its cheapest placement.
    """
    p = cm.p
    model = cm.model
    op = p.ops[g]
    start = cm.start[g]
    lo, hi = cm._domain(start)
    cuts = {seg.start for seg in cm.segments}
    f_start_terms: list[Any] = []
    xs: list[Any] = []  # the start as a sum over (mode, piece)
    f_of = cm.prices.f_of
    for k, lit in enumerate(cm.lits[g]):
        if lit is None:
            continue
        d = op.modes[k].duration
        top = min(hi, p.horizon - d)
        # (first start, last start, pause units, F-cost of the pauses) per range.
        ranges = cpsat_calendar.start_ranges(cm, g, k, lo, top)
        pieces: list[tuple[int, int, int, int, int]] = []
        for ri, (a, b, extra, pause) in enumerate(ranges):
            points = {a, b}
            for c in cuts:
                for t in (c, c - d - extra):
                    if a < t < b:
                        points.add(t)
            ordered = sorted(points)
            pieces += [(u, v, extra, pause, ri)
                       for u, v in itertools.pairwise(ordered)] or [(a, a, extra, pause, ri)]
        if not pieces:
            model.add(lit == 0)  # the calendar leaves it no start (CalendarTerms agrees)
            cm.mode_busy[(g, k)] = 0
            continue
        zs: list[Any] = []
        busy_terms: list[Any] = []
        pause_terms: list[Any] = []
        for r, (u, v, extra, pause, _ri) in enumerate(pieces):
            dd = d + extra  # the span, pauses included
            z = lit if len(pieces) == 1 else model.new_bool_var(f"z{g}_{k}_{r}")
            rho_s = cm.prices.segment_at(u).rho
            rho_e = cm.prices.segment_at(u + dd).rho
            slope = rho_e - rho_s
            fs_u, busy_u = f_of(u), f_of(u + dd) - f_of(u) - pause
            if pause:
                pause_terms.append(pause * z)
            busy_v = busy_u + slope * (v - u)
            # y measures the start from the piece's cheaper end, so that the cost
            # busy = (cost at that end) * z + |slope| * y has coefficients >= 0.
            # CP-SAT's presolve turns "y <= (v-u) z" into an implication whose LP
            # relaxation is weak; with a negative coefficient the root bound would
            # then fall below zero (it did: -266,000 on the toy).
            y = model.new_int_var(0, v - u, f"y{g}_{k}_{r}")
            if v > u:
                model.add(y <= (v - u) * z)
            if slope >= 0:
                xs.append(u * z + y)
                busy_terms.append(busy_u * z + slope * y)
                f_start_terms.append(fs_u * z + rho_s * y)
            else:
                xs.append(v * z - y)
                busy_terms.append(busy_v * z - slope * y)
                f_start_terms.append((fs_u + rho_s * (v - u)) * z - rho_s * y)
            zs.append(z)
            if not extra:  # the redundant per-segment caps assume contiguous work
                cm.pieces.append((g, k, u, v, z, y, slope >= 0))
        if len(pieces) > 1:
            model.add(sum(zs) == lit)
            cm.info.counts["pieces"] = cm.info.counts.get("pieces", 0) + len(pieces)
        cm.mode_busy[(g, k)] = sum(busy_terms)
        if pause_terms:
            cm.mode_pause[(g, k)] = sum(pause_terms)
        if any(x for _a, _b, x, _p in ranges):
            by_range = [[z for z, pc in zip(zs, pieces, strict=True) if pc[4] == ri]
                        for ri in range(len(ranges))]
            cm.mode_parts[(g, k)] = cpsat_calendar.pause_parts(
                cm, g, k, ranges, by_range)
    model.add(sum(xs) == start)
    cm.f_start.append(sum(f_start_terms))
