"""JSON Schema (draft 2020-12) of an ``fjsp`` problem document.

The core validates documents with it before :func:`optikit_fjsp.model.parse` runs, so it
states the shape (types, required keys, value ranges); cross-references (unique ids,
known machines and products) are checked by ``parse``.  Unknown keys are rejected so that
a misspelt ``setup`` or ``releas`` is reported instead of silently ignored.
"""

from __future__ import annotations

from typing import Any

_ID = {"type": ["string", "integer"], "description": "identifier, unique in its list"}
# Times up to 10**12: a million of them still sum below CP-SAT's 64-bit integer range.
_NONNEG_INT = {"type": "integer", "minimum": 0, "maximum": 10**12}
_WEIGHT = {"type": "number", "minimum": 0}

MODE = {
    "type": "object",
    "description": "one way to run the operation: on `machine` for `duration` time units",
    "required": ["machine", "duration"],
    "properties": {
        "machine": _ID,
        "duration": _NONNEG_INT,
        "name": {"type": "string"},
        "description": {"type": "string"},
    },
    "additionalProperties": False,
}

OPERATION = {
    "type": "object",
    "required": ["modes"],
    "properties": {
        "modes": {"type": "array", "minItems": 1, "items": MODE},
        "name": {"type": "string"},
        "description": {"type": "string"},
    },
    "additionalProperties": False,
}

JOB = {
    "type": "object",
    "required": ["id", "operations"],
    "properties": {
        "id": _ID,
        "name": {"type": "string"},
        "description": {"type": "string"},
        "product": {
            "type": ["string", "integer"],
            "description": "product family; selects the changeover times in `setups`",
        },
        "release": {**_NONNEG_INT, "description": "earliest start of the first operation"},
        "due": {**_NONNEG_INT, "description": "due date of the last operation's end"},
        "weight": {**_WEIGHT, "description": "tardiness weight (default 1)"},
        "operations": {
            "type": "array",
            "minItems": 1,
            "items": OPERATION,
            "description": "in processing order",
        },
    },
    "additionalProperties": False,
}

MACHINE = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": _ID, "name": {"type": "string"}, "description": {"type": "string"}},
    "additionalProperties": False,
}

SETUPS = {
    "type": "object",
    "description": "machine id -> from product -> to product -> changeover time",
    "additionalProperties": {
        "type": "object",
        "additionalProperties": {"type": "object", "additionalProperties": _NONNEG_INT},
    },
}

# Term names are checked by ``parse`` (its messages list the known terms); the schema
# only fixes the shapes: a name, or a map of non-negative weights.
OBJECTIVE = {
    "description": "`makespan` (default), `total_weighted_tardiness`, or a weighted mix "
    "such as {makespan: 1, total_weighted_tardiness: 10}",
    "type": ["string", "object"],
    "minProperties": 1,
    "properties": {"makespan": _WEIGHT, "total_weighted_tardiness": _WEIGHT},
    "additionalProperties": _WEIGHT,
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://optikit.dev/schemas/fjsp.json",
    "title": "fjsp: mixed-model flexible production scheduling",
    "type": "object",
    "required": ["type", "machines", "jobs"],
    "properties": {
        "type": {"const": "fjsp"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "machines": {"type": "array", "minItems": 1, "items": MACHINE},
        "jobs": {"type": "array", "minItems": 1, "items": JOB},
        "setups": SETUPS,
        "objective": OBJECTIVE,
    },
    "additionalProperties": False,
}
