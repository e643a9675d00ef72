"""JSON Schema (draft 2020-12) of a ``blend`` problem document.

The core validates every document against it before :func:`optikit_blend.model.parse`
runs, and ``optikit schema blend`` prints it.  Rules a schema cannot state (unique ids,
references between fields, sums) are checked by ``parse``.  The common top-level keys
(``type``, ``name``, ``description``) are added by the core.
"""

from __future__ import annotations

from typing import Any

from optikit.units import with_currency

_PERCENT = {"type": "number", "minimum": 0, "maximum": 100}
_TONNES = {"type": "number", "minimum": 0}

_MATERIAL: dict[str, Any] = {
    "type": "object",
    "description": "A raw material that can be charged.",
    "required": ["id", "cost", "composition"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1, "description": "Unique material id."},
        "name": {"type": "string", "description": "Human-readable name (free text)."},
        "description": {"type": "string", "description": "Free text."},
        "cost": {
            "type": "number",
            "minimum": 0,
            "description": "Cost per tonne charged (any currency, used consistently).",
        },
        "composition": {
            "type": "object",
            "description": (
                "Component -> mass % of the material as charged (each 0..100, sum <= 100). "
                "Components not listed are 0."
            ),
            "propertyNames": {"minLength": 1},
            "additionalProperties": _PERCENT,
        },
        "loss": {
            "type": "number",
            "minimum": 0,
            "exclusiveMaximum": 100,
            "description": (
                "Mass % lost in processing (e.g. loss on ignition), default 0. A charge of x "
                "tonnes yields x * (1 - loss/100) tonnes of product; the lost mass carries "
                "none of the listed components."
            ),
        },
        "min": {**_TONNES, "description": "Tonnes that must at least be charged (default 0)."},
        "max": {**_TONNES, "description": "Tonnes that may at most be charged (default none)."},
        "min_lot": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "If the material is used at all, at least this many tonnes.",
        },
    },
}

_LIMITS_PERCENT: dict[str, Any] = {
    "type": "object",
    "description": "Limits on a component, in mass % of the product (either bound optional).",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "min": {**_PERCENT, "description": "Lowest allowed mass % in the product."},
        "max": {**_PERCENT, "description": "Highest allowed mass % in the product."},
    },
}

_WEIGHTS: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"minLength": 1},
    "additionalProperties": {"type": "number", "exclusiveMinimum": 0},
}

_RATIO: dict[str, Any] = {
    "type": "object",
    "description": (
        "Limits on sum(w * pct) of the numerator over sum(w * pct) of the denominator, "
        "both taken on the product's composition (e.g. basicity CaO/SiO2)."
    ),
    "required": ["name", "numerator", "denominator"],
    "additionalProperties": False,
    "anyOf": [{"required": ["min"]}, {"required": ["max"]}],
    "properties": {
        "name": {"type": "string", "minLength": 1, "description": "Unique ratio name."},
        "numerator": {**_WEIGHTS, "description": "Component -> weight (> 0)."},
        "denominator": {**_WEIGHTS, "description": "Component -> weight (> 0)."},
        "min": {"type": "number", "minimum": 0, "description": "Lowest allowed ratio."},
        "max": {"type": "number", "minimum": 0, "description": "Highest allowed ratio."},
    },
}

_ID_LIST: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string", "minLength": 1},
}

_GROUP: dict[str, Any] = {
    "type": "object",
    "description": (
        "A set of materials whose share of the charged mass of `of` (default: all "
        "materials) and/or whose number of used members is limited."
    ),
    "required": ["name", "materials"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "description": "Unique group name."},
        "materials": {**_ID_LIST, "description": "Material ids in the group."},
        "of": {
            **_ID_LIST,
            "description": "Material ids whose charged mass is the reference (default all).",
        },
        "min": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "Lowest share (0..1) of the charged mass of `of`.",
        },
        "max": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "Highest share (0..1) of the charged mass of `of`.",
        },
        "min_count": {
            "type": "integer",
            "minimum": 0,
            "description": "At least this many of the group's materials are used.",
        },
        "max_count": {
            "type": "integer",
            "minimum": 0,
            "description": "At most this many of the group's materials are used.",
        },
    },
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "optikit problem: blend",
    "description": (
        "Minimum-cost blend of raw materials (furnace burden, sinter feed, feed mix, alloy "
        "charge) meeting composition limits on the product."
    ),
    "type": "object",
    "required": ["type", "total", "materials"],
    "additionalProperties": False,
    "properties": {
        "type": {"const": "blend", "description": "Problem type."},
        "name": {"type": "string", "description": "A label; defaults to the file's stem."},
        "description": {"type": "string", "description": "Free text."},
        "$schema": {"type": "string"},
        "total": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Tonnes of product to make.",
        },
        "materials": {
            "type": "array",
            "minItems": 1,
            "items": _MATERIAL,
            "description": "The materials that may be charged.",
        },
        "specs": {
            "type": "object",
            "description": "Component -> {min, max}: mass % of the product.",
            "propertyNames": {"minLength": 1},
            "additionalProperties": _LIMITS_PERCENT,
        },
        "ratios": {"type": "array", "items": _RATIO, "description": "Ratio limits."},
        "groups": {"type": "array", "items": _GROUP, "description": "Material groups."},
        "max_materials": {
            "type": "integer",
            "minimum": 1,
            "description": "At most this many materials are used in all.",
        },
    },
}


with_currency(SCHEMA)
