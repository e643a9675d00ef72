"""The multi-period extension of a pooling document: periods, tank stocks, per-period data.

A document with ``periods`` (a count or a list of names) plans several periods; pools
then are tanks that carry stock from one period to the next.  Per-period data (an input's
``cost``/``min``/``max``, a product's ``price``/``min``/``max``) may be a list with one
value per period; a single number holds for every period.  A pool's ``inventory`` gives
its opening stock (``initial`` with its ``quality`` or its ``composition`` in inputs),
the bounds on its closing stock per period (``min``/``max``) and a ``holding_cost`` per
unit of closing stock and period; ``receive_and_discharge: false`` forbids a tank to both
receive and discharge in one period.  Timing within a period: receipts mix with the
opening stock, then the tank discharges at the mixed quality; ``capacity`` bounds the
opening stock plus receipts (the tank's size).  A ``fixed_cost`` (arc or pool) is paid in
each period the arc carries flow or the tank receives or discharges.  A pool's ``min``
(minimum fill) is a least batch: in each period the tank receives nothing or at least
``min`` units, and discharges nothing or at least ``min`` units (over one period without
stock that is the one-period meaning: a used pool moves at least ``min``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optikit.types import InvalidProblem

INF = float("inf")

#: Keys whose value may be a list with one entry per period.
PER_PERIOD = {"inputs": ("cost", "min", "max"), "products": ("price", "min", "max")}


@dataclass
class Periods:
    """Per-period data of a multi-period document (arrays are nodes x periods)."""

    names: list[str]
    input_cost: NDArray[np.float64]
    input_min: NDArray[np.float64]
    input_max: NDArray[np.float64]
    price: NDArray[np.float64]
    demand_min: NDArray[np.float64]
    demand_max: NDArray[np.float64]
    initial: NDArray[np.float64]  # per pool: opening stock
    initial_quality: NDArray[np.float64]  # pools x qualities, index space
    initial_mix: list[dict[int, float]]  # per pool: input -> share, when given as composition
    stock_min: NDArray[np.float64]
    stock_max: NDArray[np.float64]
    holding: NDArray[np.float64]
    exclusive: NDArray[np.bool_]  # per pool: may not receive and discharge in one period

    @property
    def count(self) -> int:
        return len(self.names)


def number(value: Any, where: str) -> float:
    """``value`` as a float; NaN is refused with the field's name."""
    result = float(value)
    if math.isnan(result):
        raise InvalidProblem(where, "NaN is not a number this field can take")
    return result


def period_names(document: Mapping[str, Any]) -> list[str] | None:
    """The periods' names (``1``..``T`` for a count), or None for a one-period document."""
    spec = document.get("periods")
    if spec is None:
        return None
    if isinstance(spec, int):
        return [str(t + 1) for t in range(spec)]
    names = [str(name) for name in spec]
    for n, name in enumerate(names):
        if name in names[:n]:
            raise InvalidProblem(f"periods[{n}]", f"period {name!r} is listed twice")
    return names


def per_period(item: Mapping[str, Any], key: str, where: str, count: int | None,
               default: float) -> list[float]:
    """A value that may be given per period, as ``count`` floats (one when ``count`` is None)."""
    value = item.get(key, default)
    if isinstance(value, list):
        if count is None:
            raise InvalidProblem(f"{where}.{key}", "a list of values per period needs "
                                 "`periods` at the top of the document")
        if len(value) != count:
            raise InvalidProblem(f"{where}.{key}", f"has {len(value)} values for "
                                 f"{count} periods")
        return [number(v, f"{where}.{key}[{t}]") for t, v in enumerate(value)]
    return [number(value, f"{where}.{key}")] * (count or 1)


def _ordered(low: list[float], high: list[float], where: str) -> None:
    for t, (lo, hi) in enumerate(zip(low, high, strict=True)):
        if lo > hi:
            raise InvalidProblem(f"{where}.min", f"min {lo:g} is above max {hi:g}"
                                 + (f" in period {t + 1}" if len(low) > 1 else ""))


def node_ranges(items: Sequence[Mapping[str, Any]], key: str,
                count: int | None) -> tuple[list[list[float]], list[list[float]]]:
    """Per node, the ``min`` and ``max`` lists (period by period), checked to be ordered."""
    lows, highs = [], []
    for n, item in enumerate(items):
        where = f"{key}[{n}]"
        low = per_period(item, "min", where, count, 0.0)
        high = per_period(item, "max", where, count, INF)
        _ordered(low, high, where)
        lows.append(low)
        highs.append(high)
    return lows, highs


