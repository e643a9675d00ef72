"""The plugin-contract conformance suite, run on intralogistics as installed."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from optikit.testing.conformance import ProblemTypeConformance


class TestIntralogisticsConformance(ProblemTypeConformance):
    problem_type = "intralogistics"
    solvers = ("ortools-routing",)
    time_limit = 5.0  # tiny instances are proven by the exhaustive search

    def corruptions(
        self, problem: Any, payload: dict[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any]]]:
        routes = payload["routes"]
        bad = copy.deepcopy(payload)
        bad["routes"][0]["stops"].pop()
        yield "the last stop of a route left out", bad
        bad = copy.deepcopy(payload)
        stops = bad["routes"][0]["stops"]
        stops.reverse()
        yield "a route driven backwards (deliveries before pickups)", bad
        bad = copy.deepcopy(payload)
        bad["routes"].append(copy.deepcopy(routes[0]))
        yield "a route given twice", bad
        bad = copy.deepcopy(payload)
        bad["routes"][0]["vehicle"] = "nobody"
        yield "an unknown vehicle", bad
