"""Why a blend is infeasible: a small set of conflicting limits and how far each must move.

A process engineer told "infeasible" can do nothing with it; told "TFe >= 56 % cannot hold
with basicity >= 1.9 and MgO >= 1.4; TFe would have to drop to 55.46 %" they can.  The
method, on the same backend that proved infeasibility:

1. **Elastic model.**  Every relaxable limit (spec, ratio and group-share bounds, material
   min/max, lots, counts, ``max_materials``) gets a non-negative slack; the mass balance
   (the product is ``total`` tonnes) and non-negativity stay hard, they define the blend.
   Slack costs are normalised to each limit's own scale, so "move TFe by 1 point" and
   "move a 0.2 t bound by 0.1 t" are compared as the relative changes they are.
2. **Elastic filter** (Chinneck): solve, make every limit whose slack is positive hard,
   repeat until the elastic model is infeasible; the hardened limits then conflict on
   their own.  This needs about as many solves as the conflict has members.
3. **Deletion filter**: drop each hardened limit in turn and keep it only when the rest
   becomes feasible without it; what is left is irreducible (every member is needed).
4. **Single relaxations**: for each member, the smallest move of that limit alone (all
   other limits of the problem hard) that restores feasibility.  Spec, material and count
   limits are linear in the model, so the elastic slack is the answer; ratio and share
   limits are fractions ``N/D``, so the slack is turned into the fraction's units at the
   elastic solution and then tightened to the exact optimum by Dinkelbach's iteration.

A MILP whose continuous part is already infeasible is diagnosed on that LP (cheaper, and
the conflict then involves no lots or counts); otherwise on the elastic MILP.  Every solve
shares the run's deadline: when time runs out the diagnosis says what it found so far.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.paradigms import INF, LinearModel, LinearModelBuilder, LinearResult
from optikit.types import Backend, SolveContext, Status
from optikit_blend.linear import USE_EPS, group_vectors
from optikit_blend.model import BlendProblem, weighted_columns

#: A slack counts as used above this (model units are % points, per-tonne charges, counts).
SLACK_TOL = 1e-9
#: Dinkelbach stops when an iteration improves the fraction by less than this (relative).
FRACTION_RTOL = 1e-9
MAX_DINKELBACH_STEPS = 8
#: Single relaxations are computed for at most this many members of a conflict (one or
#: more solves each); a shortage of material can involve every material's max.
MAX_RELAXATIONS = 25
#: Reported relaxations get this margin (relative to the limit) and are rounded up to
#: this many significant digits (never down), so relaxing a limit by the reported amount
#: is always enough, with room for solver tolerances.
RELAX_MARGIN = 1e-6
DIGITS = 6
#: Floors of the normalising scales, per kind, in user units (a limit of 0 still needs one).
SCALE_FLOOR = {"spec": 0.1, "ratio": 0.01, "group": 0.01, "count": 1.0}
MATERIAL_SCALE_FLOOR = 1e-3  # per tonne of product


class _Stopped(Exception):
    """A solve ended without an answer (time limit, Ctrl-C, solver trouble)."""

    def __init__(self, reason: str, out_of_time: bool = False) -> None:
        super().__init__(reason)
        self.out_of_time = out_of_time


def _no_time_for(ctx: SolveContext, seconds: float) -> _Stopped | None:
    """Why a step that takes ``seconds`` must not start now (None: it may)."""
    remaining = ctx.remaining()
    if not ctx.expired() and (remaining is None or remaining >= seconds):
        return None
    if ctx.stop.is_set():
        return _Stopped("interrupted")
    return _Stopped("out of time", out_of_time=True)


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


# --- the elastic model ------------------------------------------------------------------


class _ElasticBuilder:
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


# --- solving variants of the elastic model ----------------------------------------------


class _Prober:
    """Solves variants of one elastic model on the run's backend, within its deadline."""

    def __init__(
        self, em: ElasticModel, backend: Backend, ctx: SolveContext, expected: float = 0.0
    ) -> None:
        self.em = em
        self.backend = backend
        self.ctx = ctx
        self.solves = 0
        #: How long the next solve will probably take (the last one's wall time): a solve
        #: that cannot finish before the deadline is not started, since a backend's own
        #: overheads (building a PuLP model, writing a file) are outside its time limit.
        self.expected = expected
        self.first: LinearResult | None = None  # the first elastic solution, once found
        self.weights = np.array([1.0 / lim.scale for lim in em.limits])

    def solve(
        self,
        hard: NDArray[np.bool_],
        priced: NDArray[np.bool_] | None = None,
        x_cost: NDArray[np.float64] | None = None,
    ) -> LinearResult:
        """Limits in ``hard`` hold exactly; the rest are relaxed, at their normalised price
        where ``priced`` is set and for free elsewhere.  ``x_cost`` replaces the slack
        prices by an objective over the charges.  Returns only INFEASIBLE or a solution."""
        stopped = _no_time_for(self.ctx, self.expected)
        if stopped is not None:
            raise stopped
        em = self.em
        c = np.zeros(em.model.num_cols)
        if x_cost is not None:
            c = em.charge_cost(x_cost)
        elif priced is not None:
            c[em.slack_cols[priced]] = self.weights[priced]
        upper = em.model.col_upper.copy()
        upper[em.slack_cols[hard]] = 0.0
        variant = dataclasses.replace(em.model, c=c, col_upper=upper)
        self.solves += 1
        started = time.monotonic()
        result = self.backend.solve(variant, self.ctx)
        self.expected = time.monotonic() - started
        if result.status is Status.INFEASIBLE:
            return result
        if result.status.has_solution and result.x is not None:
            return result
        reason = result.message or result.status.value
        raise _Stopped(f"a diagnosis solve ended {result.status.value}: {reason}",
                       out_of_time=self.ctx.expired())

    def feasible(self, hard: NDArray[np.bool_]) -> bool:
        """Do the ``hard`` limits (with the model's fixed rules) admit a blend?"""
        return self.solve(hard).status is not Status.INFEASIBLE

    def slacks(self, result: LinearResult) -> NDArray[np.float64]:
        assert result.x is not None
        return np.asarray(result.x[self.em.slack_cols], dtype=np.float64)


