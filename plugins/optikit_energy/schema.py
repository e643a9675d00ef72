"""JSON Schema (draft 2020-12) of an ``energy-scheduling`` problem document.

The core validates documents with it before :func:`optikit_energy.model.parse` runs, so
it states the shape (types, required keys, value ranges).  What a schema cannot say is
left to ``parse``: the tariff tiling ``[0, horizon)`` without gaps or overlaps, unique
ids, known machines, a mode's power not below its machine's idle power.

Unknown keys are rejected so that a misspelt ``idle_powr`` is reported instead of being
silently treated as "no idle power".  Prices, carbon intensities and weights must be
``>= 0``: the models rely on energy never being worth money (no negative spot prices).
"""

from __future__ import annotations

from typing import Any

from optikit.scheduling import schema as shop
from optikit.units import with_currency

_NONNEG_INT = shop.NONNEG_INT
_NONNEG = shop.NONNEG

MODE = shop.mode(
    extra={
        "power": {**_NONNEG, "description": "kW drawn while processing (includes idle load)"},
        "name": {"type": "string", "description": "e.g. 'slow' or 'fast'"},
    },
    required=["power"],
    description="one way to run the operation: on `machine` for `duration` time units "
    "drawing `power` kW",
)
OPERATION = shop.operation(
    MODE, extra={"name": {"type": "string"}, "interruptible": shop.INTERRUPTIBLE}
)
JOB = shop.job(
    OPERATION,
    time=shop.TIME,  # release and due: units, or timestamps with `start`
    extra={**shop.LABELS, "product": {"type": ["string", "integer"],
                                      "description": "family for `setups`"}},
    operations_description=None,
)
MACHINE = shop.machine(
    extra={
        **shop.LABELS,
        "idle_power": {**_NONNEG, "description": "kW while on and not processing (default 0)"},
        "startup_energy": {
            **_NONNEG,
            "description": "kWh per switch-on; when given, the machine may be switched off "
            "between operations (it starts the horizon off)",
        },
        "calendar": shop.CALENDAR_REF,
    }
)

PERIOD = {
    "type": "object",
    "required": ["start", "end", "price"],
    "properties": {
        "start": _NONNEG_INT,
        "end": _NONNEG_INT,
        "price": {**_NONNEG, "description": "price per kWh"},
        "carbon": {**_NONNEG, "description": "kg CO2 per kWh (default 0)"},
        "name": {"type": "string", "description": "e.g. 'peak', 'off-peak'"},
    },
    "additionalProperties": False,
}

SETUPS = shop.setups()

OBJECTIVE_TERMS = ("energy_cost", "carbon", "makespan", "total_weighted_tardiness")

OBJECTIVE = {
    "description": "a term, or weights over the terms",
    "oneOf": [
        {"enum": list(OBJECTIVE_TERMS)},
        {
            "type": "object",
            "minProperties": 1,
            "properties": {term: _NONNEG for term in OBJECTIVE_TERMS},
            "additionalProperties": False,
        },
    ],
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://optikit.dev/schemas/energy-scheduling.json",
    "title": "energy-scheduling: energy-aware flexible job shop",
    "type": "object",
    "required": ["type", "machines", "jobs", "horizon", "tariff"],
    "properties": {
        "type": {"const": "energy-scheduling"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "time_step": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "minutes per time unit (default 1)",
        },
        "horizon": {"type": "integer", "minimum": 1, "description": "last allowed end time"},
        "tariff": {
            "type": "array",
            "minItems": 1,
            "items": PERIOD,
            "description": "periods tiling [0, horizon)",
        },
        "peak_power": {**_NONNEG, "description": "cap (kW) on total plant power per time unit"},
        "machines": {"type": "array", "minItems": 1, "items": MACHINE},
        "jobs": {"type": "array", "minItems": 1, "items": JOB},
        "setups": SETUPS,
        "objective": OBJECTIVE,
        # Clock time of t = 0 (optikit_energy.clock); no `time_unit`: `time_step` is the unit.
        "start": {
            "type": "string",
            "description": "clock time of t = 0 (ISO 8601, e.g. 2026-12-07T06:00); one unit "
            "is `time_step` minutes; calendars, releases and due dates may then be timestamps",
        },
        # Machine calendars (optikit.scheduling.calendar).
        "calendars": shop.calendars(),
        "calendar": shop.calendar_properties()["calendar"],
    },
    "additionalProperties": False,
}


with_currency(SCHEMA)
