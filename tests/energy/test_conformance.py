"""The plugin-contract conformance suite, run on energy-scheduling as installed."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from optikit.testing.conformance import ProblemTypeConformance


class TestEnergyConformance(ProblemTypeConformance):
    problem_type = "energy-scheduling"
    solvers = ("cpsat", "highs")

    def corruptions(
        self, problem: Any, payload: dict[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any]]]:
        bad = copy.deepcopy(payload)
        bad["energy"]["cost"] = bad["energy"]["cost"] * 0.5
        yield "energy cost halved", bad
        bad = copy.deepcopy(payload)
        bad["energy"]["peak_kw"] = 0.0
        yield "peak claimed zero", bad
        bad = copy.deepcopy(payload)
        bad["operations"][0]["start"] += problem.horizon
        bad["operations"][0]["end"] += problem.horizon
        yield "an operation after the horizon", bad
        bad = copy.deepcopy(payload)
        del bad["energy"]
        yield "no energy block", bad
        if bad.get("switch_on"):
            bad = copy.deepcopy(payload)
            bad["switch_on"] = {m: [] for m in payload["switch_on"]}
            yield "switchable machines never switched on", bad
