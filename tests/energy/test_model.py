"""Energy model parsing limits."""

from __future__ import annotations

import pytest


def test_an_absurd_horizon_is_refused_with_a_clear_message():
    from optikit.plugins import load_registry
    from optikit.problem_io import ProblemFileError, load_document

    registry = load_registry(env={"OPTIKIT_LOAD_PLUGINS": "energy,fjsp"})
    doc = {
        "type": "energy-scheduling", "horizon": 10**9,
        "tariff": [{"start": 0, "end": 10**9, "price": 1, "carbon": 0}],
        "machines": [{"id": "M1"}],
        "jobs": [{"id": "J1", "operations": [{"modes": [{"machine": "M1", "duration": 1,
                                                           "power": 1}]}]}],
    }
    with pytest.raises(ProblemFileError, match=r"horizon: .* use a coarser time_step"):
        load_document(doc, registry, source="e.json")
