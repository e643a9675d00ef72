"""A three-machine shop and a hand-made plan to re-plan (no solve needed for the old plan).

Shop: A = [M1 4 | M2 5] -> [M3 3];  B = [M2 3] -> [M1 4 | M3 4];  C = [M1 2] -> [M2 3].
Plan (makespan 13):  M1: A0 [0,4) B1 [4,8) C0 [8,10);  M2: B0 [0,3) C1 [10,13);
M3: A1 [4,7).  At now = 5, A0, A1, B0 and B1 have started.
"""

from __future__ import annotations

import copy
from typing import Any

from optikit.problem_io import LoadedProblem, load_document
from optikit.registry import Registry

SHOP: dict[str, Any] = {
    "type": "fjsp",
    "name": "replan-tiny",
    "machines": [{"id": "M1"}, {"id": "M2"}, {"id": "M3"}],
    "jobs": [
        {"id": "A", "due": 12, "operations": [
            {"modes": [{"machine": "M1", "duration": 4}, {"machine": "M2", "duration": 5}]},
            {"modes": [{"machine": "M3", "duration": 3}]}]},
        {"id": "B", "operations": [
            {"modes": [{"machine": "M2", "duration": 3}]},
            {"modes": [{"machine": "M1", "duration": 4}, {"machine": "M3", "duration": 4}]}]},
        {"id": "C", "operations": [
            {"modes": [{"machine": "M1", "duration": 2}]},
            {"modes": [{"machine": "M2", "duration": 3}]}]},
    ],
    "objective": "makespan",
}


def _op(job: str, op: int, mode: int, machine: str, start: int, end: int) -> dict[str, Any]:
    return {"job": job, "operation": op, "mode": mode, "machine": machine, "start": start,
            "end": end}


PLAN: dict[str, Any] = {
    "type": "fjsp",
    "status": "feasible",
    "objective": 13,
    "solution": {"operations": [
        _op("A", 0, 0, "M1", 0, 4), _op("B", 0, 0, "M2", 0, 3), _op("A", 1, 0, "M3", 4, 7),
        _op("B", 1, 0, "M1", 4, 8), _op("C", 0, 0, "M1", 8, 10), _op("C", 1, 0, "M2", 10, 13),
    ]},
}

RUSH: dict[str, Any] = {"id": "R", "operations": [
    {"modes": [{"machine": "M2", "duration": 2}, {"machine": "M3", "duration": 2}]}]}


def shop() -> dict[str, Any]:
    return copy.deepcopy(SHOP)


def plan() -> dict[str, Any]:
    return copy.deepcopy(PLAN)


def events(now: int = 5, *items: dict[str, Any], **stability: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"now": now, "events": list(items)}
    if stability:
        doc["stability"] = stability
    return doc


def loaded(registry: Registry) -> LoadedProblem:
    return load_document(shop(), registry, source="shop")
