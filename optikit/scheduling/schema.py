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
    time: Schema = NONNEG_INT,
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
        "release": {**time, "description": "earliest start of the first operation"},
        "due": {**time, "description": "due time of the last operation's end"},
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


# -- calendars and clock time (optikit.scheduling.calendar) -------------------------------

#: A time: whole units from 0, or an ISO 8601 timestamp when the document gives ``start``.
TIME: Schema = {
    "type": ["integer", "string"],
    "minimum": 0,
    "description": "time units from 0, or an ISO 8601 timestamp when `start` is given",
}
#: An operation's ``interruptible`` flag.
INTERRUPTIBLE: Schema = {
    "type": "boolean",
    "description": "may pause over non-working time and resume (default false: must fit "
    "inside one working window)",
}
#: A machine's ``calendar``: the name of one of ``calendars`` (null: always available).
CALENDAR_REF: Schema = {
    "type": ["string", "null"],
    "description": "name of its working-time calendar in `calendars` (null: always available)",
}


def _span(description: str, extra: Mapping[str, Any] | None = None) -> Schema:
    return _object(["start", "end"], {"start": TIME, "end": TIME, **(extra or {})}, description)


def calendars() -> Schema:
    """Named working-time calendars: working windows, optional repeat period, downtime."""
    calendar = _object(
        ["working"],
        {
            **LABELS,
            "working": {
                "type": "array",
                "minItems": 1,
                "items": _span("a working window [start, end)"),
            },
            "repeat": {
                "type": "integer",
                "minimum": 1,
                "description": "the working windows repeat with this period",
            },
            "downtime": {
                "type": "array",
                "items": _span(
                    "planned downtime or holiday [start, end), removed from working time",
                    {"reason": {"type": "string"}},
                ),
            },
        },
        "a working-time calendar",
    )
    return {
        "type": "object",
        "description": "named working-time calendars",
        "additionalProperties": calendar,
    }


def calendar_properties() -> dict[str, Schema]:
    """Top-level keys of a document with calendars and clock time."""
    return {
        "start": {
            "type": "string",
            "description": "clock time of t = 0 (ISO 8601, e.g. 2026-12-07T06:00:00)",
        },
        "time_unit": {
            "enum": ["second", "minute", "hour", "day"],
            "description": "length of one time unit (needed with `start`)",
        },
        "calendars": calendars(),
        "calendar": {"type": "string", "description": "default calendar of every machine"},
    }
