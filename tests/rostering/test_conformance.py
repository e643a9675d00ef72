"""The plugin-contract conformance suite, run on rostering as installed."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from optikit.testing.conformance import ProblemTypeConformance


class TestRosteringConformance(ProblemTypeConformance):
    problem_type = "rostering"
    solvers = ("cpsat",)

    def corruptions(
        self, problem: Any, payload: dict[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any]]]:
        rows = payload["assignments"]
        first = rows[0]
        bad = copy.deepcopy(payload)
        bad["assignments"].append({**first, "shift": "E" if first["shift"] != "E" else "L"})
        yield "a second shift on the same day", bad
        bad = copy.deepcopy(payload)
        bad["assignments"] = [{"employee": first["employee"], "day": d, "shift": "E"}
                              for d in range(problem.days)]
        yield "one employee works every day (runs, weekends, safety)", bad
        bad = copy.deepcopy(payload)
        leave = next(((e.id, min(e.days_off)) for e in problem.employees if e.days_off), None)
        if leave is not None:
            bad["assignments"].append({"employee": leave[0], "day": leave[1], "shift": "E"})
            yield "a shift on a day of leave", bad
