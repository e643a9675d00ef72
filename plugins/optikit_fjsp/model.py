"""The parsed ``fjsp`` problem: the shared shop plus the objective, and a flat index of it.

Algorithms (heuristic, CP-SAT models, LNS, MILP) work on :class:`FlatShop`, a
0-based array view of the operations, because every one of them walks operations and
modes in tight loops; ids only appear again when a payload is written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

from optikit import scheduling
from optikit.scheduling import ScheduledOperation, Shop
from optikit.types import InvalidProblem
from optikit_fjsp.batching import Batching, parse_batching

OBJECTIVE_TERMS = ("makespan", "total_weighted_tardiness")


@dataclass(frozen=True)
class Objective:
    """``makespan_weight * makespan + tardiness_weight * total weighted tardiness``."""

    makespan_weight: float = 1.0
    tardiness_weight: float = 0.0

    @property
    def uses_tardiness(self) -> bool:
        return self.tardiness_weight > 0

    @property
    def is_makespan(self) -> bool:
        """Pure makespan: the case the Brandimarte benchmarks and the LNS tune for."""
        return self.tardiness_weight == 0 and self.makespan_weight > 0

    def value(self, makespan: float, tardiness: float) -> float:
        return self.makespan_weight * makespan + self.tardiness_weight * tardiness

    def describe(self) -> str | dict[str, float]:
        if self.tardiness_weight == 0 and self.makespan_weight == 1:
            return "makespan"
        if self.makespan_weight == 0 and self.tardiness_weight == 1:
            return "total_weighted_tardiness"
        return {"makespan": self.makespan_weight, "total_weighted_tardiness": self.tardiness_weight}


def parse_objective(value: Any) -> Objective:
    """Read the contract's ``objective``: a term name or a ``{term: weight}`` mix."""
    if value is None or value == "makespan":
        return Objective(1.0, 0.0)
    if value == "total_weighted_tardiness":
        return Objective(0.0, 1.0)
    if isinstance(value, str):
        raise InvalidProblem(
            "objective", f"unknown objective {value!r}; use one of {', '.join(OBJECTIVE_TERMS)}"
        )
    if not isinstance(value, Mapping) or not value:
        raise InvalidProblem("objective", "must be a term name or a non-empty {term: weight} map")
    weights: dict[str, float] = {}
    for key, w in value.items():
        if key not in OBJECTIVE_TERMS:
            raise InvalidProblem(
                f"objective.{key}", f"unknown term; use one of {', '.join(OBJECTIVE_TERMS)}"
            )
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
            raise InvalidProblem(f"objective.{key}", "weight must be a finite number >= 0")
        weights[key] = float(w)
    if not any(weights.values()):
        raise InvalidProblem("objective", "at least one weight must be > 0")
    return Objective(weights.get("makespan", 0.0), weights.get("total_weighted_tardiness", 0.0))


@dataclass(frozen=True)
class FlatShop:
    """Operations numbered 0..n-1 job by job, with their modes and job neighbours.

    ``setup[m]`` is a product x product matrix of changeover times on machine ``m``
    (``None`` when the machine has no setups); ``product[j]`` indexes it (-1: no product).
    """

    num_jobs: int
    num_machines: int
    op_job: tuple[int, ...]
    op_index: tuple[int, ...]
    job_ops: tuple[tuple[int, ...], ...]
    modes: tuple[tuple[tuple[int, int], ...], ...]
    release: tuple[int, ...]
    due: tuple[int | None, ...]
    weight: tuple[float, ...]
    product: tuple[int, ...]
    setup: tuple[tuple[tuple[int, ...], ...] | None, ...]

    @property
    def num_ops(self) -> int:
        return len(self.op_job)

    def prev_op(self, g: int) -> int:
        """The job predecessor of operation ``g``, or -1 for a first operation."""
        return -1 if self.op_index[g] == 0 else g - 1

    def next_op(self, g: int) -> int:
        """The job successor of operation ``g``, or -1 for a last operation."""
        return g + 1 if g + 1 < self.num_ops and self.op_job[g + 1] == self.op_job[g] else -1

    def setup_between(self, machine: int, job_a: int, job_b: int) -> int:
        table = self.setup[machine]
        if table is None:
            return 0
        pa, pb = self.product[job_a], self.product[job_b]
        if pa < 0 or pb < 0:
            return 0
        return table[pa][pb]