def _stock(pool: Mapping[str, Any], n: int, input_ids: list[str], lam: NDArray[np.float64],
           quality: Any, n_k: int) -> tuple[float, NDArray[np.float64], dict[int, float]]:
    """A pool's opening stock, its quality (index space) and its input shares if given."""
    where = f"pools[{n}].inventory"
    spec = pool.get("inventory", {})
    amount = number(spec.get("initial", 0.0), f"{where}.initial")
    if "quality" in spec and "composition" in spec:
        raise InvalidProblem(f"{where}.composition", "give the opening stock's quality or "
                             "its composition, not both")
    if "composition" in spec:
        shares: dict[int, float] = {}
        for name, share in spec["composition"].items():
            if name not in input_ids:
                raise InvalidProblem(f"{where}.composition.{name}", f"unknown input {name!r}")
            shares[input_ids.index(name)] = number(share, f"{where}.composition.{name}")
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-6:
            raise InvalidProblem(f"{where}.composition", f"shares add up to {total:g}, not 1")
        mixed = sum((s * lam[i] for i, s in shares.items()), np.zeros(n_k))
        return amount, np.asarray(mixed, dtype=np.float64), shares
    if amount > 0 and "quality" not in spec:
        raise InvalidProblem(f"{where}.quality", "an opening stock needs its quality "
                             "or its composition")
    if "quality" not in spec:
        return amount, np.zeros(n_k), {}
    return amount, np.asarray(quality(spec["quality"], f"{where}.quality"),
                              dtype=np.float64), {}


def parse_periods(document: Mapping[str, Any], names: list[str], input_ids: list[str],
                  lam: NDArray[np.float64], quality: Any,
                  ranges: dict[str, tuple[list[list[float]], list[list[float]]]]) -> Periods:
    """The per-period data of a document with ``periods`` (``quality`` reads a quality map
    into index space; ``ranges`` holds the inputs' and products' min/max lists)."""
    count = len(names)
    pools = document.get("pools", [])
    n_k = lam.shape[1]
    stocks = [_stock(pool, n, input_ids, lam, quality, n_k) for n, pool in enumerate(pools)]
    stock_min, stock_max = [], []
    for n, pool in enumerate(pools):
        spec = pool.get("inventory", {})
        low = number(spec.get("min", 0.0), f"pools[{n}].inventory.min")
        high = number(spec.get("max", pool.get("capacity", INF)), f"pools[{n}].inventory.max")
        if low > high:
            raise InvalidProblem(f"pools[{n}].inventory.min", f"min {low:g} is above "
                                 f"max {high:g}")
        if stocks[n][0] > number(pool.get("capacity", INF), f"pools[{n}].capacity"):
            raise InvalidProblem(f"pools[{n}].inventory.initial", "the opening stock is "
                                 "above the tank's capacity")
        stock_min.append(low)
        stock_max.append(high)

    def table(key: str, field: str) -> NDArray[np.float64]:
        rows = [per_period(item, field, f"{key}[{n}]", count, 0.0)
                for n, item in enumerate(document[key])]
        return np.array(rows, dtype=np.float64).reshape(len(rows), count)

    def as_array(rows: list[list[float]]) -> NDArray[np.float64]:
        return np.array(rows, dtype=np.float64).reshape(len(rows), count)

    n_pools = len(pools)
    return Periods(
        names=names,
        input_cost=table("inputs", "cost"),
        input_min=as_array(ranges["inputs"][0]), input_max=as_array(ranges["inputs"][1]),
        price=table("products", "price"),
        demand_min=as_array(ranges["products"][0]),
        demand_max=as_array(ranges["products"][1]),
        initial=np.array([s[0] for s in stocks], dtype=np.float64),
        initial_quality=np.array([s[1] for s in stocks], dtype=np.float64).reshape(n_pools, n_k),
        initial_mix=[s[2] for s in stocks],
        stock_min=np.array(stock_min, dtype=np.float64),
        stock_max=np.array(stock_max, dtype=np.float64),
        holding=np.array([number(p.get("inventory", {}).get("holding_cost", 0.0),
                                 f"pools[{n}].inventory.holding_cost")
                          for n, p in enumerate(pools)], dtype=np.float64),
        exclusive=np.array([not p.get("receive_and_discharge", True) for p in pools],
                           dtype=np.bool_),
    )


def refuse_single_period_keys(document: Mapping[str, Any]) -> None:
    """Multi-period keys in a document without ``periods`` are a mistake: say which."""
    for n, pool in enumerate(document.get("pools", [])):
        for key in ("inventory", "receive_and_discharge"):
            if key in pool:
                raise InvalidProblem(f"pools[{n}].{key}", "tank stocks need `periods` at "
                                     "the top of the document")
