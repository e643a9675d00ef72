"""Why-late lines in the maintenance summary (a stored plan of the press-line sample, one
job's due date pulled in so that it is late; no solve)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from optikit.plugins import get_registry
from optikit.problem_io import load_document

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "plugins" / "optikit_maintenance" / "samples" / "press-line.yaml"
PLAN = Path(__file__).with_name("press_line_solution.json")


def test_maintenance_summary_names_the_chain_and_the_maintenance_wait() -> None:
    doc = yaml.safe_load(SAMPLE.read_text())
    for job in doc["jobs"]:
        if job["id"] == "door-panels":
            job["due"] = 5
    loaded = load_document(doc, get_registry(), source="press-line")
    assert loaded.ptype.summarize is not None
    rows = dict(loaded.ptype.summarize(loaded.problem, json.loads(PLAN.read_text())))
    assert rows["late jobs"] == "1 of 6 (door-panels)"
    line = rows[""]
    assert line.startswith("door-panels late by 11 h (weight 40): press-2 (maintenance "
                           "bearings-press-2")
    assert line.endswith("bottleneck press-2")
