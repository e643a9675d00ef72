"""The plugin-contract conformance suite, run on pooling as installed."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from optikit.testing.conformance import ProblemTypeConformance


class TestPoolingConformance(ProblemTypeConformance):
    problem_type = "pooling"
    solvers = ("scip",)
    time_limit = 20.0

    def corruptions(
        self, problem: Any, payload: dict[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any]]]:
        bad = copy.deepcopy(payload)
        bad["flows"][0]["amount"] *= 2.0
        yield "one flow doubled", bad
        bad = copy.deepcopy(payload)
        bad["profit"] += 1.0
        yield "profit overstated", bad
        bad = copy.deepcopy(payload)
        bad["flows"].pop()
        yield "a flow dropped", bad
