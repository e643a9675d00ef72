"""Piecewise McCormick envelopes of ``v = q * y``, shared by the one- and multi-period MILPs.

A share ``q`` in [0, top] is split into ``n`` equal pieces, one chosen by a binary; every
amount ``y`` multiplied by that share is split alongside (its copy on a piece is zero unless
the piece is chosen), and on the chosen piece ``v`` lies within the McCormick envelope of
``q * y``.  Every point with ``v = q * y`` satisfies the rows, so the MILP is a relaxation
and its proven bound is a certified bound on the bilinear model; more pieces, tighter bound
(:func:`refine` narrows the piece around a known good value, as adaptive partitioning does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import LinearModelBuilder


@dataclass(frozen=True)
class Pieces:
    """A share column split into pieces: the choice binaries, the share's copy per piece
    and each piece's range."""

    pick: NDArray[np.int64]
    share: NDArray[np.int64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]


def uniform(top: float, n: int) -> NDArray[np.float64]:
    """Breakpoints of ``n`` equal pieces of [0, top]."""
    return np.linspace(0.0, float(top), max(1, int(n)) + 1)


def refine(edges: NDArray[np.float64], value: float, ratio: float) -> NDArray[np.float64]:
    """``edges`` with the piece holding ``value`` cut around it: a piece ``ratio`` times
    narrower than the old one, centred on ``value`` (clipped to the old piece)."""
    k = int(np.clip(np.searchsorted(edges, value, side="right") - 1, 0, len(edges) - 2))
    low, high = float(edges[k]), float(edges[k + 1])
    half = (high - low) / (2.0 * ratio)
    cuts = [c for c in (value - half, value + half) if low + 1e-9 < c < high - 1e-9]
    return np.unique(np.concatenate([edges, cuts])) if cuts else edges


def split_share(b: LinearModelBuilder, q: int, edges: NDArray[np.float64]) -> Pieces:
    """Split share column ``q`` at ``edges`` (sorted, from its lower to its upper bound)
    into pieces, one of them chosen."""
    n = len(edges) - 1
    pick = np.asarray(b.add_columns(n, 0.0, 0.0, 1.0, integer=True), dtype=np.int64)
    share = np.asarray(b.add_columns(n, 0.0, 0.0, float(edges[-1])), dtype=np.int64)
    b.add_row({int(c): 1.0 for c in pick}, 1.0, 1.0)
    b.add_row({q: 1.0, **{int(c): -1.0 for c in share}}, 0.0, 0.0)
    for k in range(n):
        b.add_row({int(share[k]): 1.0, int(pick[k]): -float(edges[k])}, lower=0.0)
        b.add_row({int(share[k]): 1.0, int(pick[k]): -float(edges[k + 1])}, upper=0.0)
    return Pieces(pick, share, np.asarray(edges[:-1]), np.asarray(edges[1:]))


def envelope(b: LinearModelBuilder, pieces: Pieces, v: int, y: int, top: float) -> None:
    """Rows enclosing ``v = q * y`` (``y`` in [0, top]) on the chosen piece of ``q``."""
    if top <= 0 or not np.isfinite(top):
        return
    n = len(pieces.pick)
    ybar = b.add_columns(n, 0.0, 0.0, top)
    b.add_row({y: 1.0, **{int(c): -1.0 for c in ybar}}, 0.0, 0.0)
    for k in range(n):
        b.add_row({int(ybar[k]): 1.0, int(pieces.pick[k]): -top}, upper=0.0)
    lo, hi = pieces.low, pieces.high
    # v >= qL*y  and  v <= qU*y  (with y >= 0), piece by piece
    b.add_row({v: 1.0, **{int(ybar[k]): -float(lo[k]) for k in range(n)}}, lower=0.0)
    b.add_row({v: 1.0, **{int(ybar[k]): -float(hi[k]) for k in range(n)}}, upper=0.0)
    # v >= qU*y + Y*q - qU*Y  and  v <= qL*y + Y*q - qL*Y, on the chosen piece
    over: dict[int, float] = {v: 1.0}
    under: dict[int, float] = {v: 1.0}
    for k in range(n):
        over[int(ybar[k])] = -float(hi[k])
        over[int(pieces.share[k])] = -top
        over[int(pieces.pick[k])] = float(hi[k]) * top
        under[int(ybar[k])] = -float(lo[k])
        under[int(pieces.share[k])] = -top
        under[int(pieces.pick[k])] = float(lo[k]) * top
    b.add_row(over, lower=0.0)
    b.add_row(under, upper=0.0)