def flatten(shop: Shop) -> FlatShop:
    products = sorted({j.product for j in shop.jobs if j.product is not None})
    code = {p: i for i, p in enumerate(products)}
    op_job: list[int] = []
    op_index: list[int] = []
    job_ops: list[tuple[int, ...]] = []
    modes: list[tuple[tuple[int, int], ...]] = []
    for j, job in enumerate(shop.jobs):
        first = len(op_job)
        for o, op in enumerate(job.operations):
            op_job.append(j)
            op_index.append(o)
            modes.append(tuple((md.machine, md.duration) for md in op.modes))
        job_ops.append(tuple(range(first, len(op_job))))
    setup: list[tuple[tuple[int, ...], ...] | None] = []
    for m in range(len(shop.machines)):
        rows = [[0] * len(products) for _ in products]
        any_setup = False
        for (mm, a, b), t in shop.setups.items():
            if mm == m and t > 0:
                rows[code[a]][code[b]] = t
                any_setup = True
        setup.append(tuple(tuple(r) for r in rows) if any_setup else None)
    return FlatShop(
        num_jobs=len(shop.jobs),
        num_machines=len(shop.machines),
        op_job=tuple(op_job),
        op_index=tuple(op_index),
        job_ops=tuple(job_ops),
        modes=tuple(modes),
        release=tuple(j.release for j in shop.jobs),
        due=tuple(j.due for j in shop.jobs),
        weight=tuple(j.weight for j in shop.jobs),
        product=tuple(-1 if j.product is None else code[j.product] for j in shop.jobs),
        setup=tuple(setup),
    )


@dataclass(frozen=True)
class FjspProblem:
    """A parsed ``fjsp`` document."""

    shop: Shop
    objective: Objective = field(default_factory=Objective)
    name: str = ""
    # Batch machines and operation families/sizes; None when no machine batches.
    batching: Batching | None = None
    # The document's `time_unit` (a label for reports; '' when not given).
    time_unit: str = ""

    @cached_property
    def flat(self) -> FlatShop:
        return flatten(self.shop)

    @property
    def has_setups(self) -> bool:
        return self.shop.has_setups

    def evaluate(self, schedule: Sequence[ScheduledOperation]) -> tuple[float, int, float]:
        """(objective, makespan, total weighted tardiness) of an indexed schedule."""
        ms = scheduling.makespan(schedule)
        twt = scheduling.weighted_tardiness(self.shop, schedule)
        return self.objective.value(ms, twt), ms, twt


def parse(document: Mapping[str, Any]) -> FjspProblem:
    """Document -> :class:`FjspProblem`; rules a schema cannot say raise InvalidProblem."""
    shop = scheduling.parse_shop(document)
    objective = parse_objective(document.get("objective"))
    if objective.uses_tardiness and not any(j.due is not None for j in shop.jobs):
        raise InvalidProblem(
            "objective", "total_weighted_tardiness needs a `due` date on at least one job"
        )
    batching = parse_batching(shop, document)
    return FjspProblem(shop, objective, str(document.get("name", "")), batching,
                       str(document.get("time_unit") or ""))


def integer_weights(values: Sequence[float], limit: int = 1 << 40) -> tuple[list[int], float, bool]:
    """Scale non-negative weights to integers for CP-SAT and MILP objectives.

    Returns ``(integers, scale, exact)`` with ``integers[i] ~= values[i] * scale``.
    ``exact`` is False when the weights have no small common denominator and had to be
    rounded; a bound proven on rounded weights is then not a bound on the true objective.
    """
    fractions = [Fraction(v).limit_denominator(10**6) for v in values]
    exact = all(
        abs(float(f) - v) <= 1e-12 * max(1.0, abs(v))
        for f, v in zip(fractions, values, strict=True)
    )
    if exact:
        lcm = 1
        for f in fractions:
            lcm = lcm * f.denominator // math.gcd(lcm, f.denominator)
        ints = [int(f * lcm) for f in fractions]
        if max(ints, default=0) <= limit:
            divisor = 0
            for i in ints:
                divisor = math.gcd(divisor, i)
            divisor = max(divisor, 1)
            return [i // divisor for i in ints], lcm / divisor, True
    top = max(values, default=1.0) or 1.0
    scale = 1e6 / top
    return [round(v * scale) for v in values], scale, False
