"""JSON Schema (draft 2020-12) of a ``car-sequencing`` problem document.

The schema states shapes and ranges; cross-references (unique ids, known options and
classes in ``previous``) are checked by :func:`optikit_carseq.model.parse`.  Unknown keys
are refused so that a misspelt ``windw`` is reported instead of silently ignored.
"""

from __future__ import annotations

from typing import Any

_ID = {"type": "string", "minLength": 1}
_COUNT = {"type": "integer", "minimum": 0}
_POS = {"type": "integer", "minimum": 1}
TERMS = ("high", "colour", "low", "level")

OPTION = {
    "type": "object",
    "required": ["id", "max", "window"],
    "properties": {
        "id": _ID,
        "max": {**_COUNT, "description": "at most `max` cars with the option ..."},
        "window": {**_POS, "description": "... in any `window` consecutive cars"},
        "priority": {"enum": ["high", "low"], "description": "which objective term (default high)"},
        "weight": {**_COUNT, "description": "cost of one car over the limit in one window"},
        "station": {"type": "string", "description": "the station that fits the option"},
    },
    "additionalProperties": False,
}

CLASS = {
    "type": "object",
    "required": ["id", "count"],
    "properties": {
        "id": _ID,
        "count": {**_COUNT, "description": "cars of this variant to build today"},
        "options": {"type": "array", "items": _ID, "uniqueItems": True},
        "colour": {"type": "string", "minLength": 1},
    },
    "additionalProperties": False,
}

PAINT = {
    "type": "object",
    "properties": {
        "max_batch": {**_POS, "description": "most consecutive cars of one colour (hard)"},
        "change_cost": {**_COUNT, "description": "cost of one colour change (default 1)"},
    },
    "additionalProperties": False,
}

OBJECTIVE = {
    "description": "`weights` of the terms high / colour / low / level, or a "
    "`lexicographic` order of high / colour / low",
    "type": "object",
    "properties": {
        "weights": {
            "type": "object",
            "properties": {t: _COUNT for t in TERMS},
            "additionalProperties": False,
            "minProperties": 1,
        },
        "lexicographic": {
            "type": "array",
            "items": {"enum": ["high", "colour", "low"]},
            "uniqueItems": True,
            "minItems": 1,
        },
    },
    "additionalProperties": False,
    "maxProperties": 1,
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://optikit.dev/schemas/car-sequencing.json",
    "title": "car-sequencing: mixed-model assembly line sequencing",
    "type": "object",
    "required": ["type", "options", "classes"],
    "properties": {
        "type": {"const": "car-sequencing"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "options": {"type": "array", "items": OPTION},
        "classes": {"type": "array", "minItems": 1, "items": CLASS},
        "paint": PAINT,
        "previous": {
            "type": "array",
            "items": _ID,
            "description": "yesterday's last cars (class ids), in line order",
        },
        "objective": OBJECTIVE,
    },
    "additionalProperties": False,
}
