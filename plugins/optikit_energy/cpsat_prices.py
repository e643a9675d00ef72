"""The objective price of energy over time, as CP-SAT's integers see it.

With ``F(t)`` the cumulative objective price of time units ``< t`` (money and carbon per
kW, weighted), an operation of power ``P`` on ``[S, E)`` costs ``P * (F(E) - F(S))``.
``F`` is piecewise linear with one :class:`Segment` per run of tariff periods of equal
price; :meth:`PriceCurve.pwl` models ``F`` at a variable time point with one boolean per
segment it may fall in (the disaggregated convex-combination form), so the interval model
grows with the number of periods, not with the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from optikit_energy.model import EnergyProblem
from optikit_energy.scaling import frac, scale_to_integers

# Cumulative objective prices F(t) stay below this (integer units).
F_LIMIT = 1e12


@dataclass
class Segment:
    """Units ``[start, end)`` of constant objective price ``rho`` (integer, per kW-unit)."""

    start: int
    end: int
    rho: int
    f_start: int  # F(start)


@dataclass
class PriceCurve:
    """``F`` scaled to integers: ``rho_scale`` integer units per currency unit per kW-unit."""

    segments: list[Segment]
    f_max: int
    rho_scale: Fraction
    h: Fraction  # hours per time unit
    energy_on: bool  # the objective prices energy at all
    exact: bool  # no price had to be rounded

    @classmethod
    def of(cls, p: EnergyProblem, purpose: str) -> PriceCurve:
        """The curve of ``p``'s tariff under its weights (``purpose`` as the model's)."""
        h = frac(p.time_step) / 60
        w = p.weights
        pis = [
            frac(w.energy_cost) * frac(q.price) + frac(w.carbon) * frac(q.carbon)
            for q in p.tariff
        ]
        energy_on = purpose == "energy" and any(pis)
        # Merge neighbouring periods of equal objective price.
        merged: list[tuple[int, int, Fraction]] = []
        for q, pi in zip(p.tariff, pis, strict=True):
            if merged and merged[-1][2] == pi:
                merged[-1] = (merged[-1][0], q.end, pi)
            else:
                merged.append((q.start, q.end, pi))
        rhos = [pi * h for _, _, pi in merged]
        scaled = scale_to_integers(rhos, p.horizon, F_LIMIT)
        segments = []
        f = 0
        for (a, b, _), rho in zip(merged, scaled.values, strict=True):
            segments.append(Segment(a, b, rho, f))
            f += rho * (b - a)
        # integer rho = rho (currency per kW-unit) * rho_scale
        return cls(segments, f, scaled.factor, h, energy_on, scaled.exact)

    def f_of(self, t: int) -> int:
        """F(t) for a constant t (integer units)."""
        for s in self.segments:
            if s.start <= t <= s.end:
                return s.f_start + s.rho * (t - s.start)
        return self.f_max

    def segment_at(self, t: int) -> Segment:
        """The price segment of unit t (the last one for t at or past the horizon)."""
        for seg in self.segments:
            if seg.start <= t < seg.end:
                return seg
        return self.segments[-1]

    def pwl(self, model: Any, x: Any, lo: int, hi: int, name: str, half_open: bool,
            counts: dict[str, int]) -> tuple[Any, Any]:
        """(F(x), rho(x)) as linear expressions of x in [lo, hi], built in ``model``.

        With ``half_open`` the pieces are ``[a, b-1]`` so ``rho(x)`` is the price of unit x
        (needed for a start-up's price); otherwise ``[a, b]`` (enough for F).  The booleans
        added are counted in ``counts["pwl_booleans"]``.
        """
        segs = [
            s for s in self.segments
            if s.start <= hi and (s.end - (1 if half_open else 0)) >= lo
        ]
        if len(segs) == 1:
            s = segs[0]
            return s.f_start + s.rho * (x - s.start), s.rho
        zs, parts, f_terms, rho_terms = [], [], [], []
        for r, s in enumerate(segs):
            a = max(s.start, lo)
            b = min(s.end - (1 if half_open else 0), hi)
            z = model.new_bool_var(f"{name}_z{r}")
            # Offset from the piece's left end, so every coefficient is >= 0 (see
            # cpsat_operations.add_cost_pieces on why that matters for the LP bound).
            y = model.new_int_var(0, b - a, f"{name}_y{r}")
            model.add(y <= (b - a) * z)
            zs.append(z)
            parts.append(a * z + y)
            f_terms.append((s.f_start + s.rho * (a - s.start)) * z + s.rho * y)
            rho_terms.append(s.rho * z)
        model.add_exactly_one(zs)
        model.add(sum(parts) == x)
        counts["pwl_booleans"] = counts.get("pwl_booleans", 0) + len(zs)
        return sum(f_terms), sum(rho_terms)
