"""Shared helpers for the intralogistics tests: tiny documents, short limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optikit.plugins import get_registry
from optikit.problem_io import LoadedProblem, load_document
from optikit.runner import SolveResult, solve
from optikit.types import SolveOptions

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "problems" / "intralogistics"


def plant_doc() -> dict[str, Any]:
    """A four-station line on a layout, two AGVs (one with a battery), three orders."""
    return {
        "type": "intralogistics", "name": "mini",
        "layout": {
            "nodes": [{"id": "a", "x": 0, "y": 0}, {"id": "b", "x": 10, "y": 0},
                      {"id": "c", "x": 20, "y": 0}, {"id": "d", "x": 20, "y": 10}],
            "edges": [{"from": "a", "to": "b"}, {"from": "b", "to": "c", "speed": 0.5},
                      {"from": "c", "to": "d", "two_way": False},
                      {"from": "d", "to": "a", "two_way": False, "length": 30}],
        },
        "locations": [{"id": "WH", "node": "a"}, {"id": "S1", "node": "b"},
                      {"id": "S2", "node": "c"}, {"id": "S3", "node": "d"}],
        "chargers": [{"location": "WH", "rate": 2}],
        "orders": [
            {"id": "T1", "pickup": "WH", "delivery": "S2", "due": 60, "priority": 2},
            {"id": "T2", "pickup": "S1", "delivery": "S3", "load": 2,
             "pickup_window": [5, 100]},
            {"id": "T3", "pickup": "S3", "delivery": "WH", "pickup_service": 4,
             "delivery_service": 1},
        ],
        "vehicles": [
            {"id": "A1", "start": "WH", "capacity": 2, "speed": 1,
             "battery": {"capacity": 100, "consumption": 1, "level": 80}},
            {"id": "A2", "start": "WH", "capacity": 3, "speed": 2, "shift": [0, 1000]},
        ],
        "objective": {"vehicles": 10, "distance": 1, "lateness": 1, "priority": 0.5},
    }


def plain_plant() -> dict[str, Any]:
    """The test plant without what PyVRP cannot model; two depots, shifts, two speeds."""
    doc = plant_doc()
    del doc["vehicles"][0]["battery"]
    doc["vehicles"][1].update({"start": "S1", "end": "S3", "count": 2, "shift": [3, 400]})
    doc["orders"][0]["delivery_window"] = [0, 80]
    doc["objective"] = {"vehicles": 10, "distance": 1}
    return doc


def load(document: dict[str, Any]) -> LoadedProblem:
    return load_document(document, get_registry(), source="test")


def run(document: dict[str, Any], formulation: str | None = None, time_limit: float = 1.0,
        **extra: Any) -> SolveResult:
    loaded = load(document)
    return solve(loaded, get_registry(), solver="ortools-routing", formulation=formulation,
                 options=SolveOptions(time_limit=time_limit, threads=1, extra=extra))
