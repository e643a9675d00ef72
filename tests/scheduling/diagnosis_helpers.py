"""Helpers for the infeasibility-diagnosis tests of the scheduling types.

Each hand-made instance has one known conflict; the diagnosis must name its members, and
moving any member by the relaxation it reports must make the instance feasible (checked
by solving the relaxed instance again, with the same formulation).  Used by
``tests/energy/test_diagnosis.py`` and ``tests/maintenance/test_diagnosis.py``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from optikit.problem_io import load_document
from optikit.runner import solve
from optikit.types import SolveOptions


def run(registry: Any, document: dict[str, Any], solver: str = "cpsat") -> dict[str, Any]:
    loaded = load_document(copy.deepcopy(document), registry, source="test")
    extra = {"baseline": "false"} if document["type"] == "energy-scheduling" else {}
    options = SolveOptions(time_limit=10, threads=2, seed=0, extra=extra)
    result = solve(loaded, registry, solver=solver, options=options)
    assert result.exit_code == (3 if result.document["status"] == "infeasible" else
                                result.exit_code)
    return result.document


def diagnosis_of(registry: Any, document: dict[str, Any], solver: str = "cpsat"
                 ) -> dict[str, Any]:
    doc = run(registry, document, solver)
    assert doc["status"] == "infeasible", doc.get("message")
    diagnosis = doc["analysis"]["diagnosis"]
    assert diagnosis["complete"], diagnosis["summary"]
    return diagnosis


def relaxed(document: dict[str, Any], conflict: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the conflict's constraint moved to its reported relaxed limit."""
    out = copy.deepcopy(document)
    path, value = conflict["constraint"], conflict["relaxed_limit"]
    if path == "horizon" or re.fullmatch(r"jobs\[\d+\]", path):
        out["horizon"] = value  # a job's limit is the horizon: plan further ahead
        if "tariff" in out:
            last = max(out["tariff"], key=lambda p: p["end"])
            last["end"] = value  # the tariff must cover the longer plan
    elif path == "peak_power":
        out["peak_power"] = value
    elif m := re.fullmatch(r"tasks\[(\d+)\]\.window\.(start|end)", path):
        out["tasks"][int(m[1])]["window"][m[2]] = value
    elif m := re.fullmatch(r"(machines|crews)\[(\d+)\]\.(rul|size)", path):
        out[m[1]][int(m[2])][m[3]] = value
    else:
        raise AssertionError(f"no way to relax {path}")
    return out


def assert_each_fix_works(registry: Any, document: dict[str, Any],
                          diagnosis: dict[str, Any], solver: str = "cpsat") -> None:
    fixes = [c for c in diagnosis["conflicts"] if c.get("relaxed_limit") is not None
             and (c.get("scope") == "instance" or c["constraint"] == "horizon")]
    assert fixes
    for conflict in fixes:
        assert conflict["relaxation"] > 0
        doc = run(registry, relaxed(document, conflict), solver)
        assert doc["status"] in ("optimal", "feasible"), (conflict, doc.get("message"))
        assert doc["check"]["feasible"]


def constraints(diagnosis: dict[str, Any]) -> set[str]:
    return {c["constraint"] for c in diagnosis["conflicts"]}
