"""JSON-Schema fragments (draft 2020-12) of the shop part of scheduling documents.

Each scheduling type composes its document schema from these builders, adding its own
properties (a mode's ``power``, a machine's ``downtime_cost``, ...) through ``extra``.
Every fragment rejects unknown keys (``additionalProperties: false``) so that a misspelt
``releas`` is reported instead of silently ignored.  The builders return new dicts, so a
type may change its copy freely (for example tighten a range with ``maximum``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Schema = dict[str, Any]

#: An id: a string or an integer, unique in its list.
ID: Schema = {"type": ["string", "integer"], "description": "identifier, unique in its list"}
#: A time or duration in whole time units.
NONNEG_INT: Schema = {"type": "integer", "minimum": 0}
#: A weight, price or cost.
NONNEG: Schema = {"type": "number", "minimum": 0}
#: ``name`` and ``description`` labels that every element may carry.
LABELS: Schema = {"name": {"type": "string"}, "description": {"type": "string"}}


def _object(required: Sequence[str], properties: Mapping[str, Any], description: str | None
            ) -> Schema:
    out: Schema = {"type": "object"}
    if description is not None:
        out["description"] = description
    out["required"] = list(required)
    out["properties"] = dict(properties)
    out["additionalProperties"] = False
    return out


def mode(
    *,
    machine: Schema = ID,
    duration: Schema = NONNEG_INT,
    extra: Mapping[str, Any] | None = None,
    required: Sequence[str] = (),
    description: str | None = None,
) -> Schema:
    """One way to run an operation: ``machine`` and ``duration``, plus the type's keys."""
    props = {"machine": dict(machine), "duration": dict(duration), **(extra or {})}
    return _object(["machine", "duration", *required], props, description)


def operation(mode_schema: Schema, *, extra: Mapping[str, Any] | None = None) -> Schema:
    """An operation: its non-empty list of alternative ``modes``."""
    props = {"modes": {"type": "array", "minItems": 1, "items": mode_schema}, **(extra or {})}
    return _object(["modes"], props, None)


def job(
    operation_schema: Schema,
    *,
    id: Schema = ID,
    weight_description: str = "tardiness weight (default 1)",
    extra: Mapping[str, Any] | None = None,
    operations_description: str | None = "in processing order",
) -> Schema:
    """A job: ``id``, ``release``, ``due``, tardiness ``weight`` and ordered operations."""
    operations: Schema = {"type": "array", "minItems": 1, "items": operation_schema}
    if operations_description is not None:
        operations["description"] = operations_description
    props = {
        "id": dict(id),
        **(extra or {}),
        "release": {**NONNEG_INT, "description": "earliest start of the first operation"},
        "due": {**NONNEG_INT, "description": "due time of the last operation's end"},
        "weight": {**NONNEG, "description": weight_description},
        "operations": operations,
    }
    return _object(["id", "operations"], props, None)


#: A job's ``product`` family, which selects changeover times in ``setups``.
PRODUCT: Schema = {
    "type": ["string", "integer"],
    "description": "product family; selects the changeover times in `setups`",
}


def machine(*, id: Schema = ID, extra: Mapping[str, Any] | None = None) -> Schema:
    """A machine: its ``id`` plus the type's keys."""
    return _object(["id"], {"id": dict(id), **(extra or {})}, None)


def setups() -> Schema:
    """Sequence-dependent changeovers: machine id -> from product -> to product -> time."""
    return {
        "type": "object",
        "description": "machine id -> from product -> to product -> changeover time",
        "additionalProperties": {
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": dict(NONNEG_INT)},
        },
    }
