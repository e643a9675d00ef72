"""The elastic model of a blend: every relaxable limit with its own priced slack.

The mass balance (the product is ``total`` tonnes) and non-negativity stay hard, they
define the blend; spec, ratio and group-share bounds, material min/max, lots, counts and
``max_materials`` get a non-negative slack.  Slack prices are normalised to each limit's
own scale (``SCALE_FLOOR`` keeps a limit of 0 from having none).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, LinearModel, LinearModelBuilder
from optikit_blend.linear import USE_EPS, group_vectors
from optikit_blend.model import BlendProblem, weighted_columns

#: Floors of the normalising scales, per kind, in user units (a limit of 0 still needs one).
SCALE_FLOOR = {"spec": 0.1, "ratio": 0.01, "group": 0.01, "count": 1.0}
MATERIAL_SCALE_FLOOR = 1e-3  # per tonne of product


@dataclass
class Limit:
    """One relaxable limit of the blend and where it sits in the elastic model.

    ``fraction`` holds ``(N, D)`` over the charge columns for ratio and share limits, whose
    user-facing value is ``N/D``; other limits are linear and ``to_user`` converts their
    slack (model units) into the user's units.
    """

    constraint: str
    kind: str  # spec, ratio, group, material, lot, count
    side: str  # min or max
    limit: float
    unit: str
    subject: str  # what is limited, as the user named it
    slack: int = -1
    scale: float = 1.0  # model units per unit of normalised slack
    to_user: float = 1.0
    fraction: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None


@dataclass
class ElasticModel:
    """The elastic model and how to read charges from its solutions.

    A material's charge is the sum of one or more columns (``charge_cols``, each with a
    ``charge_sign``): its own column, plus the excess over its max and minus the shortfall
    under its min, which are the slacks of those two bounds (see ``_split_bounds``).
    """

    model: LinearModel
    limits: list[Limit]
    num_materials: int
    charge_cols: NDArray[np.int64]
    charge_of: NDArray[np.int64]  # material of each charge column
    charge_sign: NDArray[np.float64]
    integer: bool
    slack_cols: NDArray[np.int64] = field(init=False)

    def __post_init__(self) -> None:
        self.slack_cols = np.array([lim.slack for lim in self.limits], dtype=np.int64)

    def charges(self, solution: NDArray[np.float64]) -> NDArray[np.float64]:
        """Charges per tonne of product, by material, from a full solution vector."""
        values = self.charge_sign * solution[self.charge_cols]
        counts = np.bincount(self.charge_of, weights=values, minlength=self.num_materials)
        return counts.astype(np.float64)

    def charge_cost(self, per_material: NDArray[np.float64]) -> NDArray[np.float64]:
        """An objective over all columns equal to ``per_material · charges``."""
        c = np.zeros(self.model.num_cols)
        np.add.at(c, self.charge_cols, self.charge_sign * per_material[self.charge_of])
        return c


class _ElasticBuilder:
    """Adds the blend's rows to a linear model, each relaxable one with its slack column."""

    def __init__(self, problem: BlendProblem, integer: bool) -> None:
        self.problem = problem
        self.integer = integer
        self.b = LinearModelBuilder("min")
        self.limits: list[Limit] = []
        n = problem.num_materials
        self.x = self.b.add_columns(n, lower=0.0, upper=INF, names=list(problem.ids))
        # The product is `total` tonnes: hard, it defines what the limits are shares of.
        self.b.add_rows_dense(problem.yields[None, :], self.x, 1.0, 1.0, ["mass"])

    def elastic_row(
        self, cols: NDArray[np.int64], coef: NDArray[np.float64], rhs: float, lim: Limit
    ) -> None:
        """``coef·cols + e >= rhs`` (min side) or ``coef·cols - e <= rhs`` (max side)."""
        e = self.b.add_column(0.0, 0.0, INF, name=f"slack:{lim.constraint}")
        keep = np.flatnonzero(coef)
        sign = 1.0 if lim.side == "min" else -1.0
        all_cols = np.concatenate([cols[keep], [e]])
        all_vals = np.concatenate([coef[keep], [sign]])
        lo, hi = (rhs, INF) if lim.side == "min" else (-INF, rhs)
        self.b.add_rows_coo(1, np.zeros(all_cols.size), all_cols, all_vals, lo, hi,
                            [lim.constraint])
        lim.slack = e
        self.limits.append(lim)

    def bound_rows(
        self, mats: NDArray[np.int64], side: str, per_tonne: NDArray[np.float64],
        kind: str, u: NDArray[np.int64] | None = None,
    ) -> None:
        """Material bounds as elastic rows, one block: ``x + e >= L`` / ``x - e <= U``, or
        with ``u`` the lot link ``x - L*u + e >= 0``."""
        m = mats.size
        if m == 0:
            return
        p = self.problem
        e = self.b.add_columns(m, lower=0.0, upper=INF)
        local = np.arange(m)
        sign = 1.0 if side == "min" else -1.0
        if u is None:
            rows = np.concatenate([local, local])
            cols = np.concatenate([self.x[mats], e])
            vals = np.concatenate([np.ones(m), np.full(m, sign)])
            rhs = per_tonne[mats]
        else:
            rows = np.concatenate([local, local, local])
            cols = np.concatenate([self.x[mats], u, e])
            vals = np.concatenate([np.ones(m), -per_tonne[mats], np.ones(m)])
            rhs = np.zeros(m)
        lo, hi = (rhs, INF) if side == "min" else (-INF, rhs)
        key = "min_lot" if kind == "lot" else side
        names = [f"materials[{i}].{key} ({p.ids[i]})" for i in mats]
        self.b.add_rows_coo(m, rows, cols, vals, lo, hi, names)
        total = p.total
        for j, i in enumerate(mats):
            limit = float(per_tonne[i] * total)
            self.limits.append(Limit(
                constraint=names[j], kind=kind, side=side, limit=limit, unit="t",
                subject=p.ids[i], slack=int(e[j]),
                scale=max(float(per_tonne[i]), MATERIAL_SCALE_FLOOR), to_user=total,
            ))

    def build(self) -> ElasticModel:
        p = self.problem
        self._specs()
        self._ratios()
        self._groups()
        binary = p.binary_materials() if self.integer else np.zeros(p.num_materials, bool)
        total = p.total
        lower = p.lower / total
        lot = p.min_lot / total
        # A lot on a material forced in by its min is a second lower bound: both are rows.
        two_lower = (lot > 0) & (lower > 0) & ~binary
        self.bound_rows(np.flatnonzero(two_lower), "min", lower, "material")
        self.bound_rows(np.flatnonzero(two_lower), "min", lot, "lot")
        if binary.any():
            self._integer_part(np.flatnonzero(binary), lot)
        simple_min = np.flatnonzero((lower > 0) & ~two_lower)
        finite_max = np.flatnonzero(np.isfinite(p.upper))
        return self._split_bounds(self.b.build(), simple_min, finite_max, bool(binary.any()))

    def _bound_limit(self, i: int, side: str, per_tonne: float) -> Limit:
        p = self.problem
        return Limit(
            constraint=f"materials[{i}].{side} ({p.ids[i]})", kind="material", side=side,
            limit=float(per_tonne * p.total), unit="t", subject=p.ids[i],
            scale=max(per_tonne, MATERIAL_SCALE_FLOOR), to_user=p.total,
        )

    def _split_bounds(
        self, model: LinearModel, mins: NDArray[np.int64], maxes: NDArray[np.int64],
        integer: bool,
    ) -> ElasticModel:
        """Material min/max as column bounds with elastic copies of the column.

        A material's charge becomes ``y + z - w`` with ``L <= y <= U``, the excess
        ``z >= 0`` and the shortfall ``0 <= w <= L`` (so the charge stays >= 0): the
        slacks of a bound without a row per material, which keeps a 20,000-material model
        as wide and flat as the blend itself (and HiGHS' wide-LP path fast).
        """
        p = self.problem
        x = self.x
        n_old = model.num_cols
        z = n_old + np.arange(maxes.size)
        w = n_old + maxes.size + np.arange(mins.size)
        sources = np.concatenate([x[maxes], x[mins]])
        signs = np.concatenate([np.ones(maxes.size), -np.ones(mins.size)])
        new_cols = np.concatenate([z, w])
        rows = np.repeat(np.arange(model.num_rows), np.diff(model.indptr))
        cols, vals = model.indices, model.data
        lookup = np.full(n_old, -1, dtype=np.int64)
        extra_rows, extra_cols, extra_vals = [rows], [cols], [vals]
        for block in (slice(0, maxes.size), slice(maxes.size, None)):
            lookup[:] = -1
            lookup[sources[block]] = np.arange(new_cols[block].size)
            hit = lookup[cols] >= 0
            k = lookup[cols[hit]]
            extra_rows.append(rows[hit])
            extra_cols.append(new_cols[block][k])
            extra_vals.append(vals[hit] * signs[block][k])
        all_rows = np.concatenate(extra_rows)
        all_cols = np.concatenate(extra_cols)
        all_vals = np.concatenate(extra_vals)
        order = np.lexsort((all_cols, all_rows))
        counts = np.bincount(all_rows, minlength=model.num_rows)
        per_tonne_min = p.lower[mins] / p.total
        per_tonne_max = p.upper[maxes] / p.total
        col_lower = np.concatenate([model.col_lower, np.zeros(new_cols.size)])
        col_upper = np.concatenate([model.col_upper, np.full(maxes.size, INF), per_tonne_min])
        col_lower[x[mins]] = per_tonne_min
        col_upper[x[maxes]] = per_tonne_max
        names = list(model.col_names or [])
        names += [f"over:{p.ids[i]}" for i in maxes] + [f"under:{p.ids[i]}" for i in mins]
        split = dataclasses.replace(
            model,
            c=np.zeros(n_old + new_cols.size),
            col_lower=col_lower,
            col_upper=col_upper,
            integer=np.concatenate([model.integer, np.zeros(new_cols.size, dtype=bool)]),
            indptr=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            indices=all_cols[order],
            data=all_vals[order],
            col_names=names,
        )
        for j, i in enumerate(maxes):
            self.limits.append(dataclasses.replace(
                self._bound_limit(int(i), "max", float(per_tonne_max[j])), slack=int(z[j])))
        for j, i in enumerate(mins):
            self.limits.append(dataclasses.replace(
                self._bound_limit(int(i), "min", float(per_tonne_min[j])), slack=int(w[j])))
        n = p.num_materials
        return ElasticModel(
            model=split,
            limits=self.limits,
            num_materials=n,
            charge_cols=np.concatenate([x, z, w]).astype(np.int64),
            charge_of=np.concatenate([np.arange(n), maxes, mins]).astype(np.int64),
            charge_sign=np.concatenate([np.ones(n), np.ones(maxes.size), -np.ones(mins.size)]),
            integer=integer,
        )

    def _specs(self) -> None:
        p = self.problem
        for k in p.spec_order:
            name = p.components[k]
            for side, value in (("min", p.spec_min[k]), ("max", p.spec_max[k])):
                if np.isnan(value) or (side == "min" and value <= 0):
                    continue  # a min of 0 % always holds
                lim = Limit(f"specs.{name}.{side}", "spec", side, float(value), "%", name,
                            scale=max(abs(float(value)), SCALE_FLOOR["spec"]))
                self.elastic_row(self.x, p.composition[:, k], float(value), lim)

    def _ratios(self) -> None:
        p = self.problem
        for r, ratio in enumerate(p.ratios):
            num = weighted_columns(p.composition, ratio.numerator)
            den = weighted_columns(p.composition, ratio.denominator)
            positive = den[den > 0]
            typical = float(np.median(positive)) if positive.size else 1.0
            for side, value in (("min", ratio.min), ("max", ratio.max)):
                if value is None or (side == "min" and value <= 0):
                    continue
                lim = Limit(f"ratios[{r}].{side} ({ratio.name})", "ratio", side, float(value),
                            "", ratio.name, fraction=(num, den),
                            scale=max(abs(value), SCALE_FLOOR["ratio"]) * typical)
                self.elastic_row(self.x, num - value * den, 0.0, lim)

    def _groups(self) -> None:
        p = self.problem
        for g, group in enumerate(p.groups):
            if not group.has_share:
                continue
            member, ref = group_vectors(p, g)
            for side, value in (("min", group.min), ("max", group.max)):
                if value is None or (side == "min" and value <= 0):
                    continue
                lim = Limit(f"groups[{g}].{side} ({group.name})", "group", side, float(value),
                            "share", group.name, fraction=(member, ref),
                            scale=max(abs(value), SCALE_FLOOR["group"]))
                self.elastic_row(self.x, member - value * ref, 0.0, lim)

    def _integer_part(self, mats: NDArray[np.int64], lot: NDArray[np.float64]) -> None:
        p, b = self.problem, self.b
        m = mats.size
        u = b.add_columns(m, lower=0.0, upper=1.0, integer=True,
                          names=[f"use:{p.ids[i]}" for i in mats])
        local = np.arange(m)
        # Unused means nothing charged.  With the mass balance hard, y*x <= 1 always holds,
        # so 1/y is a valid big-M whichever limits are relaxed.
        b.add_rows_coo(m, np.concatenate([local, local]), np.concatenate([self.x[mats], u]),
                       np.concatenate([np.ones(m), -1.0 / p.yields[mats]]), -INF, 0.0)
        presence = np.zeros(p.num_materials, dtype=bool)
        for group in p.groups:
            if group.min_count:
                presence[group.members] = True
        need = np.flatnonzero(presence[mats])
        if need.size:
            # "Used" for a min_count means really present (x >= USE_EPS, as in linear.py),
            # written as x/USE_EPS - u >= 0: a MIP solver's feasibility tolerance (1e-6)
            # would otherwise swallow the whole threshold and call u=1, x=0 feasible.
            k = np.arange(need.size)
            b.add_rows_coo(need.size, np.concatenate([k, k]),
                           np.concatenate([self.x[mats[need]], u[need]]),
                           np.concatenate([np.full(need.size, 1.0 / USE_EPS),
                                           -np.ones(need.size)]),
                           0.0, INF)
        with_lot = np.flatnonzero(lot[mats] > 0)
        full_lot = np.zeros(p.num_materials)
        full_lot[mats] = lot[mats]
        self.bound_rows(mats[with_lot], "min", full_lot, "lot", u=u[with_lot])
        position = np.full(p.num_materials, -1, dtype=np.int64)
        position[mats] = local
        for g, group in enumerate(p.groups):
            cols = u[position[group.members]]
            for side, value in (("min", group.min_count), ("max", group.max_count)):
                if value is None or (side == "min" and value <= 0):
                    continue
                lim = Limit(f"groups[{g}].{side}_count ({group.name})", "count", side,
                            float(value), "materials", group.name,
                            scale=max(float(value), SCALE_FLOOR["count"]))
                self.elastic_row(cols, np.ones(cols.size), float(value), lim)
        if p.max_materials is not None:
            lim = Limit("max_materials", "count", "max", float(p.max_materials), "materials",
                        "materials used", scale=max(float(p.max_materials), 1.0))
            self.elastic_row(u, np.ones(m), float(p.max_materials), lim)


def build_elastic(problem: BlendProblem, integer: bool) -> ElasticModel:
    """The elastic model of ``problem`` (with lots and counts only when ``integer``)."""
    return _ElasticBuilder(problem, integer).build()
