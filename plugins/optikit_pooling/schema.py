"""JSON Schema (draft 2020-12) of a ``pooling`` problem document.

Rules a schema cannot state (unique ids, arc ends, ranges that must be ordered) are
checked by :func:`optikit_pooling.model.parse`.  The core adds ``type``, ``name`` and
``description``.
"""

from __future__ import annotations

from typing import Any

from optikit.units import with_currency

_AMOUNT = {"type": "number", "minimum": 0}
_MONEY = {"type": "number"}
_ID = {"type": "string", "minLength": 1}
# A number, or one per period (``minimum`` binds numbers only, ``items`` arrays only).
_PERIODIC_AMOUNT = {"type": ["number", "array"], "minimum": 0, "items": _AMOUNT, "minItems": 1}
_PERIODIC_MONEY = {"type": ["number", "array"], "items": _MONEY, "minItems": 1}
_QUALITY_MAP = {
    "type": "object",
    "propertyNames": {"minLength": 1},
    "additionalProperties": {"type": "number"},
}

_QUALITY: dict[str, Any] = {
    "oneOf": [
        {"type": "string", "minLength": 1, "description": "A quality that blends linearly."},
        {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": _ID,
                "unit": {"type": "string", "description": "Label only (e.g. 'wt %', 'psi')."},
                "index_power": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "description": (
                        "Blends as the index value**index_power (e.g. 1.25 for Reid vapour "
                        "pressure); inputs' values and specs are in the quality's own units."
                    ),
                },
            },
        },
    ]
}

_INPUT: dict[str, Any] = {
    "type": "object",
    "description": "A crude fraction or blend component that can be bought.",
    "required": ["id", "cost", "quality"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "name": {"type": "string"},
        "cost": {**_PERIODIC_MONEY, "description": "Cost per unit of flow (its price); "
                 "with `periods`, optionally a list (one per period)."},
        "min": {**_PERIODIC_AMOUNT, "description": "Units that must at least be used "
                "(default 0; per period with `periods`)."},
        "max": {**_PERIODIC_AMOUNT, "description": "Units available (default unlimited; "
                "per period with `periods`)."},
        "quality": {**_QUALITY_MAP, "description": "Quality name -> value (every quality)."},
    },
}

_POOL: dict[str, Any] = {
    "type": "object",
    "description": "An intermediate tank: everything leaving it has its mixed quality.",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "name": {"type": "string"},
        "capacity": {**_AMOUNT, "description": "Most units through the pool (default none)."},
        "min": {
            **_AMOUNT,
            "description": "Minimum fill: if the pool is used, at least this many units.",
        },
        "fixed_cost": {**_AMOUNT, "description": "Cost of using the pool at all."},
        "inventory": {
            "type": "object",
            "description": "With `periods`: the tank's stock carried between periods.",
            "additionalProperties": False,
            "properties": {
                "initial": {**_AMOUNT, "description": "Opening stock (default 0)."},
                "quality": {**_QUALITY_MAP, "description": "The opening stock's quality."},
                "composition": {
                    "type": "object",
                    "additionalProperties": {**_AMOUNT, "maximum": 1},
                    "description": "Or the opening stock as input id -> share (sum 1).",
                },
                "min": {**_AMOUNT, "description": "Least closing stock in every period."},
                "max": {**_AMOUNT, "description": "Most closing stock (default capacity)."},
                "holding_cost": {**_MONEY, "description": "Per unit of closing stock and "
                                 "period."},
            },
        },
        "receive_and_discharge": {
            "type": "boolean",
            "description": "With `periods`: false forbids receiving and discharging in "
                           "one period (default true).",
        },
    },
}

_PRODUCT: dict[str, Any] = {
    "type": "object",
    "description": "A finished product with its selling price, demand and specs.",
    "required": ["id", "price"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "name": {"type": "string"},
        "price": {**_PERIODIC_MONEY, "description": "Selling price per unit (per period "
                  "with `periods`)."},
        "min": {**_PERIODIC_AMOUNT, "description": "Units that must at least be made "
                "(default 0; per period with `periods`)."},
        "max": {**_PERIODIC_AMOUNT, "description": "Most units that can be sold (default "
                "unlimited; per period with `periods`)."},
        "quality_min": {**_QUALITY_MAP, "description": "Quality -> lowest allowed value."},
        "quality_max": {**_QUALITY_MAP, "description": "Quality -> highest allowed value."},
    },
}

_ARC: dict[str, Any] = {
    "type": "object",
    "description": "A pipe: input -> pool, pool -> product or input -> product.",
    "required": ["from", "to"],
    "additionalProperties": False,
    "properties": {
        "from": _ID,
        "to": _ID,
        "max": {**_AMOUNT, "description": "Most units through the arc (default none)."},
        "cost": {**_MONEY, "description": "Cost per unit through the arc (default 0)."},
        "fixed_cost": {**_AMOUNT, "description": "Cost of using the arc at all."},
        "fraction": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": (
                "Input -> pool arcs only: the input's share of the pool's inflow is at most "
                "this (default 1; 0 removes the arc)."
            ),
        },
    },
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["qualities", "inputs", "pools", "products", "arcs"],
    "additionalProperties": False,
    "properties": {
        "units": {
            "type": "object",
            "description": "Labels for reports: {flow: 'kbbl/d', money: 'kUSD'}.",
            "additionalProperties": False,
            "properties": {"flow": {"type": "string"}, "money": {"type": "string"}},
        },
        "periods": {
            "description": "Several periods with tank stocks: a count or the periods' names.",
            "oneOf": [{"type": "integer", "minimum": 1},
                      {"type": "array", "items": {"type": ["string", "integer"]},
                       "minItems": 1}],
        },
        "qualities": {"type": "array", "items": _QUALITY, "minItems": 1},
        "inputs": {"type": "array", "items": _INPUT, "minItems": 1},
        "pools": {"type": "array", "items": _POOL},
        "products": {"type": "array", "items": _PRODUCT, "minItems": 1},
        "arcs": {"type": "array", "items": _ARC, "minItems": 1},
    },
}


with_currency(SCHEMA)
