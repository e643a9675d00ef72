"""The re-planning events document of scheduling types: schema, parsing, amended problem.

An events document says what happened since a plan was made::

    now: 120                     # operations that started before it are frozen
    events:
      - {type: machine_down, machine: WELD1, start: 130, end: 200}
      - {type: rush_order, job: {id: R1, operations: [...]}}   # the type's own job format
      - {type: cancel, job: O5}
      - {type: running_late, job: O2, operation: 1, extra: 15}
    stability: {mode: lexicographic, shift: 1, machine_change: 10, tolerance: 0}

:func:`events_schema` builds its JSON Schema around a type's job schema;
:func:`parse_events` checks the references (machines, jobs, operations) against the
original problem document; :func:`amend_document` writes the problem after the events
(cancelled jobs removed, rush jobs appended, late operations longer).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from optikit.scheduling import schema as shop_schema
from optikit.scheduling.calendar import Clock, parse_clock, time_value
from optikit.types import InvalidProblem

STABILITY_MODES = ("lexicographic", "weighted", "none")
DEFAULT_SHIFT_WEIGHT = 1.0
DEFAULT_MACHINE_CHANGE_WEIGHT = 10.0


def _event(kind: str, required: list[str], props: Mapping[str, Any], text: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": text,
        "required": ["type", *required],
        "properties": {"type": {"const": kind}, "note": {"type": "string"}, **props},
        "additionalProperties": False,
    }


def events_schema(job_schema: Mapping[str, Any], type_name: str) -> dict[str, Any]:
    """The JSON Schema of an events document whose rush orders are ``job_schema`` jobs."""
    t = shop_schema.NONNEG_INT
    kinds = {
        "machine_down": _event(
            "machine_down", ["machine", "start", "end"],
            {"machine": shop_schema.ID, "start": shop_schema.TIME, "end": shop_schema.TIME},
            "the machine cannot work in [start, end); an operation running into it is "
            "interrupted and re-planned from scratch",
        ),
        "rush_order": _event(
            "rush_order", ["job"], {"job": dict(job_schema)},
            "a new job, in the problem's own job format, planned from `now` on",
        ),
        "cancel": _event("cancel", ["job"], {"job": shop_schema.ID},
                         "the job is removed from the plan (a running operation stops at `now`)"),
        "running_late": _event(
            "running_late", ["job", "operation", "extra"],
            {"job": shop_schema.ID, "operation": t, "extra": {"type": "integer", "minimum": 1}},
            "the operation (index in its job, from 0) takes `extra` time units longer",
        ),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"optikit re-planning events: {type_name}",
        "type": "object",
        "required": ["now"],
        "properties": {
            "type": {"const": type_name},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "now": {**shop_schema.TIME,
                    "description": "the current time (an ISO 8601 timestamp when the problem "
                                   "has `start`): operations started before it are frozen, "
                                   "nothing new starts before it"},
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"enum": list(kinds)}},
                    "allOf": [
                        {"if": {"properties": {"type": {"const": k}}}, "then": s}
                        for k, s in kinds.items()
                    ],
                },
            },
            "stability": {
                "type": "object",
                "description": "how the new plan is kept close to the old one",
                "properties": {
                    "mode": {"enum": list(STABILITY_MODES)},
                    "shift": {**shop_schema.NONNEG,
                              "description": "cost per time unit an operation's start moves"},
                    "machine_change": {**shop_schema.NONNEG,
                                       "description": "cost per operation on another machine"},
                    "tolerance": {**shop_schema.NONNEG,
                                  "description": "lexicographic: the objective may exceed the "
                                                 "best found by this fraction"},
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class Stability:
    """``lexicographic``: best objective first, then least disruption (within
    ``tolerance``); ``weighted``: objective + disruption; ``none``: from scratch."""

    mode: str = "lexicographic"
    shift: float = DEFAULT_SHIFT_WEIGHT
    machine_change: float = DEFAULT_MACHINE_CHANGE_WEIGHT
    tolerance: float = 0.0


@dataclass(frozen=True)
class Window:
    """A machine unavailable in ``[start, end)``."""

    machine: str
    start: int
    end: int
    reason: str = "down"


@dataclass(frozen=True)
class Events:
    """A parsed events document (ids as in the problem document)."""

    now: int
    down: tuple[Window, ...] = ()
    rush: tuple[Mapping[str, Any], ...] = ()
    rush_events: tuple[int, ...] = ()  # the event index of each rush job
    cancelled: tuple[str, ...] = ()
    late: Mapping[tuple[str, int], int] = field(default_factory=dict)
    stability: Stability = field(default_factory=Stability)
    count: int = 0


def parse_events(document: Mapping[str, Any], events: Mapping[str, Any],
                 clock: Clock | None = None) -> Events:
    """Check an (already schema-valid) events document against the problem document.

    Times may be timestamps when the problem has a clock (``start`` and ``time_unit``, or
    the type's own ``clock``, e.g. energy's ``start`` with ``time_step``)."""
    clock = clock if clock is not None else parse_clock(document)
    now = time_value(events["now"], "now", clock)
    machines = {str(m["id"]) for m in document["machines"]}
    jobs = {str(j["id"]): j for j in document["jobs"]}
    down: list[Window] = []
    rush: list[Mapping[str, Any]] = []
    rush_events: list[int] = []
    cancelled: list[str] = []
    late: dict[tuple[str, int], int] = {}
    items = events.get("events") or []
    for i, ev in enumerate(items):
        where = f"events[{i}]"
        kind = ev["type"]
        if kind == "machine_down":
            name = str(ev["machine"])
            if name not in machines:
                raise InvalidProblem(f"{where}.machine", f"unknown machine {name!r}")
            start = time_value(ev["start"], f"{where}.start", clock)
            end = time_value(ev["end"], f"{where}.end", clock)
            if end <= start:
                raise InvalidProblem(f"{where}.end", "must be after start")
            down.append(Window(name, start, end))
        elif kind == "rush_order":
            jid = str(ev["job"]["id"])
            if jid in jobs or any(str(r["id"]) == jid for r in rush):
                raise InvalidProblem(f"{where}.job.id", f"a job {jid!r} already exists")
            rush.append(ev["job"])
            rush_events.append(i)
        elif kind == "cancel":
            jid = _known_job(jobs, ev["job"], f"{where}.job")
            if jid in cancelled:
                raise InvalidProblem(f"{where}.job", f"job {jid!r} is already cancelled")
            cancelled.append(jid)
        else:  # running_late
            jid = _known_job(jobs, ev["job"], f"{where}.job")
            op = int(ev["operation"])
            if op >= len(jobs[jid]["operations"]):
                raise InvalidProblem(f"{where}.operation", f"job {jid!r} has no operation {op}")
            late[(jid, op)] = late.get((jid, op), 0) + int(ev["extra"])
    for i, ev in enumerate(items):
        if ev["type"] == "running_late" and str(ev["job"]) in cancelled:
            raise InvalidProblem(f"events[{i}].job", f"job {ev['job']!r} is cancelled")
    raw = events.get("stability") or {}
    stability = Stability(
        mode=str(raw.get("mode", "lexicographic")),
        shift=float(raw.get("shift", DEFAULT_SHIFT_WEIGHT)),
        machine_change=float(raw.get("machine_change", DEFAULT_MACHINE_CHANGE_WEIGHT)),
        tolerance=float(raw.get("tolerance", 0.0)),
    )
    return Events(now, tuple(down), tuple(rush), tuple(rush_events),
                  tuple(cancelled), late, stability, len(items))


def _known_job(jobs: Mapping[str, Any], value: Any, where: str) -> str:
    jid = str(value)
    if jid not in jobs:
        raise InvalidProblem(where, f"unknown job {jid!r}")
    return jid


def amend_document(
    document: Mapping[str, Any], events: Events, started: Mapping[tuple[str, int], int]
) -> dict[str, Any]:
    """The problem after the events: cancelled jobs gone, rush jobs appended, late
    operations longer.  ``started[(job, op)]`` is the old mode of each operation that
    started before ``now``: only that mode gets longer; an operation not yet started
    takes ``extra`` longer in every mode."""
    doc = copy.deepcopy(dict(document))
    doc["jobs"] = [j for j in doc["jobs"] if str(j["id"]) not in events.cancelled]
    for job in doc["jobs"]:
        for o, op in enumerate(job["operations"]):
            extra = events.late.get((str(job["id"]), o))
            if extra is None:
                continue
            mode = started.get((str(job["id"]), o))
            for k, md in enumerate(op["modes"]):
                if mode is None or k == mode:
                    md["duration"] = int(md["duration"]) + extra
    doc["jobs"].extend(copy.deepcopy(dict(job)) for job in events.rush)
    return doc


def rush_field(field_path: str, kept_jobs: int, events: Events) -> str:
    """Map a field of the amended document (``jobs[7].operations[0]...``) that belongs to
    a rush job back to its place in the events document (``events[2].job.operations[0]``)."""
    if not field_path.startswith("jobs["):
        return field_path
    close = field_path.find("]")
    try:
        index = int(field_path[5:close])
    except ValueError:
        return field_path
    if index < kept_jobs or index - kept_jobs >= len(events.rush_events):
        return field_path
    return f"events[{events.rush_events[index - kept_jobs]}].job{field_path[close + 1:]}"
