"""The plugin-contract conformance suite, run on lot-sizing as installed."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from optikit.testing.conformance import ProblemTypeConformance


class TestLotSizingConformance(ProblemTypeConformance):
    problem_type = "lot-sizing"
    solvers = ("highs", "cbc")
    time_limit = 30.0

    def corruptions(
        self, problem: Any, payload: dict[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any]]]:
        if payload["production"]:
            bad = copy.deepcopy(payload)
            bad["production"][0]["quantity"] *= 0.5
            yield "a production lot halved", bad
            bad = copy.deepcopy(payload)
            bad["production"][0]["quantity"] += 10_000
            yield "a production lot beyond capacity", bad
        if payload.get("purchases"):
            bad = copy.deepcopy(payload)
            bad["purchases"][0]["supplier"] = "nobody"
            yield "an order from an unknown supplier", bad
        bad = copy.deepcopy(payload)
        item = next(iter(bad["stock"]))
        bad["stock"][item][0] += 1
        yield "stock misreported", bad
