"""JSON Schema (draft 2020-12) of an ``fjsp`` problem document.

The core validates documents with it before :func:`optikit_fjsp.model.parse` runs, so it
states the shape (types, required keys, value ranges); cross-references (unique ids,
known machines and products) are checked by ``parse``.  Unknown keys are rejected so that
a misspelt ``setup`` or ``releas`` is reported instead of silently ignored.
"""

from __future__ import annotations

from typing import Any

from optikit.scheduling import schema as shop

_WEIGHT = {"type": "number", "minimum": 0}

MODE = shop.mode(
    extra=shop.LABELS,
    description="one way to run the operation: on `machine` for `duration` time units",
)
# Batching machines (see optikit_fjsp.batching): a machine's `batch`, an operation's
# `family` (default: its job's product) and `size` (default 1).
BATCH = {
    "type": "object",
    "description": "a batch machine: operations of one family processed together",
    "required": ["capacity"],
    "properties": {
        "capacity": {"type": "integer", "minimum": 1,
                     "description": "most `size` units (default: operations) per batch"},
        "cycle": {**shop.NONNEG_INT,
                  "description": "minimum batch time (a batch lasts its longest member)"},
    },
    "additionalProperties": False,
}
BATCH_FIELDS = {
    "family": {"type": ["string", "integer"],
               "description": "batch family (default: the job's product)"},
    "size": {"type": "integer", "minimum": 1,
             "description": "room taken in a batch (default 1)"},
}
OPERATION = shop.operation(
    MODE, extra={**shop.LABELS, "interruptible": shop.INTERRUPTIBLE, **BATCH_FIELDS}
)
JOB = shop.job(OPERATION, time=shop.TIME, extra={**shop.LABELS, "product": shop.PRODUCT})
MACHINE = shop.machine(extra={**shop.LABELS, "calendar": shop.CALENDAR_REF, "batch": BATCH})
SETUPS = shop.setups()

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
        **shop.calendar_properties(),
    },
    "additionalProperties": False,
}
