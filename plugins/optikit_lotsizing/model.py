"""The parsed lot-sizing problem: numpy arrays indexed by item, resource and period.

``parse`` runs after JSON Schema validation and checks what a schema cannot: unique ids,
references, list lengths, an acyclic bill of materials, price breaks in order, and rules
that would make the document ambiguous (backlog on a component, backlog with a safety
stock).  Every error names its field the way users read it (``items[3].demand``).

Periods are 0-based inside (``t = 0..T-1``) and 1-based in documents and payloads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.types import InvalidProblem
from optikit.units import currency_of

#: Largest instance accepted (the bill of materials is held as a dense items x items
#: matrix, demand and plans as items x periods): far above plant scale, far below what
#: would exhaust memory.
MAX_ITEMS = 5000
MAX_CELLS = 2_000_000  # items x periods


@dataclass(frozen=True)
class Source:
    """One supplier offer for one item (all-units price breaks, MOQ, multiple)."""

    item: int
    supplier: str
    lead_time: int
    order_cost: float
    min_order: float
    multiple: float  # 0: any quantity
    break_from: NDArray[np.float64]  # ascending; the first may be > 0 (acts as a MOQ)
    break_price: NDArray[np.float64]  # non-increasing

    def price(self, quantity: float) -> float | None:
        """Unit price of an order of ``quantity`` (None below the first break)."""
        k = int(np.searchsorted(self.break_from, quantity * (1 + 1e-12) + 1e-9, "right")) - 1
        return None if k < 0 else float(self.break_price[k])

    @property
    def needs_integer(self) -> bool:
        return bool(self.order_cost > 0 or self.min_order > 0 or self.multiple > 0
                    or self.break_from.size > 1 or self.break_from[0] > 0)


@dataclass(frozen=True)
class LotSizingProblem:
    """A lot-sizing instance ready for the formulations and the checker."""

    name: str
    periods: int
    ids: tuple[str, ...]
    resource_ids: tuple[str, ...]
    holding: NDArray[np.float64]  # (n,)
    initial: NDArray[np.float64]  # (n,)
    safety: NDArray[np.float64]  # (n,)
    demand: NDArray[np.float64]  # (n, T)
    backlog_cost: NDArray[np.float64]  # (n,), nan: no backlog
    lead: NDArray[np.int64]  # (n,) production lead time
    produced: NDArray[np.bool_]  # (n,) has a production routing
    bom: NDArray[np.float64]  # (n, n): bom[c, p] units of c per unit of p
    capacity: NDArray[np.float64]  # (m, T)
    overtime_max: NDArray[np.float64]  # (m, T)
    overtime_cost: NDArray[np.float64]  # (m,)
    time_per_unit: NDArray[np.float64]  # (n, m)
    setup_time: NDArray[np.float64]  # (n, m)
    setup_cost_rm: NDArray[np.float64]  # (n, m)
    uses: NDArray[np.bool_]  # (n, m) item's routing includes the resource
    sources: tuple[Source, ...]
    order: tuple[int, ...]  # items, parents before their components
    currency: str = ""  # of money amounts, for reports (optikit.units)

    @property
    def num_items(self) -> int:
        return len(self.ids)

    @property
    def num_resources(self) -> int:
        return len(self.resource_ids)

    @cached_property
    def index(self) -> dict[str, int]:
        return {item: i for i, item in enumerate(self.ids)}

    @cached_property
    def setup_cost(self) -> NDArray[np.float64]:
        """Cost of one setup of each item (summed over its resources)."""
        return np.asarray(self.setup_cost_rm.sum(axis=1), dtype=np.float64)

    @cached_property
    def purchased(self) -> NDArray[np.bool_]:
        mask = np.zeros(self.num_items, dtype=bool)
        for source in self.sources:
            mask[source.item] = True
        return mask

    @property
    def backlog(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.backlog_cost)

    @property
    def levels(self) -> int:
        """Number of BOM levels (1 without a bill of materials)."""
        depth = np.ones(self.num_items, dtype=np.int64)
        for p in self.order:
            for c in np.flatnonzero(self.bom[:, p]):
                depth[c] = max(depth[c], depth[p] + 1)
        return int(depth.max()) if depth.size else 0

    @property
    def needs_integer(self) -> bool:
        return bool(self.produced.any() or any(s.needs_integer for s in self.sources))


# --- parsing ----------------------------------------------------------------------------


def _per_period(value: Any, periods: int, field: str) -> NDArray[np.float64]:
    if isinstance(value, list):
        if len(value) != periods:
            raise InvalidProblem(field, f"has {len(value)} values, periods is {periods}")
        return np.asarray(value, dtype=np.float64)
    return np.full(periods, float(value))


def _unique(ids: Sequence[str], what: str) -> dict[str, int]:
    seen: dict[str, int] = {}
    for k, key in enumerate(ids):
        if key in seen:
            raise InvalidProblem(f"{what}[{k}].id", f"duplicate id {key!r}")
        seen[key] = k
    return seen


def _topological(bom: NDArray[np.float64], ids: Sequence[str]) -> tuple[int, ...]:
    """Items with every parent before its components; a cycle is an error."""
    n = len(ids)
    parents_left = (bom > 0).sum(axis=1)  # per component, parents not yet placed
    ready = [i for i in range(n) if parents_left[i] == 0]
    order: list[int] = []
    while ready:
        p = ready.pop()
        order.append(p)
        for c in np.flatnonzero(bom[:, p]):
            parents_left[c] -= 1
            if parents_left[c] == 0:
                ready.append(int(c))
    if len(order) < n:
        stuck = next(i for i in range(n) if i not in set(order))
        raise InvalidProblem(f"items[{stuck}].components",
                             f"the bill of materials has a cycle through {ids[stuck]!r}")
    return tuple(order)


def _source(item: int, where: str, raw: Mapping[str, Any]) -> Source:
    breaks = raw.get("price_breaks")
    if breaks is not None and "unit_price" in raw:
        raise InvalidProblem(where, "give unit_price or price_breaks, not both")
    if breaks is None:
        starts = np.zeros(1)
        prices = np.array([float(raw.get("unit_price", 0.0))])
    else:
        starts = np.array([float(b["min_quantity"]) for b in breaks])
        prices = np.array([float(b["price"]) for b in breaks])
        if np.any(np.diff(starts) <= 0):
            raise InvalidProblem(f"{where}.price_breaks", "min_quantity must strictly ascend")
        if np.any(np.diff(prices) > 0):
            raise InvalidProblem(f"{where}.price_breaks",
                                 "prices must not rise with the quantity (all-units breaks)")
    return Source(
        item=item,
        supplier=str(raw["supplier"]),
        lead_time=int(raw.get("lead_time", 0)),
        order_cost=float(raw.get("order_cost", 0.0)),
        min_order=float(raw.get("min_order", 0.0)),
        multiple=float(raw.get("order_multiple", 0.0)),
        break_from=starts,
        break_price=prices,
    )


def _resources(
    document: Mapping[str, Any], periods: int
) -> tuple[list[str], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    raw = document.get("resources") or []
    ids = [str(r["id"]) for r in raw]
    _unique(ids, "resources")
    m = len(ids)
    capacity = np.zeros((m, periods))
    ot_max = np.zeros((m, periods))
    ot_cost = np.zeros(m)
    for r, res in enumerate(raw):
        capacity[r] = _per_period(res["capacity"], periods, f"resources[{r}].capacity")
        if "overtime" in res:
            ot_max[r] = _per_period(res["overtime"]["max"], periods,
                                    f"resources[{r}].overtime.max")
            ot_cost[r] = float(res["overtime"]["cost"])
    return ids, capacity, ot_max, ot_cost


def parse(document: Mapping[str, Any]) -> LotSizingProblem:
    """Document (already schema-valid) -> :class:`LotSizingProblem`."""
    periods = int(document["periods"])
    res_ids, capacity, ot_max, ot_cost = _resources(document, periods)
    res_index = {r: k for k, r in enumerate(res_ids)}
    items = document["items"]
    if len(items) > MAX_ITEMS:
        raise InvalidProblem("items", f"{len(items)} items; at most {MAX_ITEMS} are supported")
    if len(items) * periods > MAX_CELLS:
        raise InvalidProblem("periods", f"{len(items)} items x {periods} periods exceeds "
                             f"{MAX_CELLS:,} item-periods")
    ids = [str(it["id"]) for it in items]
    index = _unique(ids, "items")
    n, m = len(ids), len(res_ids)
    holding, initial, safety = np.zeros(n), np.zeros(n), np.zeros(n)
    demand = np.zeros((n, periods))
    backlog = np.full(n, np.nan)
    lead = np.zeros(n, dtype=np.int64)
    produced = np.zeros(n, dtype=bool)
    bom = np.zeros((n, n))
    a, st, sc = np.zeros((n, m)), np.zeros((n, m)), np.zeros((n, m))
    uses = np.zeros((n, m), dtype=bool)
    sources: list[Source] = []
    for i, it in enumerate(items):
        where = f"items[{i}]"
        holding[i] = float(it.get("holding_cost", 0.0))
        initial[i] = float(it.get("initial_stock", 0.0))
        safety[i] = float(it.get("safety_stock", 0.0))
        if "demand" in it:
            demand[i] = _per_period(list(it["demand"]), periods, f"{where}.demand")
        if "backlog_cost" in it:
            if safety[i] > 0:
                raise InvalidProblem(f"{where}.backlog_cost",
                                     "an item with a safety stock cannot be backlogged")
            backlog[i] = float(it["backlog_cost"])
        lead[i] = int(it.get("lead_time", 0))
        if lead[i] >= periods:
            raise InvalidProblem(f"{where}.lead_time",
                                 f"{lead[i]} periods leaves no period to produce in")
        for k, route in enumerate(it.get("production") or []):
            r = res_index.get(route["resource"])
            if r is None:
                raise InvalidProblem(f"{where}.production[{k}].resource",
                                     f"unknown resource {route['resource']!r}")
            if uses[i, r]:
                raise InvalidProblem(f"{where}.production[{k}].resource",
                                     f"resource {route['resource']!r} listed twice")
            uses[i, r] = True
            a[i, r] = float(route.get("time_per_unit", 0.0))
            st[i, r] = float(route.get("setup_time", 0.0))
            sc[i, r] = float(route.get("setup_cost", 0.0))
        produced[i] = bool(uses[i].any())
        for k, comp in enumerate(it.get("components") or []):
            c = index.get(comp["item"])
            if c is None:
                raise InvalidProblem(f"{where}.components[{k}].item",
                                     f"unknown item {comp['item']!r}")
            if c == i:
                raise InvalidProblem(f"{where}.components[{k}].item", "an item cannot contain "
                                     "itself")
            if bom[c, i] > 0:
                raise InvalidProblem(f"{where}.components[{k}].item",
                                     f"component {comp['item']!r} listed twice")
            bom[c, i] = float(comp["quantity"])
        if bom[:, i].any() and not produced[i]:
            raise InvalidProblem(f"{where}.components",
                                 "an item with components needs a production routing")
        suppliers: set[str] = set()
        for k, raw in enumerate(it.get("sources") or []):
            source = _source(i, f"{where}.sources[{k}]", raw)
            if source.supplier in suppliers:
                raise InvalidProblem(f"{where}.sources[{k}].supplier",
                                     f"supplier {source.supplier!r} listed twice")
            if source.lead_time >= periods:
                raise InvalidProblem(f"{where}.sources[{k}].lead_time",
                                     f"{source.lead_time} periods: nothing can arrive in time")
            suppliers.add(source.supplier)
            sources.append(source)
    for i in range(n):
        if not np.isnan(backlog[i]) and bom[i].any():
            raise InvalidProblem(f"items[{i}].backlog_cost",
                                 "a component (used in another item) cannot be backlogged")
    order = _topological(bom, ids)
    return LotSizingProblem(
        name=str(document.get("name", "")),
        currency=currency_of(document),
        periods=periods,
        ids=tuple(ids),
        resource_ids=tuple(res_ids),
        holding=holding,
        initial=initial,
        safety=safety,
        demand=demand,
        backlog_cost=backlog,
        lead=lead,
        produced=produced,
        bom=bom,
        capacity=capacity,
        overtime_max=ot_max,
        overtime_cost=ot_cost,
        time_per_unit=a,
        setup_time=st,
        setup_cost_rm=sc,
        uses=uses,
        sources=tuple(sources),
        order=order,
    )
