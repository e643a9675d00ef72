"""JSON Schema (draft 2020-12) of a ``maintenance`` problem document.

All times are integers in one time unit (``time_unit`` names it, e.g. ``hour``) counted
from 0; every activity must end by ``horizon``.  Rules a schema cannot say (unique ids,
references, windows longer than the task, one renewing task per machine, probability
curves that never decrease) are checked by :func:`optikit_maintenance.model.parse`.
"""

from __future__ import annotations

from typing import Any

from optikit.scheduling import schema as shop
from optikit.units import with_currency

_ID = {"type": "string", "minLength": 1}
_TIME = {"type": "integer", "minimum": 0}
_COST = {"type": "number", "minimum": 0}

_CURVE_POINT = {
    "type": "array",
    "prefixItems": [
        {"type": "integer", "minimum": 0, "description": "time"},
        {"type": "number", "minimum": 0, "maximum": 1, "description": "probability"},
    ],
    "minItems": 2,
    "maxItems": 2,
}

_FAILURE = {
    "type": "object",
    "description": "breakdown risk of the machine until its renewing task starts",
    "required": ["probability"],
    "additionalProperties": False,
    "properties": {
        "probability": {
            "type": "array",
            "minItems": 1,
            "items": _CURVE_POINT,
            "description": "points [time, P(breakdown before time)], piecewise linear in "
            "between, constant before the first and after the last point",
        },
        "repair_time": {**_TIME, "description": "time units a breakdown stops the machine"},
        "repair_cost": {**_COST, "description": "parts and labour per breakdown"},
    },
}

_MACHINE = {
    "type": "object",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "downtime_cost": {
            **_COST,
            "description": "cost per time unit out of service (maintenance or repair)",
        },
        "rul": {**_TIME, "description": "predicted remaining useful life, from time 0"},
        "rul_safety": {
            **_TIME,
            "description": "margin: the renewing task starts by rul - rul_safety",
        },
        "failure": _FAILURE,
        "calendar": shop.CALENDAR_REF,
    },
}

_SHIFT = {
    "type": "object",
    "required": ["start", "end"],
    "additionalProperties": False,
    "properties": {"start": _TIME, "end": _TIME},
}

_CREW = {
    "type": "object",
    "required": ["id", "size"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "size": {"type": "integer", "minimum": 1, "description": "technicians"},
        "shifts": {
            "type": "array",
            "items": _SHIFT,
            "description": "periods on duty (sorted, not overlapping); default: always",
        },
    },
}

_TASK = {
    "type": "object",
    "required": ["id", "machine", "duration", "crew"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "machine": _ID,
        "duration": {"type": "integer", "minimum": 1},
        "crew": _ID,
        "technicians": {"type": "integer", "minimum": 1, "description": "default 1"},
        "window": {
            **_SHIFT,
            "description": "earliest start and latest end (default: the horizon)",
        },
        "renews": {
            "type": "boolean",
            "description": "resets the machine's failure risk (default true)",
        },
        "optional": {"type": "boolean", "description": "may be skipped (default false)"},
        "skip_cost": {**_COST, "description": "cost of skipping an optional task"},
    },
}

_MODE = shop.mode(machine=_ID, duration={"type": "integer", "minimum": 1})

_OPERATION = shop.operation(_MODE, extra={"interruptible": shop.INTERRUPTIBLE})
_JOB = shop.job(
    _OPERATION, id=_ID, weight_description="cost per time unit late (default 1)",
    operations_description=None,
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["horizon", "machines", "crews", "tasks", "jobs"],
    "additionalProperties": False,
    "properties": {
        "horizon": {"type": "integer", "minimum": 1, "description": "every activity ends by it"},
        "time_unit": {"type": "string", "description": "a label, e.g. hour (with `start`: "
                      "second, minute, hour or day)"},
        "start": {"type": "string", "description": "clock time of t = 0 (ISO 8601, e.g. "
                  "2026-12-07T06:00); reports then show clock times"},
        "machines": {"type": "array", "minItems": 1, "items": _MACHINE},
        "crews": {"type": "array", "items": _CREW},
        "tasks": {"type": "array", "items": _TASK},
        "jobs": {"type": "array", "items": _JOB},
        # Production operations follow their machine's calendar; tasks follow crew shifts.
        "calendars": shop.calendars(),
        "calendar": shop.calendar_properties()["calendar"],
        "objective": {
            "type": "object",
            "additionalProperties": False,
            "description": "weights of the cost parts (default 1, 1, 0)",
            "properties": {
                "downtime_cost": _COST,
                "tardiness": _COST,
                "makespan": _COST,
            },
        },
    },
}


with_currency(SCHEMA)
