"""The blend as a linear model (LP, or MILP with lots and counts), built with numpy blocks.

Variables are ``x[i]`` = tonnes of material ``i`` charged **per tonne of product**
(``x = amount / total``), which keeps the model's scale independent of ``total``:
the yield row is ``sum(yield * x) = 1``, a spec row is ``sum(pct * x)`` in % of the product,
and the objective ``sum(cost * total * x)`` is the blend's total cost.

Ratios ``lo <= N/D <= hi`` are linearised exactly as ``N - lo*D >= 0`` and
``N - hi*D <= 0`` (``D >= 0`` because weights and compositions are non-negative; a blend
with ``D = 0`` satisfies them only with ``N = 0`` as well).  Group shares are linearised
the same way against the charged mass of ``of``.

Integer part: a binary ``u[i]`` per material that has a lot or takes part in a count,
linked by ``L[i]*u[i] <= x[i] <= U[i]*u[i]`` with ``U`` the tightest upper bound the data
imply (own max, yield, spec maxima) and ``L`` the lot (or a tiny positive amount when a
``min_count`` needs the material to be really present).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, LinearModel, LinearModelBuilder
from optikit_blend.model import BlendProblem, weighted_columns

#: Smallest charge (per tonne of product) that counts a material as used for a min_count.
USE_EPS = 1e-6


@dataclass
class BlendModel:
    """A built model plus where each blend rule went (for the payload and the analysis)."""

    x_cols: NDArray[np.int64]
    u_cols: NDArray[np.int64]  # binaries, one per entry of ``u_materials``
    u_materials: NDArray[np.int64]
    mass_row: int
    spec_rows: dict[int, int] = field(default_factory=dict)  # component -> row
    ratio_rows: list[tuple[int, str, int]] = field(default_factory=list)  # (ratio, side, row)
    group_rows: list[tuple[int, str, int]] = field(default_factory=list)  # (group, side, row)
    x_lower: NDArray[np.float64] | None = None  # per tonne of product, as in the model
    x_upper: NDArray[np.float64] | None = None
    model: LinearModel = field(init=False)  # set once every block is added


def upper_bounds(problem: BlendProblem) -> NDArray[np.float64]:
    """Tightest per-material charge (per tonne of product) the data allow on their own."""
    total = problem.total
    bound = np.minimum(problem.upper / total, 1.0 / problem.yields)
    has_max = ~np.isnan(problem.spec_max)
    if has_max.any():
        pct = problem.composition[:, has_max]
        limits = problem.spec_max[has_max]
        with np.errstate(divide="ignore", invalid="ignore"):
            per_spec = np.where(pct > 0, limits / pct, INF)
        bound = np.minimum(bound, per_spec.min(axis=1))
    return bound


def lower_bounds(problem: BlendProblem) -> NDArray[np.float64]:
    """Per-material forced charge per tonne of product (``min``, raised to the lot if set)."""
    lower = problem.lower.copy()
    forced = lower > 0
    lower[forced] = np.maximum(lower[forced], problem.min_lot[forced])
    return lower / problem.total


def _needs_presence(problem: BlendProblem) -> NDArray[np.bool_]:
    """Materials in a group with a positive ``min_count`` (being "used" must mean x > 0)."""
    mask = np.zeros(problem.num_materials, dtype=bool)
    for group in problem.groups:
        if group.min_count:
            mask[group.members] = True
    return mask


def build(problem: BlendProblem, selection: NDArray[np.bool_] | None = None) -> BlendModel:
    """Build the model; with ``selection`` (used or not, per material) build the LP in which
    that choice is fixed: what remains after a MILP, solved again for clean values and duals.
    """
    n, total = problem.num_materials, problem.total
    b = LinearModelBuilder("min")
    lower = lower_bounds(problem)
    upper = problem.upper / total
    big = upper_bounds(problem)
    lot = problem.min_lot / total
    presence = np.where(_needs_presence(problem), USE_EPS, 0.0)
    link_lower = np.maximum(lot, presence)

    binary = problem.binary_materials() if selection is None else np.zeros(n, dtype=bool)
    if selection is not None:
        selection = np.asarray(selection, dtype=bool)
        decided = problem.binary_materials()
        upper = np.where(decided & ~selection, 0.0, upper)
        lower = np.where(decided & selection, np.maximum(lower, link_lower), lower)

    x = b.add_columns(n, cost=problem.cost * total, lower=lower, upper=upper, names=problem.ids)
    mass_row = int(b.add_rows_dense(problem.yields[None, :], x, 1.0, 1.0, ["mass"])[0])
    bm = BlendModel(
        x_cols=x,
        u_cols=np.zeros(0, dtype=np.int64),
        u_materials=np.flatnonzero(binary).astype(np.int64),
        mass_row=mass_row,
        x_lower=lower,
        x_upper=upper,
    )
    _add_specs(b, bm, problem)
    _add_ratios(b, bm, problem)
    _add_group_shares(b, bm, problem)
    if binary.any():
        _add_binaries(b, bm, problem, big, link_lower, lower)
    bm.model = b.build()
    return bm


def _add_specs(b: LinearModelBuilder, bm: BlendModel, problem: BlendProblem) -> None:
    comps = np.asarray(problem.spec_order, dtype=np.int64)
    if comps.size == 0:
        return
    lo = np.nan_to_num(problem.spec_min[comps], nan=-INF)
    hi = np.nan_to_num(problem.spec_max[comps], nan=INF)
    names = [f"spec:{problem.components[k]}" for k in comps]
    rows = b.add_rows_dense(problem.composition[:, comps].T, bm.x_cols, lo, hi, names)
    bm.spec_rows = {int(k): int(r) for k, r in zip(comps, rows, strict=True)}


def _add_ratios(b: LinearModelBuilder, bm: BlendModel, problem: BlendProblem) -> None:
    comp = problem.composition
    for r, ratio in enumerate(problem.ratios):
        num = weighted_columns(comp, ratio.numerator)
        den = weighted_columns(comp, ratio.denominator)
        if ratio.min is not None:
            row = b.add_rows_dense(
                (num - ratio.min * den)[None, :], bm.x_cols, 0.0, INF, [f"ratio:{ratio.name}:min"]
            )
            bm.ratio_rows.append((r, "min", int(row[0])))
        if ratio.max is not None:
            row = b.add_rows_dense(
                (num - ratio.max * den)[None, :], bm.x_cols, -INF, 0.0, [f"ratio:{ratio.name}:max"]
            )
            bm.ratio_rows.append((r, "max", int(row[0])))


def group_vectors(
    problem: BlendProblem, g: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """0/1 vectors over materials: the group's members and its reference set ``of``."""
    group = problem.groups[g]
    member = np.zeros(problem.num_materials)
    member[group.members] = 1.0
    if group.of is None:
        ref = np.ones(problem.num_materials)
    else:
        ref = np.zeros(problem.num_materials)
        ref[group.of] = 1.0
    return member, ref


