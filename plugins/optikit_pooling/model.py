"""The parsed pooling problem: nodes, arcs and qualities as arrays, checked once.

Qualities are held in *index space*: a quality with ``index_power`` p blends as value**p,
so inputs' values and product specs are raised to p here and every model and the checker
work with flow-weighted means of index values.  ``to_units`` turns an index back into the
quality's own units for reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.types import InvalidProblem
from optikit.units import currency_of
from optikit_pooling.periods import (
    Periods,
    node_ranges,
    number,
    parse_periods,
    per_period,
    period_names,
    refuse_single_period_keys,
)

INF = float("inf")


@dataclass(frozen=True)
class Arc:
    """One arc of the network; ``kind`` is ``il`` (input->pool), ``lj`` or ``ij``."""

    index: int  # position in the document's ``arcs``
    kind: str
    tail: int  # index of the input (il, ij) or pool (lj)
    head: int  # index of the pool (il) or product (lj, ij)
    source: str
    target: str
    max: float
    cost: float
    fixed_cost: float
    fraction: float


@dataclass
class PoolingProblem:
    """A pooling network with quality specs; profit is maximised."""

    name: str
    qualities: list[str]
    units: list[str]
    power: NDArray[np.float64]
    flow_unit: str
    money_unit: str
    input_ids: list[str]
    input_cost: NDArray[np.float64]
    input_min: NDArray[np.float64]
    input_max: NDArray[np.float64]
    lam: NDArray[np.float64]  # inputs x qualities, index space
    pool_ids: list[str]
    pool_cap: NDArray[np.float64]
    pool_min: NDArray[np.float64]
    pool_fixed: NDArray[np.float64]
    product_ids: list[str]
    price: NDArray[np.float64]
    demand_min: NDArray[np.float64]
    demand_max: NDArray[np.float64]
    spec_min: NDArray[np.float64]  # products x qualities, index space, -inf if none
    spec_max: NDArray[np.float64]  # +inf if none
    il: list[Arc] = field(default_factory=list)
    lj: list[Arc] = field(default_factory=list)
    ij: list[Arc] = field(default_factory=list)
    periods: Periods | None = None  # several periods with tank stocks (periods.py)
    currency: str = ""  # of money amounts, for reports (optikit.units)

    @property
    def arcs(self) -> list[Arc]:
        return [*self.il, *self.lj, *self.ij]

    @property
    def needs_integer(self) -> bool:
        return bool(
            any(a.fixed_cost > 0 for a in self.arcs)
            or np.any(self.pool_fixed > 0)
            or np.any(self.pool_min > 0)
            or (self.periods is not None and np.any(self.periods.exclusive))
        )

    def pool_uses_binary(self, pool: int) -> bool:
        return bool(self.pool_fixed[pool] > 0 or self.pool_min[pool] > 0)

    def to_units(self, k: int, index_value: float) -> float:
        """An index value of quality ``k`` in the quality's own units."""
        p = float(self.power[k])
        if p == 1.0:
            return index_value
        return float(max(index_value, 0.0) ** (1.0 / p))

    def effective_capacity(self) -> NDArray[np.float64]:
        """Each pool's largest possible throughput from every bound the data gives."""
        cap = self.pool_cap.copy()
        for pool in range(len(self.pool_ids)):
            outs = [a for a in self.lj if a.tail == pool]
            ins = [a for a in self.il if a.head == pool]
            out_room = sum(min(a.max, self.demand_max[a.head]) for a in outs)
            in_room = sum(min(a.max, self.input_max[a.tail]) for a in ins)
            cap[pool] = min(cap[pool], out_room, in_room)
        return cap


def _ids(items: Sequence[Mapping[str, Any]], key: str, seen: dict[str, str]) -> list[str]:
    ids: list[str] = []
    for n, item in enumerate(items):
        node = str(item["id"])
        if node in seen:
            raise InvalidProblem(f"{key}[{n}].id", f"id {node!r} is already used by {seen[node]}")
        seen[node] = f"{key}[{n}]"
        ids.append(node)
    return ids


def _qualities(document: Mapping[str, Any]) -> tuple[list[str], list[str], list[float]]:
    names: list[str] = []
    units: list[str] = []
    power: list[float] = []
    for n, entry in enumerate(document["qualities"]):
        if isinstance(entry, str):
            name, unit, p = entry, "", 1.0
        else:
            name, unit, p = entry["name"], entry.get("unit", ""), float(entry.get("index_power", 1))
        if name in names:
            raise InvalidProblem(f"qualities[{n}]", f"quality {name!r} is listed twice")
        names.append(name)
        units.append(unit)
        power.append(p)
    return names, units, power


def _quality_row(
    values: Mapping[str, Any], names: list[str], power: list[float], where: str,
    *, every: bool, fill: float,
) -> list[float]:
    for key in values:
        if key not in names:
            raise InvalidProblem(f"{where}.{key}", f"unknown quality {key!r} (known: "
                                 f"{', '.join(names)})")
    row: list[float] = []
    for name, p in zip(names, power, strict=True):
        if name not in values:
            if every:
                raise InvalidProblem(where, f"missing a value for quality {name!r}")
            row.append(fill)
            continue
        value = number(values[name], f"{where}.{name}")
        if p != 1.0 and value < 0:
            raise InvalidProblem(f"{where}.{name}", f"{value:g} is negative; quality {name!r} "
                                 "blends by a power index and needs values >= 0")
        row.append(value**p if p != 1.0 else value)
    return row


