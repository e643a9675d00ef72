"""The plugin-contract conformance suite, run on car-sequencing as installed."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from optikit.testing.conformance import ProblemTypeConformance


class TestCarSequencingConformance(ProblemTypeConformance):
    problem_type = "car-sequencing"
    solvers = ("cpsat",)

    def corruptions(
        self, problem: Any, payload: dict[str, Any]
    ) -> Iterable[tuple[str, dict[str, Any]]]:
        seq = payload["sequence"]
        bad = copy.deepcopy(payload)
        bad["sequence"] = seq[:-1]
        yield "a car missing", bad
        bad = copy.deepcopy(payload)
        bad["sequence"] = [*seq, seq[0]]
        yield "a car too many", bad
        bad = copy.deepcopy(payload)
        bad["sequence"][0] = "no-such-variant"
        yield "an unknown variant", bad
        other = next((c for c in seq if c != seq[0]), None)
        if other is not None:
            bad = copy.deepcopy(payload)
            bad["sequence"][0] = other
            yield "one variant built instead of another", bad
