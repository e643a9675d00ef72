"""The fjsp summary's why-late lines, on the hand-built late schedule (no solver)."""

from __future__ import annotations

from typing import Any

from optikit_fjsp.summary import summarize

import optikit
from tests.whylate.test_critical import shop_doc


def fjsp_doc(objective: Any = "total_weighted_tardiness") -> dict[str, Any]:
    return {"type": "fjsp", "name": "late", **shop_doc(), "objective": objective}


SOLUTION = {"solution": {"operations": [
    {"job": "A", "operation": 0, "mode": 0, "machine": "M1", "start": 0, "end": 3},
    {"job": "A", "operation": 1, "mode": 0, "machine": "M2", "start": 3, "end": 5},
    {"job": "B", "operation": 0, "mode": 0, "machine": "M1", "start": 4, "end": 6},
    {"job": "C", "operation": 0, "mode": 0, "machine": "M2", "start": 6, "end": 8},
]}}


def test_summary_names_chain_and_bottleneck() -> None:
    loaded = optikit.load(fjsp_doc())
    assert optikit.check(loaded, SOLUTION).ok
    rows = summarize(loaded.problem, SOLUTION)
    at = [label for label, _ in rows].index("why late")
    assert rows[at][1].startswith("worst 3 of 3")
    assert rows[at + 1] == ("", "A late by 1 (weight 2): M1 -> M2; bottleneck M1")
    assert rows[at + 2] == ("", "B late by 1: M1 (A, setup 1, B); bottleneck M1")


def test_no_why_late_for_makespan() -> None:
    loaded = optikit.load(fjsp_doc("makespan"))
    assert "why late" not in [label for label, _ in summarize(loaded.problem, SOLUTION)]
