"""Bad plant documents are refused with one line naming the field."""

from __future__ import annotations

from typing import Any

import pytest

import optikit
from optikit.types import InputError
from tests.rostering.conftest import plant


def _bad_shift_time(doc: dict[str, Any]) -> None:
    doc["shifts"][0]["start"] = "25:00"


def _start_without_end(doc: dict[str, Any]) -> None:
    del doc["shifts"][0]["end"]


def _unknown_cover_shift(doc: dict[str, Any]) -> None:
    doc["cover"][0]["shift"] = "X"


def _duplicate_employee(doc: dict[str, Any]) -> None:
    doc["employees"][1]["id"] = "ann"


def _unknown_preset(doc: dict[str, Any]) -> None:
    doc["rules"] = "mars-code"


def _safety_skill_nobody_holds(doc: dict[str, Any]) -> None:
    doc["safety"] = [{"rule": "skill_per_shift", "skill": "diver"}]


def _request_day_outside(doc: dict[str, Any]) -> None:
    doc["employees"][0]["requests"][0]["day"] = 99


def _contract_unknown_shift(doc: dict[str, Any]) -> None:
    doc["contracts"][0]["max_shifts"] = {"Q": 1}


CASES = [
    (_bad_shift_time, "shifts[0].start"),
    (_start_without_end, "shifts[0]"),
    (_unknown_cover_shift, "cover[0].shift"),
    (_duplicate_employee, "employees[1].id"),
    (_unknown_preset, "rules"),
    (_safety_skill_nobody_holds, "safety[0].skill"),
    (_request_day_outside, "employees[0].requests[0].day"),
    (_contract_unknown_shift, "contracts[0].max_shifts"),
]


@pytest.mark.parametrize(("change", "field"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_document_names_the_field(change: Any, field: str) -> None:
    doc = plant()
    change(doc)
    with pytest.raises(InputError) as info:
        optikit.load(doc)
    assert field in str(info.value) and "\n" not in str(info.value)
