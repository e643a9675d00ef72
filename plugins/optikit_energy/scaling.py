"""Integer scaling of the energy model for CP-SAT, which only takes integer coefficients.

Inputs are decimals (prices like 0.1234 per kWh, powers like 37.5 kW, 1-minute steps
giving 1/60 h).  Each number is read as the exact decimal it was written as
(``Fraction(repr(x))``) and the model is multiplied by the least common multiple of the
denominators, so the integer model is *exactly* the problem times a constant and a proven
CP-SAT optimum is a proven optimum of the problem.  Only if that multiplier would make the
numbers too large for CP-SAT (beyond ``limit``) do we fall back to rounding; the caller is
told (``exact=False``) and must then not claim optimality.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction


def frac(x: float | int | Fraction) -> Fraction:
    """The decimal ``x`` was written as (0.1 -> 1/10, not the binary float's value)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    return _decimal(float(x))


@functools.lru_cache(maxsize=1 << 16)
def _decimal(x: float) -> Fraction:
    """Cached: a model build asks for the same few powers and prices thousands of times
    (1.6 s of string parsing on the 2,880-unit instance)."""
    return Fraction(repr(x))


def lcm_of_denominators(values: Iterable[Fraction]) -> int:
    out = 1
    for v in values:
        out = math.lcm(out, v.denominator)
    return out


@dataclass(frozen=True)
class Scaled:
    """Integers ``round(value * factor)`` and whether the rounding was exact everywhere."""

    factor: Fraction
    values: tuple[int, ...]
    exact: bool


def scale_to_integers(values: Iterable[Fraction], magnitude: float, limit: float) -> Scaled:
    """Scale ``values`` to integers exactly if ``max|value| * factor * magnitude <= limit``.

    ``magnitude`` is how much the largest scaled value can be multiplied by in the model
    (e.g. the horizon for a per-unit price), so that sums stay within ``limit``.
    """
    vals = list(values)
    factor = Fraction(lcm_of_denominators(vals))
    biggest = max((abs(v) for v in vals), default=Fraction(0))
    exact = True
    if biggest and float(biggest * factor) * magnitude > limit:
        # Rounding fallback: the largest value gets about limit / magnitude.
        factor = Fraction(max(1, int(limit / magnitude / float(biggest))))
        exact = all((v * factor).denominator == 1 for v in vals)
    ints = tuple(round(v * factor) for v in vals)
    return Scaled(factor, ints, exact)
