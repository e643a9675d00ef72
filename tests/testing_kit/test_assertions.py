"""The status-semantics assertions reject each broken rule of the contract."""

from __future__ import annotations

import pytest

from optikit.testing import assert_status_semantics, generic_corruptions
from optikit.types import SolveOptions

GOOD = {
    "type": "t", "name": "n", "status": "optimal", "objective": 10.0, "bound": 10.0,
    "gap": 0.0, "solver": "s", "time_s": 0.1, "solution": {"x": [1]},
    "check": {"feasible": True},
}
OPTIONS = SolveOptions(gap=1e-6)


def test_a_correct_document_passes() -> None:
    assert_status_semantics(GOOD, OPTIONS, "min")
    unknown = {**GOOD, "status": "unknown", "objective": None, "bound": None, "gap": None}
    del unknown["solution"]
    assert_status_semantics(unknown, OPTIONS, "min")


@pytest.mark.parametrize(("change", "sense", "words"), [
    ({"gap": 0.01, "bound": 9.9}, "min", "gap"),
    ({"bound": 11.0, "status": "feasible"}, "min", "bound"),
    ({"bound": 9.0, "status": "feasible"}, "max", "bound"),
    ({"check": {"feasible": False}}, "min", "check"),
    ({"status": "unknown"}, "min", "payload"),
    ({"status": "solved"}, "min", "unknown status"),
])
def test_each_broken_rule_is_named(change: dict, sense: str, words: str) -> None:
    with pytest.raises(AssertionError, match=words):
        assert_status_semantics({**GOOD, **change}, OPTIONS, sense)


def test_error_documents_must_explain() -> None:
    error = {**GOOD, "status": "error", "objective": None}
    del error["solution"]
    with pytest.raises(AssertionError, match="say what went wrong"):
        assert_status_semantics(error, OPTIONS)
    assert_status_semantics({**error, "message": "boom"}, OPTIONS)


def test_generic_corruptions_change_the_payload() -> None:
    payload = {"amounts": {"a": 1.0}, "order": [1, 2], "note": "x"}
    cases = dict(generic_corruptions(payload))
    assert cases["empty payload"] == {}
    assert cases["every list and mapping emptied"] == {"amounts": {}, "order": [], "note": "x"}
    assert dict(generic_corruptions({"note": "x"})) == {"empty payload": {}}
