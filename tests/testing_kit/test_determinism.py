"""Timing fields are defined in one place, and only they are ignored."""

from __future__ import annotations

from typing import Any

from optikit.testing import TIMING_KEYS, strip_timings
from optikit.testing.determinism import is_timing_key, timing_differences

DOC: dict[str, Any] = {
    "type": "t", "status": "optimal", "objective": 3.0, "time_s": 0.12,
    "stats": {"wall_time": 0.1, "user_time": 0.2, "branches": 17,
              "stages": [{"name": "lns", "search_s": 0.4, "improvements": 2}]},
    "solution": {"x": [1, 2]},
}


def test_timings_are_removed_and_nothing_else() -> None:
    stripped = strip_timings(DOC)
    assert "time_s" not in stripped
    assert stripped["stats"] == {"branches": 17, "stages": [{"name": "lns", "improvements": 2}]}
    assert stripped["solution"] == DOC["solution"]
    assert DOC["stats"]["wall_time"] == 0.1  # the original is untouched


def test_timing_key_rule() -> None:
    assert {"wall_time", "time_s"} <= TIMING_KEYS
    assert is_timing_key("model_build_time") and is_timing_key("search_s")
    assert not is_timing_key("branches") and not is_timing_key("status")


def test_differences_ignore_timings_and_report_the_rest() -> None:
    other = {**DOC, "time_s": 9.0, "stats": {**DOC["stats"], "wall_time": 5.0}}
    assert timing_differences(DOC, other) == []
    changed = {**other, "solution": {"x": [1, 3]}, "stats": {**DOC["stats"], "branches": 18}}
    assert sorted(timing_differences(DOC, changed)) == ["solution.x[1]: 2 != 3",
                                                        "stats.branches: 17 != 18"]
