"""The conformance suites run in-process against the small test plugin: the problem-type
suite passes an honest plugin, and the backend suite accepts a backend of a new paradigm
that brings its own reference models."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from optikit.testing import BackendCase, BackendConformance, ProblemTypeConformance
from optikit.types import Status
from tests.testing_kit.flawed_plugin import make_plugin

HONEST = make_plugin("honest")


class TestMiniKnapsack(ProblemTypeConformance):
    problem_type = "mini-knapsack"
    plugins = (("mini", HONEST),)
    entry_points = False
    require_samples = False

    def corruptions(self, problem: Any, payload: dict[str, Any]) -> Iterator[tuple[str, dict]]:
        yield "every item", {"picked": [i["id"] for i in problem["items"]]}


def _model() -> dict[str, Any]:
    return {"capacity": 5, "items": [{"id": "a", "value": 4, "weight": 3},
                                     {"id": "b", "value": 3, "weight": 2},
                                     {"id": "c", "value": 5, "weight": 4}]}


class _Result:
    """The mini backend returns (value, ids); the suite reads status and objective."""

    def __init__(self, best: tuple[int, tuple[str, ...]]) -> None:
        self.status = Status.OPTIMAL
        self.objective = float(best[0])
        self.bound = float(best[0])
        self.message = ""


class TestMiniBackend(BackendConformance):
    backend = "mini-brute"
    plugins = (("mini", HONEST),)
    entry_points = False

    def cases(self) -> list[BackendCase]:
        return [BackendCase("three-items", _model, Status.OPTIMAL, 7.0)]

    def solve_case(self, case: BackendCase, ctx: Any = None) -> Any:
        model, best = super().solve_case(case, ctx)
        return model, _Result(best)
