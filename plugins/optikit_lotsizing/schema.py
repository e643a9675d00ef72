"""JSON Schema (draft 2020-12) of a ``lot-sizing`` problem document.

The core validates documents against it before :func:`optikit_lotsizing.model.parse`
runs; rules a schema cannot state (unique ids, references, list lengths equal to
``periods``, an acyclic bill of materials, sorted price breaks) are checked by ``parse``.
"""

from __future__ import annotations

from typing import Any

from optikit.units import with_currency

_NONNEG = {"type": "number", "minimum": 0}


def _per_period(what: str) -> dict[str, Any]:
    """A number for every period, or one list of ``periods`` numbers."""
    return {
        "description": f"{what}: one number for every period, or a list of one per period.",
        "oneOf": [_NONNEG, {"type": "array", "items": _NONNEG, "minItems": 1}],
    }


_OVERTIME: dict[str, Any] = {
    "type": "object",
    "description": "Overtime a resource may add beyond its capacity, at a cost.",
    "required": ["max", "cost"],
    "additionalProperties": False,
    "properties": {
        "max": _per_period("Most overtime per period, in the resource's capacity units"),
        "cost": {**_NONNEG, "description": "Cost per capacity unit of overtime."},
    },
}

_RESOURCE: dict[str, Any] = {
    "type": "object",
    "description": "A machine or line with a capacity per period.",
    "required": ["id", "capacity"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "name": {"type": "string"},
        "capacity": _per_period("Regular capacity (time units, e.g. minutes)"),
        "overtime": _OVERTIME,
    },
}

_ROUTING: dict[str, Any] = {
    "type": "object",
    "description": (
        "A resource the item's production uses: every unit takes time_per_unit on it, every "
        "period with production of the item takes one setup on it."
    ),
    "required": ["resource"],
    "additionalProperties": False,
    "properties": {
        "resource": {"type": "string", "minLength": 1},
        "time_per_unit": {**_NONNEG, "description": "Capacity units per unit made (default 0)."},
        "setup_time": {**_NONNEG, "description": "Capacity units per setup (default 0)."},
        "setup_cost": {**_NONNEG, "description": "Cost per setup (default 0)."},
    },
}

_COMPONENT: dict[str, Any] = {
    "type": "object",
    "description": "A component consumed when the parent's production starts.",
    "required": ["item", "quantity"],
    "additionalProperties": False,
    "properties": {
        "item": {"type": "string", "minLength": 1},
        "quantity": {"type": "number", "exclusiveMinimum": 0,
                     "description": "Units of the component per unit of the parent."},
    },
}

_BREAK: dict[str, Any] = {
    "type": "object",
    "required": ["min_quantity", "price"],
    "additionalProperties": False,
    "properties": {
        "min_quantity": {**_NONNEG, "description": "Smallest order quantity at this price."},
        "price": {**_NONNEG, "description": "Unit price of the whole order (all-units)."},
    },
}

_SOURCE: dict[str, Any] = {
    "type": "object",
    "description": "A supplier the item can be bought from.",
    "required": ["supplier"],
    "additionalProperties": False,
    "properties": {
        "supplier": {"type": "string", "minLength": 1},
        "lead_time": {"type": "integer", "minimum": 0,
                      "description": "Periods from order to arrival (default 0)."},
        "unit_price": {**_NONNEG, "description": "Price per unit (without price_breaks)."},
        "price_breaks": {
            "type": "array", "items": _BREAK, "minItems": 1,
            "description": "All-units price breaks, ascending min_quantity, prices not rising.",
        },
        "order_cost": {**_NONNEG, "description": "Fixed cost per order (default 0)."},
        "min_order": {**_NONNEG, "description": "Minimum order quantity (default 0)."},
        "order_multiple": {"type": "number", "exclusiveMinimum": 0,
                           "description": "Orders are whole multiples of this."},
    },
}

_ITEM: dict[str, Any] = {
    "type": "object",
    "description": "An end item, sub-assembly, component or purchased part.",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "name": {"type": "string"},
        "holding_cost": {**_NONNEG, "description": "Cost per unit on end-of-period stock."},
        "initial_stock": {**_NONNEG, "description": "Units on hand before period 1."},
        "safety_stock": {**_NONNEG, "description": "Least end-of-period stock, every period."},
        "demand": {"type": "array", "items": _NONNEG,
                   "description": "External demand per period (length = periods)."},
        "backlog_cost": {**_NONNEG, "description": (
            "Allows late delivery at this cost per unit and period; all backlog must be "
            "cleared by the last period. Absent: no backlog.")},
        "lead_time": {"type": "integer", "minimum": 0,
                      "description": "Periods from production start to availability."},
        "production": {"type": "array", "items": _ROUTING, "minItems": 1},
        "components": {"type": "array", "items": _COMPONENT},
        "sources": {"type": "array", "items": _SOURCE, "minItems": 1},
    },
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["periods", "items"],
    "additionalProperties": False,
    "properties": {
        "periods": {"type": "integer", "minimum": 1, "maximum": 10000,
                    "description": "Number of planning periods (buckets)."},
        "period_unit": {"type": "string", "description": "What a period is (week, shift)."},
        "resources": {"type": "array", "items": _RESOURCE},
        "items": {"type": "array", "items": _ITEM, "minItems": 1},
    },
}


with_currency(SCHEMA)
