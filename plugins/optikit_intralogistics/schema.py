"""JSON Schema (draft 2020-12) of an ``intralogistics`` problem document.

The schema states shapes; :func:`optikit_intralogistics.model.parse` checks what it cannot
(unique ids, references to locations, layout nodes and orders, window order, a connected
layout).  See docs/contract.md, "type: intralogistics", for the meaning of every field.
"""

from __future__ import annotations

from typing import Any

_NONNEG = {"type": "number", "minimum": 0}
_POS = {"type": "number", "exclusiveMinimum": 0}
_ID = {"oneOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}
_WINDOW = {"type": "array", "items": _NONNEG, "minItems": 2, "maxItems": 2,
           "description": "[earliest, latest] start of service (hard)."}

_LOCATION: dict[str, Any] = {
    "type": "object",
    "description": "A station, buffer, parking or charging point where vehicles stop.",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "name": {"type": "string"},
        "x": {"type": "number"},
        "y": {"type": "number"},
        "node": {**_ID, "description": "Layout node the station sits on (with a layout)."},
    },
}

_EDGE: dict[str, Any] = {
    "type": "object",
    "description": "An aisle segment between two layout nodes.",
    "required": ["from", "to"],
    "additionalProperties": False,
    "properties": {
        "from": _ID,
        "to": _ID,
        "length": {**_POS, "description": "Metres (default: straight line between nodes)."},
        "speed": {**_POS, "description": "Speed limit in m/s (default: none)."},
        "two_way": {"type": "boolean", "description": "Both directions (default true)."},
    },
}

_LAYOUT: dict[str, Any] = {
    "type": "object",
    "description": "The aisle graph; travel follows shortest paths over it.",
    "required": ["nodes", "edges"],
    "additionalProperties": False,
    "properties": {
        "nodes": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "x", "y"], "additionalProperties": False,
            "properties": {"id": _ID, "x": {"type": "number"}, "y": {"type": "number"}}}},
        "edges": {"type": "array", "items": _EDGE},
    },
}

_MATRIX: dict[str, Any] = {
    "type": "object",
    "description": "Given distances (and optionally times) between locations, in order.",
    "required": ["distance"],
    "additionalProperties": False,
    "properties": {
        "distance": {"type": "array", "items": {"type": "array", "items": _NONNEG}},
        "time": {"type": "array", "items": {"type": "array", "items": _NONNEG}},
    },
}

_ORDER: dict[str, Any] = {
    "type": "object",
    "description": "A transport order: carry a load from its pickup to its delivery.",
    "required": ["id", "pickup", "delivery"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "pickup": {**_ID, "description": "Location id of the pickup."},
        "delivery": {**_ID, "description": "Location id of the delivery."},
        "load": {**_NONNEG, "description": "Capacity units (default 1)."},
        "pickup_window": _WINDOW,
        "delivery_window": _WINDOW,
        "pickup_service": {**_NONNEG, "description": "Handling time at the pickup."},
        "delivery_service": {**_NONNEG, "description": "Handling time at the delivery."},
        "due": {**_NONNEG, "description": "Soft due time of the delivery (lateness cost)."},
        "priority": {**_NONNEG, "description": "Weight of this order's lateness (default 1)."},
    },
}

_BATTERY: dict[str, Any] = {
    "type": "object",
    "required": ["capacity", "consumption"],
    "additionalProperties": False,
    "properties": {
        "capacity": {**_POS, "description": "Usable energy (e.g. Wh)."},
        "consumption": {**_NONNEG, "description": "Energy per metre driven."},
        "level": {**_NONNEG, "description": "Energy at the start (default: full)."},
    },
}

_STATE: dict[str, Any] = {
    "type": "object",
    "description": "Where a vehicle under way stands now (re-planning mid-shift).",
    "additionalProperties": False,
    "properties": {
        "available_at": {**_NONNEG, "description": "Time it reaches its start location."},
        "on_board": {"type": "array", "items": _ID,
                     "description": "Orders already picked up: only their delivery remains."},
    },
}

_VEHICLE: dict[str, Any] = {
    "type": "object",
    "description": "An AGV, forklift or tow train (count > 1: identical copies).",
    "required": ["id", "start"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "count": {"type": "integer", "minimum": 1, "maximum": 10000},
        "start": {**_ID, "description": "Location it starts from."},
        "end": {**_ID, "description": "Location it must return to (default: start)."},
        "capacity": {**_NONNEG, "description": "Load capacity (default 1)."},
        "speed": {**_POS, "description": "m/s (default 1)."},
        "shift": _WINDOW,
        "battery": _BATTERY,
        "state": _STATE,
    },
}

_CHARGER: dict[str, Any] = {
    "type": "object",
    "required": ["location", "rate"],
    "additionalProperties": False,
    "properties": {
        "location": _ID,
        "rate": {**_POS, "description": "Energy per second charged (to full)."},
    },
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["locations", "orders", "vehicles"],
    "additionalProperties": False,
    "properties": {
        "locations": {"type": "array", "items": _LOCATION, "minItems": 1},
        "metric": {"enum": ["euclidean", "manhattan"],
                   "description": "Distance from coordinates without layout or matrix."},
        "layout": _LAYOUT,
        "matrix": _MATRIX,
        "orders": {"type": "array", "items": _ORDER},
        "vehicles": {"type": "array", "items": _VEHICLE, "minItems": 1},
        "chargers": {"type": "array", "items": _CHARGER},
        "objective": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "lexicographic": {"type": "boolean", "description": (
                    "Vehicles first, then distance (the literature's rule); the reported "
                    "objective is the distance.")},
                "vehicles": {**_NONNEG, "description": "Cost per vehicle used."},
                "distance": {**_NONNEG, "description": "Cost per metre (default 1)."},
                "lateness": {**_NONNEG, "description": "Cost per second late."},
                "priority": {**_NONNEG, "description": (
                    "Cost per second late times the order's priority.")},
            },
        },
    },
}
