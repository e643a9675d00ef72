"""Bad native documents are refused with one line naming the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from optikit.registry import Registry
from optikit.types import InputError
from tests.lot_sizing.conftest import load, two_items


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


CASES = [
    (_set(("items", 0, "demand"), [1, 2]), "items[0].demand", "periods is 3"),
    (_set(("items", 1, "id"), "A"), "items[1].id", "duplicate"),
    (_set(("items", 0, "production", 0, "resource"), "Z"), "items[0].production[0].resource",
     "unknown resource"),
    (_set(("items", 0, "components", 0, "item"), "Q"), "items[0].components[0].item",
     "unknown item"),
    (_set(("items", 1, "components"), [{"item": "A", "quantity": 1}]), "items[1].components",
     "production routing"),
    (_set(("items", 0, "safety_stock"), 5), None, None),  # allowed on its own
    (_set(("items", 1, "sources", 0, "price_breaks"),
          [{"min_quantity": 10, "price": 1}, {"min_quantity": 5, "price": 0.5}]),
     "items[1].sources[0].price_breaks", "ascend"),
    (_set(("items", 1, "sources", 0, "price_breaks"),
          [{"min_quantity": 0, "price": 1}, {"min_quantity": 5, "price": 2}]),
     "items[1].sources[0].price_breaks", "not rise"),
    (_set(("items", 1, "sources", 0, "unit_price"), 3), "items[1].sources[0]", "not both"),
    (_set(("items", 1, "sources", 0, "lead_time"), 3), "items[1].sources[0].lead_time",
     "arrive"),
    (_set(("items", 0, "lead_time"), 3), "items[0].lead_time", "no period"),
    (_set(("resources", 0, "capacity"), [1, 2]), "resources[0].capacity", "periods is 3"),
    (_set(("items", 1, "backlog_cost"), 2), "items[1].backlog_cost", "component"),
    (_set(("items", 0, "holding_cost"), -1), "items[0].holding_cost", ""),
    (_set(("periods",), 0), "periods", ""),
]


@pytest.mark.parametrize(("change", "field", "words"), CASES)
def test_field_is_named(registry: Registry, change: Callable[[dict[str, Any]], None],
                        field: str | None, words: str | None) -> None:
    doc = two_items()
    change(doc)
    if field is None:
        load(registry, doc)
        return
    with pytest.raises(InputError) as info:
        load(registry, doc)
    assert info.value.field == field, str(info.value)
    assert words is not None and words in str(info.value)
    assert "\n" not in str(info.value)


def test_bom_cycle_is_refused(registry: Registry) -> None:
    doc = two_items()
    doc["items"][1]["production"] = [{"resource": "M", "time_per_unit": 1}]
    doc["items"][1]["components"] = [{"item": "A", "quantity": 1}]
    with pytest.raises(InputError) as info:
        load(registry, doc)
    assert "cycle" in str(info.value)


def test_backlog_with_safety_stock_is_refused(registry: Registry) -> None:
    doc = two_items()
    doc["items"][0]["safety_stock"] = 5
    doc["items"][0]["backlog_cost"] = 5
    with pytest.raises(InputError) as info:
        load(registry, doc)
    assert info.value.field == "items[0].backlog_cost"


def test_oversized_documents_are_refused_before_allocating(registry: Registry) -> None:
    doc = two_items()
    doc["periods"] = 10000
    doc["items"] = [{"id": f"X{k}"} for k in range(300)]
    doc["resources"][0]["capacity"] = 1
    with pytest.raises(InputError) as info:
        load(registry, doc)
    assert info.value.field == "periods" and "item-periods" in str(info.value)
