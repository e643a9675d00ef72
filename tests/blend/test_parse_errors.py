"""Invalid blend documents: each rule gives its own message and the offending field path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from optikit.problem_io import LoadedProblem, ProblemFileError

Edit = Callable[[dict[str, Any]], object]


def _set(path: str, value: Any) -> Edit:
    """An edit that sets a nested key, e.g. ``materials.1.min``."""

    def edit(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return edit


def _add_group(group: dict[str, Any]) -> Edit:
    return lambda doc: doc["groups"].append(group)


def _add_ratio(ratio: dict[str, Any]) -> Edit:
    return lambda doc: doc["ratios"].append(ratio)


CASES: list[tuple[str, Edit, str, str]] = [
    # (case id, edit, field path, words the message must contain)
    ("duplicate id", _set("materials.2.id", "ORE_A"), "materials[2].id", "duplicate material id"),
    ("min above max", lambda d: d["materials"][1].update(min=5, max=3), "materials[1].min",
     "greater than max"),
    ("composition over 100", _set("materials.1.composition.MgO", 51.0),
     "materials[1].composition", "more than 100"),
    ("spec on unknown component", _set("specs.Mn", {"max": 1.0}), "specs.Mn",
     "no material contains"),
    ("spec min on unknown component", _set("specs.Mn", {"min": 0.5}), "specs.Mn.min",
     "can never be met"),
    ("spec min on an all-zero component",
     lambda d: (d["materials"][0]["composition"].update(MgO=0.0), d["specs"].update(
         MgO={"min": 1.0})), "specs.MgO.min", "every material has 0 %"),
    ("spec min above max", _set("specs.Fe", {"min": 50.0, "max": 40.0}), "specs.Fe.min",
     "greater than max"),
    ("ratio unknown component",
     _add_ratio({"name": "r", "numerator": {"MgO": 1}, "denominator": {"SiO2": 1}, "max": 1}),
     "ratios[1].numerator.MgO", "no material contains"),
    ("ratio min above max", lambda d: d["ratios"][0].update(min=3.0, max=2.0), "ratios[0].min",
     "greater than max"),
    ("ratio zero denominator",
     lambda d: (d["materials"][0]["composition"].update(Al2O3=0.0), d["ratios"].append(
         {"name": "r", "numerator": {"CaO": 1}, "denominator": {"Al2O3": 1}, "max": 1})),
     "ratios[1].denominator", "zero for every material"),
    ("ratio duplicate name",
     _add_ratio({"name": "basicity", "numerator": {"CaO": 1}, "denominator": {"SiO2": 1},
                 "max": 3}), "ratios[1].name", "duplicate ratio name"),
    ("group unknown material",
     _add_group({"name": "g", "materials": ["ORE_A", "FLUX", "ORE_C"], "max": 0.5}),
     "groups[1].materials[2]", "unknown material 'ORE_C'"),
    ("group material twice",
     _add_group({"name": "g", "materials": ["ORE_A", "ORE_A"], "max": 0.5}),
     "groups[1].materials[1]", "listed twice"),
    ("group unknown of",
     _add_group({"name": "g", "materials": ["ORE_A"], "of": ["ORE_B", "SCRAP"], "max": 0.5}),
     "groups[1].of[1]", "unknown material 'SCRAP'"),
    ("group min above max", lambda d: d["groups"][0].update(min=0.8, max=0.6), "groups[0].min",
     "greater than max"),
    ("group min_count above max_count",
     lambda d: d["groups"][0].update(min_count=2, max_count=1), "groups[0].min_count",
     "greater than max_count"),
    ("group min_count above size", lambda d: d["groups"][0].update(min_count=3),
     "groups[0].min_count", "more than the group's 2 materials"),
    ("group without limits", _add_group({"name": "g", "materials": ["ORE_A"]}), "groups[1]",
     "sets no limit"),
    ("group duplicate name", _add_group({"name": "ores", "materials": ["FLUX"], "max": 0.1}),
     "groups[1].name", "duplicate group name"),
    # Rules the JSON Schema states (checked by the core before parse).
    ("negative cost", _set("materials.1.cost", -3), "materials[1].cost", ">= 0"),
    ("loss of 100", _set("materials.2.loss", 100), "materials[2].loss", "< 100"),
    ("composition over 100 %", _set("materials.0.composition.Fe", 101),
     "materials[0].composition.Fe", "<= 100"),
    ("zero total", _set("total", 0), "total", "> 0"),
    ("unknown field", _set("materials.0.price", 3), "materials[0].price", "unknown field"),
    ("misspelt top-level key", _set("ratio", []), "ratio", "unknown field"),
    ("group share above 1", _set("groups.0.max", 1.5), "groups[0].max", "<= 1"),
    ("ratio weight zero", lambda d: d["ratios"][0]["numerator"].update(CaO=0),
     "ratios[0].numerator.CaO", "> 0"),
    ("max_materials zero", _set("max_materials", 0), "max_materials", ">= 1"),
    ("empty materials", _set("materials", []), "materials", "at least 1"),
]


@pytest.mark.parametrize(("case", "edit", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_invalid_document_names_the_field(
    case: str,
    edit: Edit,
    field: str,
    words: str,
    doc: dict[str, Any],
    load: Callable[[dict[str, Any]], LoadedProblem],
) -> None:
    load(doc)  # the unedited document is valid
    edit(doc)
    with pytest.raises(ProblemFileError) as info:
        load(doc)
    assert info.value.field == field, info.value.message
    assert words in info.value.message


def test_lot_equal_to_max_is_allowed(
    doc: dict[str, Any], load: Callable[[dict[str, Any]], LoadedProblem]
) -> None:
    doc["materials"][0].update(min_lot=6.0, max=6.0)
    assert load(doc).problem.needs_integer


def test_spec_max_on_a_zero_component_is_allowed(
    doc: dict[str, Any], load: Callable[[dict[str, Any]], LoadedProblem]
) -> None:
    """A cap on a component every material lacks is pointless but not wrong."""
    doc["materials"][0]["composition"]["MgO"] = 0.0
    doc["specs"]["MgO"] = {"max": 2.0}
    load(doc)
