"""The built-in plugins pass the same conformance suites as a vendor's plugin.

Problem types and backends still being written are skipped with a reason (the suite runs
against whatever the installed entry points register).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from optikit.testing import BackendConformance, ProblemTypeConformance

NOT_YET = "built-in plugin not registered yet"


def _schedule_corruptions(payload: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """For payloads with the contract's ``operations[]`` (fjsp, energy-scheduling)."""
    ops = payload.get("operations") or []
    if not ops:
        return
    bad = copy.deepcopy(payload)
    bad["operations"][0]["end"] -= 1
    yield "an operation shorter than its mode", bad
    bad = copy.deepcopy(payload)
    del bad["operations"][0]
    yield "an operation left out", bad
    by_machine: dict[str, int] = {}
    for k, op in enumerate(ops):
        first = by_machine.setdefault(op["machine"], k)
        if first != k:
            bad = copy.deepcopy(payload)
            length = op["end"] - op["start"]
            start = ops[first]["start"]
            bad["operations"][k].update(start=start, end=start + length)
            yield "two operations on one machine at once", bad
            break


class TestBlendConformance(ProblemTypeConformance):
    problem_type = "blend"
    skip_if_missing = NOT_YET

    def corruptions(self, problem: Any, payload: dict[str, Any]) -> Iterator[tuple[str, dict]]:
        amounts = payload.get("amounts") or {}
        if any(v > 0 for v in amounts.values()):
            yield "every amount doubled", {**payload,
                                           "amounts": {k: 2 * v for k, v in amounts.items()}}
        yield "an unknown material", {**payload, "amounts": {**amounts, "no-such-ore": 1.0}}


class TestFjspConformance(ProblemTypeConformance):
    problem_type = "fjsp"
    skip_if_missing = NOT_YET

    def corruptions(self, problem: Any, payload: dict[str, Any]) -> Iterator[tuple[str, dict]]:
        yield from _schedule_corruptions(payload)


class TestEnergyConformance(ProblemTypeConformance):
    problem_type = "energy-scheduling"
    skip_if_missing = NOT_YET

    def corruptions(self, problem: Any, payload: dict[str, Any]) -> Iterator[tuple[str, dict]]:
        yield from _schedule_corruptions(payload)


# The OR-Tools and PuLP backends run BackendConformance in
# tests/backends/test_backend_conformance_suite.py (owned with those plugins); the highspy
# backend is covered here.
class TestHighsBackend(BackendConformance):
    backend = "highs"
    skip_if_missing = NOT_YET
