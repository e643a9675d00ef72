"""The peak-power cap of the energy CP-SAT model (:mod:`optikit_energy.cpsat_model`) and
its redundant per-period caps, which the LP needs to see that cheap periods are short.

Built last among the constraints: the cumulative takes every interval the operations and
machines put in ``cm._intervals``, and the period caps every cost piece in ``cm.pieces``.
"""

from __future__ import annotations

import bisect
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from optikit_energy.cpsat_prices import Segment
from optikit_energy.scaling import frac, scale_to_integers

if TYPE_CHECKING:
    from optikit_energy.cpsat_model import EnergyCpModel

# Scaled powers (cumulative demands and capacity) stay below this.
POWER_LIMIT = 2.0**40


def add_peak_cap(cm: EnergyCpModel) -> None:
    """One cumulative over the intervals with power, unless the cap can never bind."""
    cap = cm.p.peak_power
    if cap is None:
        return
    ivs = [(iv, pw) for iv, pw in cm._intervals if pw > 0]
    powers = [pw for _, pw in ivs] + [frac(cap)]
    scaled = scale_to_integers(powers, len(ivs) + 1, POWER_LIMIT)
    *demands, capacity = scaled.values
    if not scaled.exact:
        # Conservative rounding: demands up, the cap down (solutions stay feasible).
        factor = scaled.factor
        demands = [-((-pw * factor).__floor__()) for pw in powers[:-1]]
        capacity = int((frac(cap) * factor).__floor__())
        cm.info.exact = False
        cm.info.notes.append("powers were rounded (conservatively) for the peak cap")
    if sum(demands) <= capacity:
        return  # the cap can never bind
    if cm._paused_power:
        cm.info.exact = False
        cm.info.notes.append(
            "peak cap: interruptible operations keep their power over their pauses "
            "in the model (conservative): no proof or bound from this model"
        )
    cm.model.add_cumulative([iv for iv, _ in ivs], demands, capacity)
    if scaled.exact:
        _add_period_energy_caps(cm, scaled.factor, capacity)


def _overlap_term(cm: EnergyCpModel, piece: tuple[int, int, int, int, Any, Any, bool],
                  seg: Segment) -> Any:
    """An operation-mode's overlap with a price segment, linear on one cost piece."""
    g, k, u, v, z, y, from_u = piece
    d = cm.p.ops[g].modes[k].duration
    o_u = max(0, min(u + d, seg.end) - max(u, seg.start))
    o_v = max(0, min(v + d, seg.end) - max(v, seg.start))
    if o_u == 0 and o_v == 0:
        return None
    slope = 0 if v == u else (o_v - o_u) // (v - u)
    return o_u * z + slope * y if from_u else o_v * z - slope * y


def _piece_overlaps(cm: EnergyCpModel) -> list[list[tuple[int, Any]]]:
    """Per cost piece, ``(segment index, overlap term)`` for the segments it can meet.

    Computed once for both redundant cap families, and only over the segments that
    meet ``[u, v + d)`` (found by bisection): all pairs took seconds on the 2,880-unit
    instance."""
    if cm._overlaps is None:
        starts = [seg.start for seg in cm.segments]
        ends = [seg.end for seg in cm.segments]
        cm._overlaps = []
        for piece in cm.pieces:
            g, k, u, v = piece[0], piece[1], piece[2], piece[3]
            d = cm.p.ops[g].modes[k].duration
            first = bisect.bisect_right(ends, u)
            last = bisect.bisect_left(starts, v + d)
            found = []
            for r in range(first, last):
                term = _overlap_term(cm, piece, cm.segments[r])
                if term is not None:
                    found.append((r, term))
            cm._overlaps.append(found)
    return cm._overlaps


def add_machine_period_caps(cm: EnergyCpModel) -> None:
    """Redundant: each machine processes at most a segment's length inside it.

    Implied by the no-overlap, but it tells the LP that a machine has only so much
    cheap time, which lifts the bound when work competes for the cheap periods.
    """
    p = cm.p
    terms: dict[tuple[int, int], list[Any]] = {}
    for piece, overlaps in zip(cm.pieces, _piece_overlaps(cm), strict=True):
        g, k = piece[0], piece[1]
        m = p.ops[g].modes[k].machine
        for r, term in overlaps:
            terms.setdefault((m, r), []).append(term)
    for (_m, r), ts in terms.items():
        seg = cm.segments[r]
        if len(ts) > 1:
            cm.model.add(sum(ts) <= seg.end - seg.start)


def _add_period_energy_caps(cm: EnergyCpModel, factor: Fraction, capacity: int) -> None:
    """Redundant: processing energy inside each price segment <= cap x its length.

    Implied by the cumulative, but linear in the cost pieces (an operation's overlap
    with a segment is linear on each piece), so the LP bound learns that cheap periods
    have limited room: on the 2-machine toy it lifts the root bound from "every
    operation at the cheapest price" towards the optimum.
    """
    p = cm.p
    model = cm.model
    terms: list[list[Any]] = [[] for _ in cm.segments]
    for piece, overlaps in zip(cm.pieces, _piece_overlaps(cm), strict=True):
        g, k = piece[0], piece[1]
        power = round(frac(p.ops[g].modes[k].power) * factor)
        if not power:
            continue
        for r, term in overlaps:
            terms[r].append(power * term)
    for r, seg in enumerate(cm.segments):
        if terms[r]:
            model.add(sum(terms[r]) <= capacity * (seg.end - seg.start))