def parse(document: Mapping[str, Any]) -> PoolingProblem:
    """The document (already schema-valid) as a :class:`PoolingProblem`."""
    names, units, power = _qualities(document)
    periods = period_names(document)
    if periods is None:
        refuse_single_period_keys(document)
    count = None if periods is None else len(periods)
    seen: dict[str, str] = {}
    inputs = document["inputs"]
    pools = document.get("pools", [])
    products = document["products"]
    input_ids = _ids(inputs, "inputs", seen)
    pool_ids = _ids(pools, "pools", seen)
    product_ids = _ids(products, "products", seen)

    lam = [_quality_row(item["quality"], names, power, f"inputs[{n}].quality",
                        every=True, fill=0.0) for n, item in enumerate(inputs)]
    supply = node_ranges(inputs, "inputs", count)
    demand = node_ranges(products, "products", count)
    pool_min = [number(p.get("min", 0.0), f"pools[{n}].min") for n, p in enumerate(pools)]
    pool_cap = [number(p.get("capacity", INF), f"pools[{n}].capacity")
                for n, p in enumerate(pools)]
    for n, (low, cap) in enumerate(zip(pool_min, pool_cap, strict=True)):
        if low > cap:
            raise InvalidProblem(f"pools[{n}].min", f"minimum fill {low:g} is above the "
                                 f"capacity {cap:g}")
    spec_min = [_quality_row(item.get("quality_min", {}), names, power,
                             f"products[{n}].quality_min", every=False, fill=-INF)
                for n, item in enumerate(products)]
    spec_max = [_quality_row(item.get("quality_max", {}), names, power,
                             f"products[{n}].quality_max", every=False, fill=INF)
                for n, item in enumerate(products)]
    for n in range(len(products)):
        for k, name in enumerate(names):
            if spec_min[n][k] > spec_max[n][k]:
                raise InvalidProblem(f"products[{n}].quality_min.{name}",
                                     "the minimum is above the maximum")

    problem = PoolingProblem(
        name=str(document.get("name", "")),
        qualities=names, units=units, power=np.array(power, dtype=np.float64),
        flow_unit=str(document.get("units", {}).get("flow", "")),
        # `currency` (every cost-bearing type has it) wins over the older units.money
        money_unit=currency_of(document) or str(document.get("units", {}).get("money", "")),
        currency=currency_of(document),
        input_ids=input_ids,
        input_cost=np.array([per_period(i, "cost", f"inputs[{n}]", count, 0.0)[0]
                             for n, i in enumerate(inputs)], dtype=np.float64),
        input_min=np.array([low[0] for low in supply[0]], dtype=np.float64),
        input_max=np.array([high[0] for high in supply[1]], dtype=np.float64),
        lam=np.array(lam, dtype=np.float64).reshape(len(inputs), len(names)),
        pool_ids=pool_ids,
        pool_cap=np.array(pool_cap, dtype=np.float64),
        pool_min=np.array(pool_min, dtype=np.float64),
        pool_fixed=np.array([float(p.get("fixed_cost", 0.0)) for p in pools], dtype=np.float64),
        product_ids=product_ids,
        price=np.array([per_period(p, "price", f"products[{n}]", count, 0.0)[0]
                        for n, p in enumerate(products)], dtype=np.float64),
        demand_min=np.array([low[0] for low in demand[0]], dtype=np.float64),
        demand_max=np.array([high[0] for high in demand[1]], dtype=np.float64),
        spec_min=np.array(spec_min, dtype=np.float64).reshape(len(products), len(names)),
        spec_max=np.array(spec_max, dtype=np.float64).reshape(len(products), len(names)),
    )
    _arcs(problem, document["arcs"])
    if periods is not None:
        lam_arr = problem.lam

        def quality(values: Mapping[str, Any], where: str) -> list[float]:
            return _quality_row(values, names, power, where, every=True, fill=0.0)

        problem.periods = parse_periods(document, periods, input_ids, lam_arr, quality,
                                        {"inputs": supply, "products": demand})
    return problem


def _arcs(problem: PoolingProblem, arcs: Sequence[Mapping[str, Any]]) -> None:
    index = {
        **{n: ("input", i) for i, n in enumerate(problem.input_ids)},
        **{n: ("pool", i) for i, n in enumerate(problem.pool_ids)},
        **{n: ("product", i) for i, n in enumerate(problem.product_ids)},
    }
    pairs: dict[tuple[str, str], int] = {}
    for n, item in enumerate(arcs):
        where = f"arcs[{n}]"
        source, target = str(item["from"]), str(item["to"])
        for end, node in (("from", source), ("to", target)):
            if node not in index:
                raise InvalidProblem(f"{where}.{end}", f"unknown node {node!r}")
        if (source, target) in pairs:
            raise InvalidProblem(where, f"arc {source} -> {target} repeats "
                                 f"arcs[{pairs[source, target]}]")
        pairs[source, target] = n
        (tail_kind, tail), (head_kind, head) = index[source], index[target]
        kind = {("input", "pool"): "il", ("pool", "product"): "lj",
                ("input", "product"): "ij"}.get((tail_kind, head_kind))
        if kind is None:
            raise InvalidProblem(where, f"a {tail_kind} -> {head_kind} arc is not allowed "
                                 "(input -> pool, pool -> product, input -> product)")
        fraction = number(item.get("fraction", 1.0), f"{where}.fraction")
        if "fraction" in item and kind != "il":
            raise InvalidProblem(f"{where}.fraction", "only input -> pool arcs take a fraction")
        if kind == "il" and fraction == 0.0:
            continue  # the input may never enter this pool: no arc
        arc = Arc(index=n, kind=kind, tail=tail, head=head, source=source, target=target,
                  max=number(item.get("max", INF), f"{where}.max"),
                  cost=number(item.get("cost", 0.0), f"{where}.cost"),
                  fixed_cost=number(item.get("fixed_cost", 0.0), f"{where}.fixed_cost"),
                  fraction=fraction)
        getattr(problem, kind).append(arc)