def elastic_filter(prober: _Prober) -> NDArray[np.bool_]:
    """Harden every limit that needs slack until the elastic model is infeasible.

    Returns the hardened set (it conflicts on its own), or raises :class:`_Stopped`.
    The first elastic solution (the cheapest combined relaxation) is kept in
    ``prober.first``.
    """
    n = len(prober.em.limits)
    hard = np.zeros(n, dtype=bool)
    while True:
        result = prober.solve(hard, priced=~hard)
        if result.status is Status.INFEASIBLE:
            return hard
        prober.first = prober.first or result
        used = (prober.slacks(result) > SLACK_TOL) & ~hard
        if not used.any():
            raise _Stopped("the conflict is within the solver's tolerances")
        hard |= used


def deletion_filter(prober: _Prober, members: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Reduce an infeasible set of limits to an irreducible one."""
    current = members.copy()
    for i in np.flatnonzero(members):
        current[i] = False
        if prober.feasible(current):
            current[i] = True  # needed: without it the rest can hold
    return current


# --- single relaxations -----------------------------------------------------------------


def _fraction_value(lim: Limit, x: NDArray[np.float64]) -> tuple[float, float]:
    assert lim.fraction is not None
    num, den = lim.fraction
    return float(num @ x), float(den @ x)


def _best_fraction(prober: _Prober, lim: Limit, others: NDArray[np.bool_],
                   start: NDArray[np.float64]) -> float | None:
    """Dinkelbach: the best ``N/D`` any blend meeting ``others`` reaches (max for a min
    limit, min for a max limit), starting from the feasible charge ``start``.

    Every iterate is a feasible blend, so stopping early (out of time) still gives a value
    that is reachable: a relaxation that suffices, if not the smallest.
    """
    assert lim.fraction is not None
    num, den = lim.fraction
    n_val, d_val = _fraction_value(lim, start)
    if d_val <= 0:
        return None  # N > 0 over D = 0: no finite limit admits this blend
    best = n_val / d_val
    sign = -1.0 if lim.side == "min" else 1.0  # the model minimises
    for _ in range(MAX_DINKELBACH_STEPS):
        try:
            result = prober.solve(others, x_cost=sign * (num - best * den))
        except _Stopped:
            break
        if result.x is None:
            break
        n_val, d_val = _fraction_value(lim, prober.em.charges(result.x))
        if d_val <= 0:
            break
        value = n_val / d_val
        improved = value > best if lim.side == "min" else value < best
        if not improved or abs(value - best) <= FRACTION_RTOL * max(1.0, abs(best)):
            best = value if improved else best
            break
        best = value
    return best


def single_relaxation(prober: _Prober, index: int) -> float | None:
    """How far limit ``index`` alone must move (user units) for the problem to be feasible,
    with every other limit held; None when moving it alone is not enough."""
    em = prober.em
    lim = em.limits[index]
    hard = np.ones(len(em.limits), dtype=bool)
    hard[index] = False
    result = prober.solve(hard, priced=~hard)
    if result.status is Status.INFEASIBLE:
        return None
    assert result.x is not None
    slack = float(prober.slacks(result)[index])
    if lim.fraction is None:
        amount = slack * lim.to_user
        return float(math.ceil(amount - 1e-6)) if lim.kind == "count" else amount
    best = _best_fraction(prober, lim, hard, em.charges(result.x))
    if best is None:
        return None
    return max(0.0, lim.limit - best if lim.side == "min" else best - lim.limit)


# --- the report -------------------------------------------------------------------------


def round_up(value: float, digits: int = DIGITS) -> float:
    """``value`` rounded up to ``digits`` significant digits (0 stays 0)."""
    if value <= 0 or not math.isfinite(value):
        return max(0.0, value)
    exponent = math.floor(math.log10(value)) - digits + 1
    step = 10.0**exponent
    return float(f"{math.ceil(value / step - 1e-9) * step:.{digits}g}")


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _unit(lim: Limit) -> str:
    return {"spec": " %", "material": " t", "lot": " t"}.get(lim.kind, "")


def _what(lim: Limit) -> str:
    bound = "at least" if lim.side == "min" else "at most"
    value = f"{_fmt(lim.limit)}{_unit(lim)}"
    if lim.kind == "spec":
        return f"{lim.subject} {bound} {value} of the product"
    if lim.kind == "ratio":
        return f"ratio {lim.subject} {bound} {value}"
    if lim.kind == "group":
        return f"share of group {lim.subject} {bound} {value}"
    if lim.kind == "material":
        return f"{lim.subject}: {bound} {value} charged"
    if lim.kind == "lot":
        return f"{lim.subject}: if used, at least {value} (lot)"
    if lim.subject == "materials used":
        return f"{bound} {_fmt(lim.limit)} materials used in all"
    return f"{bound} {_fmt(lim.limit)} materials of group {lim.subject} used"


def _message(lim: Limit, relaxation: float | None, computed: bool) -> str:
    text = _what(lim)
    if not computed:
        return text
    if relaxation is None:
        return f"{text}; moving this limit alone is not enough (other conflicts remain)"
    reachable = lim.limit - relaxation if lim.side == "min" else lim.limit + relaxation
    if lim.kind == "count":
        reachable = float(round(reachable))
    best = "at most" if lim.side == "min" else "at least"
    if lim.kind == "lot":
        return f"{text}; the other limits allow {best} {_fmt(max(reachable, 0.0))} t"
    verb = "allow" if lim.side == "min" else "need"
    return f"{text}; the other limits {verb} {best} {_fmt(reachable)}{_unit(lim)}"


def _normalised(lim: Limit, relaxation: float) -> float:
    if lim.kind in ("material", "lot"):
        return relaxation / lim.to_user / lim.scale
    floor = SCALE_FLOOR.get(lim.kind, 1.0)
    return relaxation / max(abs(lim.limit), floor)


def reported(lim: Limit, exact: float | None) -> float | None:
    """The relaxation shown to users: the exact one plus a margin of ``RELAX_MARGIN`` of the
    limit's scale, rounded up.  The exact amount puts the limit on the very edge of what is
    reachable, where a solver's tolerances decide (HiGHS' MIP presolve called such an edge
    case infeasible that CBC and SCIP solved); the margin keeps the advice robust."""
    if exact is None:
        return None
    if lim.kind == "count":
        return float(math.ceil(exact - 1e-6))
    if lim.kind in ("material", "lot"):
        scale = max(abs(lim.limit), exact, MATERIAL_SCALE_FLOOR * lim.to_user)
    else:
        scale = max(abs(lim.limit), exact, SCALE_FLOOR.get(lim.kind, 1.0))
    padded = round_up(exact + RELAX_MARGIN * scale)
    # A min never needs to go below 0: every share, ratio and mass is non-negative.
    return min(padded, lim.limit) if lim.side == "min" else padded


def _conflict(lim: Limit, shown: float | None, computed: bool) -> dict[str, Any]:
    """One conflicting limit as reported (``shown``: its relaxation, from ``reported``)."""
    entry: dict[str, Any] = {
        "constraint": lim.constraint,
        "message": _message(lim, shown, computed),
        "limit": lim.limit,
        "relaxation": shown,
    }
    if shown is not None:
        moved = lim.limit - shown if lim.side == "min" else lim.limit + shown
        entry["relaxed_limit"] = float(f"{max(0.0, moved):.12g}")
    if lim.unit:
        entry["unit"] = lim.unit
    return entry


def _summary(
    limits: list[Limit], relax: list[float | None], complete: bool, total: float
) -> str:
    members = len(limits)
    head = (f"these {members} limits cannot all hold; dropping any one of them removes this "
            "conflict" if members > 1 else "this limit cannot hold on its own")
    options = [(i, r) for i, r in enumerate(relax) if r is not None]
    if options:
        i, r = min(options, key=lambda item: _normalised(limits[item[0]], item[1]))
        lim = limits[i]
        unit = {"spec": " % points", "material": " t", "lot": " t", "count": ""}.get(lim.kind, "")
        head += f"; cheapest single fix: move {lim.constraint} by {_fmt(r)}{unit}"
    elif complete:
        head += "; no single limit's move is enough: other conflicts remain"
    if any(lim.kind in ("material", "lot") for lim in limits):
        head += f" (the product total of {_fmt(total)} t is held fixed)"
    return head


def _combined(prober: _Prober, result: LinearResult) -> list[dict[str, Any]]:
    """The cheapest combined relaxation (first elastic solve), when nothing better exists."""
    assert result.x is not None
    slacks = prober.slacks(result)
    x = prober.em.charges(result.x)
    out = []
    for i in np.flatnonzero(slacks > SLACK_TOL):
        lim = prober.em.limits[i]
        if lim.fraction is None:
            amount = float(slacks[i]) * lim.to_user
        else:
            den = float(lim.fraction[1] @ x)
            if den <= 0:
                continue
            amount = float(slacks[i]) / den
        out.append(_conflict(lim, reported(lim, amount), computed=False))
    return out


def diagnose(
    problem: BlendProblem, backend: Backend, ctx: SolveContext, expected: float = 0.0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``analysis["diagnosis"]`` of an infeasible blend, and stats on how it was found.

    ``expected`` is how long one LP solve of this blend takes on ``backend`` (if known):
    no solve is started that would end past the deadline.  Never raises for solver
    trouble or lack of time: the diagnosis then says what is missing.  Timings go to the
    stats, so the diagnosis itself is reproducible.
    """
    started = time.monotonic()
    method = f"elastic filter and deletion filter ({backend.name})"
    stopped = _no_time_for(ctx, expected)
    if stopped is not None:  # not even worth building the elastic model
        return _stopped_report(stopped, method, 0, started)
    lp = _Prober(build_elastic(problem, integer=False), backend, ctx, expected)
    # Relaxations must restore the whole problem, lots and counts included.
    full = _Prober(build_elastic(problem, integer=True), backend, ctx, expected) \
        if problem.needs_integer else lp
    search, where = lp, "the LP"
    try:
        if full is not lp:
            if lp.feasible(np.ones(len(lp.em.limits), bool)):
                search, where = full, "the MILP"  # the conflict involves lots or counts
            else:
                where = "the continuous part (LP), relaxations on the MILP"
    except _Stopped as exc:
        return _stopped_report(exc, method, lp.solves, started)
    method = f"elastic filter and deletion filter on {where} ({backend.name})"
    ctx.log(f"blend diagnosis: {len(search.em.limits)} relaxable limits, on {where}")

    def solves() -> int:
        return lp.solves + (full.solves if full is not lp else 0)

    try:
        members = deletion_filter(search, elastic_filter(search))
    except _Stopped as exc:
        report, stats = _stopped_report(exc, method, solves(), started)
        if search.first is not None:
            report["conflicts"] = _combined(search, search.first)
        if report["conflicts"]:
            report["summary"] += (
                "; relaxing the limits below together by the amounts shown restores "
                "feasibility (the set is not minimised)")
        return report, stats
    chosen = [search.em.limits[i] for i in np.flatnonzero(members)]
    relax, complete = _relaxations(full, chosen)
    computed = len(relax)
    relax.extend([None] * (len(chosen) - computed))
    shown = [reported(lim, r) for lim, r in zip(chosen, relax, strict=True)]
    conflicts = [_conflict(lim, r, j < computed) for j, (lim, r) in enumerate(
        zip(chosen, shown, strict=True))]
    summary = _summary(chosen, shown, complete, problem.total)
    if not complete:
        summary += "; ran out of time before every relaxation was computed"
    elif computed < len(chosen):
        summary += f"; relaxations computed for the first {computed} of {len(chosen)} limits"
    report = {"summary": summary, "conflicts": conflicts, "method": method,
              "complete": complete}
    return report, _stats(solves(), started)


def _relaxations(prober: _Prober, chosen: list[Limit]) -> tuple[list[float | None], bool]:
    """Single relaxations of the first ``MAX_RELAXATIONS`` conflicting limits, on the
    prober's model (found by name: the conflict may come from the LP part); False when
    time ran out first."""
    index = {lim.constraint: i for i, lim in enumerate(prober.em.limits)}
    relax: list[float | None] = []
    for lim in chosen[:MAX_RELAXATIONS]:
        try:
            relax.append(single_relaxation(prober, index[lim.constraint]))
        except _Stopped:
            return relax, False
    return relax, True


def _stats(solves: int, started: float) -> dict[str, Any]:
    return {"diagnosis_solves": solves, "diagnosis_time_s": time.monotonic() - started}


def _stopped_report(
    stopped: _Stopped, method: str, solves: int, started: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    advice = "; rerun with a longer --time-limit to find the conflicting limits"
    report: dict[str, Any] = {
        "summary": f"the diagnosis stopped early ({stopped})"
                   + (advice if stopped.out_of_time else ""),
        "conflicts": [],
        "method": method,
        "complete": False,
    }
    return report, _stats(solves, started)
