"""Turning exact fractional costs into the integers CP-SAT needs, without lying.

All objective coefficients (tardiness weights, cost tables of the failure curves, planned
downtime, skip costs) are collected first; their least common denominator ``D`` becomes
the scale, so ``raw / D`` is the exact objective.  When ``D`` would be absurdly large
(curves with many odd segment lengths and long decimals), the costs are rounded to a
fixed grid instead and the scaling is marked inexact: the reported bound is then lowered
by the largest possible rounding error, so a claim of optimality stays a proof.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

MAX_DENOMINATOR = 10**6
FALLBACK_SCALE = 10**6
# Keep |raw objective| well inside int64 and exactly representable as a float.
MAX_RAW = 2**52


@dataclass(frozen=True)
class Scale:
    factor: int
    exact: bool

    def integer(self, value: Fraction) -> int:
        scaled = value * self.factor
        return int(scaled) if scaled.denominator == 1 else round(scaled)

    def error(self, value: Fraction) -> Fraction:
        """How far ``integer(value) / factor`` is from ``value``."""
        return abs(Fraction(self.integer(value), self.factor) - value)


def choose_scale(values: Iterable[Fraction], magnitude: Fraction) -> Scale:
    """The exact common scale of ``values`` if it is small enough, else a rounding grid.

    ``magnitude`` bounds the unscaled objective's absolute value (sum of |coefficient| x
    variable range), so the scaled model cannot overflow.
    """
    denominator = 1
    for value in values:
        denominator = math.lcm(denominator, value.denominator)
        if denominator > MAX_DENOMINATOR:
            break
    if denominator <= MAX_DENOMINATOR and magnitude * denominator <= MAX_RAW:
        return Scale(denominator, True)
    factor = FALLBACK_SCALE
    while factor > 1 and magnitude * factor > MAX_RAW:
        factor //= 10
    return Scale(factor, False)
