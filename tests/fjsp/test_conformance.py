"""The plugin-contract conformance suite, run on fjsp as installed."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from optikit.testing.conformance import ProblemTypeConformance


class TestFjspConformance(ProblemTypeConformance):
    problem_type = "fjsp"
    solvers = ("cpsat", "highs")

    def corruptions(
        self, problem: Any, payload: dict[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any]]]:
        ops = payload["operations"]
        bad = copy.deepcopy(payload)
        first = bad["operations"][0]
        first["end"] += 1
        yield "an operation one unit too long", bad
        bad = copy.deepcopy(payload)
        bad["operations"].pop()
        yield "an operation left out", bad
        # Two operations of one job swapped in time (precedence).
        by_job: dict[str, list[dict[str, Any]]] = {}
        for o in ops:
            by_job.setdefault(o["job"], []).append(o)
        multi = next((v for v in by_job.values() if len(v) > 1), None)
        if multi is not None:
            bad = copy.deepcopy(payload)
            a, b = sorted(
                (o for o in bad["operations"] if o["job"] == multi[0]["job"]),
                key=lambda o: o["operation"],
            )[:2]
            d = b["end"] - b["start"]
            b["start"], b["end"] = a["start"], a["start"] + d
            yield "a job's second operation starts with its first", bad
        # Everything on one machine at time 0 (capacity).
        bad = copy.deepcopy(payload)
        for o in bad["operations"]:
            d = o["end"] - o["start"]
            o["start"], o["end"] = 0, d
        yield "everything starts at time 0", bad