def _add_group_shares(b: LinearModelBuilder, bm: BlendModel, problem: BlendProblem) -> None:
    for g, group in enumerate(problem.groups):
        if not group.has_share:
            continue
        member, ref = group_vectors(problem, g)
        for side, limit in (("min", group.min), ("max", group.max)):
            if limit is None:
                continue
            coef = member - limit * ref
            keep = np.flatnonzero(coef)
            lo, hi = (0.0, INF) if side == "min" else (-INF, 0.0)
            row = b.add_rows_coo(
                1, np.zeros(keep.size), bm.x_cols[keep], coef[keep], lo, hi,
                [f"group:{group.name}:{side}"],
            )
            bm.group_rows.append((g, side, int(row[0])))


def _add_binaries(
    b: LinearModelBuilder,
    bm: BlendModel,
    problem: BlendProblem,
    big: NDArray[np.float64],
    link_lower: NDArray[np.float64],
    lower: NDArray[np.float64],
) -> None:
    mats = bm.u_materials
    m = mats.size
    forced = lower[mats] > 0
    # A material whose smallest use exceeds what the data allow can never be used.
    impossible = link_lower[mats] > big[mats] * (1 + 1e-12)
    u = b.add_columns(
        m,
        lower=np.where(forced & ~impossible, 1.0, 0.0),
        upper=np.where(impossible, 0.0, 1.0),
        integer=True,
        names=[f"use:{problem.ids[i]}" for i in mats],
    )
    bm.u_cols = u
    local = np.arange(m)
    # x - U*u <= 0: unused means nothing charged; U is the tightest valid upper bound.
    cap = np.maximum(big[mats], lower[mats])
    b.add_rows_coo(
        m,
        np.concatenate([local, local]),
        np.concatenate([bm.x_cols[mats], u]),
        np.concatenate([np.ones(m), -cap]),
        -INF,
        0.0,
        [f"cap:{problem.ids[i]}" for i in mats],
    )
    # x - L*u >= 0 where a lot or a min_count needs a real amount once used.
    need = np.flatnonzero(link_lower[mats] > 0)
    if need.size:
        k = need.size
        kl = np.arange(k)
        b.add_rows_coo(
            k,
            np.concatenate([kl, kl]),
            np.concatenate([bm.x_cols[mats[need]], u[need]]),
            np.concatenate([np.ones(k), -link_lower[mats[need]]]),
            0.0,
            INF,
            [f"lot:{problem.ids[mats[j]]}" for j in need],
        )
    position = np.full(problem.num_materials, -1, dtype=np.int64)
    position[mats] = np.arange(m)
    for group in problem.groups:
        if not group.has_count:
            continue
        cols = u[position[group.members]]
        lo = -INF if group.min_count is None else float(group.min_count)
        hi = INF if group.max_count is None else float(group.max_count)
        b.add_rows_coo(
            1, np.zeros(cols.size), cols, np.ones(cols.size), lo, hi, [f"count:{group.name}"]
        )
    if problem.max_materials is not None:
        b.add_rows_coo(
            1, np.zeros(m), u, np.ones(m), -INF, float(problem.max_materials), ["max_materials"]
        )
