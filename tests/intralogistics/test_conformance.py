"""The plugin-contract conformance suite, run on intralogistics as installed.

Two classes: the default solver (``ortools-routing``: the ``routing`` formulation), and the
``pyvrp`` backend (the ``pyvrp`` formulation) on plants it can model, skipped with the
reason where the extra ``optikit[pyvrp]`` is not installed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from optikit.testing.conformance import ProblemTypeConformance


def representable(document: dict[str, Any]) -> dict[str, Any]:
    """A generated plant without what PyVRP cannot model: batteries, chargers, lateness."""
    for vehicle in document["vehicles"]:
        vehicle.pop("battery", None)
    document.pop("chargers", None)
    document["objective"] = {"vehicles": document["objective"].get("vehicles", 0),
                             "distance": 1}
    return document


class _RouteCorruptions:
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


class TestIntralogisticsConformance(_RouteCorruptions, ProblemTypeConformance):
    problem_type = "intralogistics"
    solvers = ("ortools-routing",)
    time_limit = 5.0  # tiny instances are proven by the exhaustive search


class TestIntralogisticsPyVRPConformance(_RouteCorruptions, ProblemTypeConformance):
    """The ``pyvrp`` formulation; PyVRP searches to its limit and never proves."""

    problem_type = "intralogistics"
    solvers = ("pyvrp",)
    time_limit = 1.0
    expect_optimal = False

    def tiny_document(self) -> dict[str, Any]:
        return representable(super().tiny_document())

    def limit_document(self) -> dict[str, Any] | None:
        found = super().limit_document()
        return None if found is None else representable(found)


# what does not depend on the solver runs once, in the first class (None: not collected)
for _name in ("test_type_is_registered", "test_type_is_described",
              "test_schema_is_valid_and_json_clean", "test_schema_command_prints_the_schema",
              "test_samples_validate", "test_documents_round_trip",
              "test_generator_is_seeded_and_valid"):
    setattr(TestIntralogisticsPyVRPConformance, _name, None)
