"""optikit's conformance suite, run against the installed ``maintenance`` plugin.

Install the plugin first (``python -m pip install -e .``): the suite finds it through
its entry point, as users' optikit will.  Two classes: the default CP-SAT formulation,
and the time-indexed MILP on a linear backend (skipped where none is installed).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from optikit.testing import ProblemTypeConformance


class _MaintenanceCorruptions:
    def corruptions(self, problem: Any, payload: dict[str, Any]) -> Iterator[tuple[str, dict]]:
        """One broken rule per corruption; the checker must reject each.

        The stated ``costs`` are dropped from structural corruptions, so that the checker
        has to find the broken rule itself rather than a cost that no longer adds up.
        """
        schedule = {k: v for k, v in payload.items() if k != "costs"}
        ops, tasks = schedule["operations"], schedule["maintenance"]
        if ops:
            bad = copy.deepcopy(schedule)
            bad["operations"][0]["end"] -= 1
            yield "an operation shorter than its mode", bad
            bad = copy.deepcopy(schedule)
            del bad["operations"][0]
            yield "an operation left out", bad
        for k, task in enumerate(tasks):
            clash = next((op for op in ops if op["machine"] == task["machine"]), None)
            if clash is not None:
                bad = copy.deepcopy(schedule)
                length = task["end"] - task["start"]
                bad["maintenance"][k].update(start=clash["start"], end=clash["start"] + length)
                yield f"task {task['task']} on top of production", bad
                break
        index = {t.id: i for i, t in enumerate(problem.tasks)}
        for k, task in enumerate(tasks):
            if problem.must_perform(index[task["task"]]):
                bad = copy.deepcopy(schedule)
                bad["skipped"] = [*bad["skipped"], bad["maintenance"].pop(k)["task"]]
                yield f"mandatory task {task['task']} skipped", bad
                break
        if tasks:
            bad = copy.deepcopy(schedule)
            length = tasks[0]["end"] - tasks[0]["start"]
            bad["maintenance"][0].update(start=problem.horizon - length + 1,
                                         end=problem.horizon + 1)
            yield "a task past the horizon", bad
        bad = copy.deepcopy(payload)
        bad["costs"]["objective"] += 1.0
        yield "a misstated cost", bad


class TestMaintenanceConformance(_MaintenanceCorruptions, ProblemTypeConformance):
    problem_type = "maintenance"


class TestMaintenanceMilpConformance(_MaintenanceCorruptions, ProblemTypeConformance):
    """The time-indexed MILP, on the first linear backend installed (HiGHS preferred)."""

    problem_type = "maintenance"
    solvers = ("highs",)
    limit_size = "tiny"  # the MILP refuses large horizons by design
