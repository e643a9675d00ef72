"""JSON Schema (draft 2020-12) of a ``rostering`` document (the plant format; ``.roster``
files are read into the same shape).  Shapes and ranges only; references are checked by
:func:`optikit_rostering.model.parse`.  Unknown keys are refused so typos are reported.
"""

from __future__ import annotations

from typing import Any

from optikit_rostering.presets import PRESETS

_ID = {"type": ["string", "integer"]}
#: Counts, weights and minutes stay below 10**7 so that every penalty term fits CP-SAT's
#: 64-bit arithmetic with room to spare.
MAX_VALUE = 10_000_000
_NAT = {"type": "integer", "minimum": 0, "maximum": MAX_VALUE}
_POS = {"type": "integer", "minimum": 1, "maximum": MAX_VALUE}
_HOURS = {"type": "number", "minimum": 0, "maximum": 10_000}
_CLOCK = {"type": ["string", "integer"], "description": "clock time HH:MM (or whole hours)"}
_DAY = {"type": "integer", "minimum": 0}
_WEEKDAY = {"enum": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                     "sunday"]}

LIMITS: dict[str, Any] = {
    "max_shifts": {"type": "object", "additionalProperties": _NAT,
                   "description": "per shift id, at most this many over the horizon"},
    "max_total_minutes": _NAT,
    "min_total_minutes": _NAT,
    "max_consecutive_shifts": _POS,
    "min_consecutive_shifts": _POS,
    "min_consecutive_days_off": _POS,
    "max_weekends": _NAT,
    "max_consecutive_nights": _NAT,
    "max_weekly_hours": _HOURS,
    "max_average_weekly_hours": _HOURS,
    "min_rest_hours": _HOURS,
    "min_days_off_per_week": {"type": "integer", "minimum": 0, "maximum": 7},
}

SHIFT = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": _ID, "start": _CLOCK, "end": _CLOCK, "minutes": _POS,
        "night": {"type": "boolean"}, "description": {"type": "string"},
        "not_followed_by": {"type": "array", "items": _ID,
                            "description": "shifts that may not be worked the next day"},
    },
    "additionalProperties": False,
}
REQUEST = {
    "type": "object",
    "required": ["day", "type"],
    "properties": {"day": _DAY, "shift": _ID, "type": {"enum": ["on", "off", True, False],
                            "description": "on: wants the shift; off: wants it (or the day, "
                            "without `shift`) free.  Unquoted YAML on/off read as true/false "
                            "mean the same"},
                   "weight": _NAT},
    "additionalProperties": False,
}
EMPLOYEE = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": _ID, "name": {"type": "string"}, "contract": _ID,
        "skills": {"type": "array", "items": _ID},
        "days_off": {"type": "array", "items": _DAY, "description": "leave: no shift"},
        "requests": {"type": "array", "items": REQUEST},
        **LIMITS,
    },
    "additionalProperties": False,
}
CONTRACT = {"type": "object", "required": ["id"],
            "properties": {"id": _ID, "description": {"type": "string"}, **LIMITS},
            "additionalProperties": False}
COVER = {
    "type": "object",
    "required": ["shift", "requirement"],
    "properties": {
        "day": _DAY, "days": {"type": "array", "items": _DAY},
        "weekdays": {"type": "array", "items": _WEEKDAY},
        "shift": _ID, "skill": _ID, "requirement": _NAT,
        "under_weight": _NAT, "over_weight": _NAT, "station": {"type": "string"},
    },
    "additionalProperties": False,
}
SAFETY = {
    "oneOf": [
        {"type": "object", "required": ["rule", "skill"],
         "properties": {"rule": {"const": "skill_per_shift"}, "skill": _ID, "min": _POS,
                        "shifts": {"type": "array", "items": _ID}},
         "additionalProperties": False},
        {"type": "object", "required": ["rule", "max"],
         "properties": {"rule": {"const": "max_consecutive_nights"}, "max": _NAT},
         "additionalProperties": False},
    ]
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://optikit.dev/schemas/rostering.json",
    "title": "rostering: shift rostering with safety and fatigue rules",
    "type": "object",
    "required": ["type", "days", "shifts", "employees"],
    "properties": {
        "type": {"const": "rostering"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "days": {"type": "integer", "minimum": 1, "maximum": 3660},
        "start_weekday": _WEEKDAY,
        "rules": {"oneOf": [{"enum": sorted(PRESETS)},
                            {"type": "array", "items": {"enum": sorted(PRESETS)}}]},
        "shifts": {"type": "array", "minItems": 1, "items": SHIFT},
        "contracts": {"type": "array", "items": CONTRACT},
        "employees": {"type": "array", "minItems": 1, "items": EMPLOYEE},
        "cover": {"type": "array", "items": COVER},
        "safety": {"type": "array", "items": SAFETY},
    },
    "additionalProperties": False,
}
