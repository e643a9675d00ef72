"""Invalid pooling documents: one line naming the offending field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from optikit.problem_io import LoadedProblem, ProblemFileError
from tests.pooling.conftest import INSTANCES

Edit = Callable[[dict[str, Any]], object]

CASES: list[tuple[str, Edit, str, str]] = [
    ("unknown arc end", lambda d: d["arcs"][3].update({"to": "p9"}), "arcs[3].to",
     "unknown node 'p9'"),
    ("duplicate id", lambda d: d["pools"][0].update(id="c1"), "pools[0].id", "already used"),
    ("pool to pool", lambda d: d["arcs"].append({"from": "o1", "to": "o1"}), "arcs[6]",
     "pool -> pool arc is not allowed"),
    ("repeated arc", lambda d: d["arcs"].append({"from": "c1", "to": "o1"}), "arcs[6]",
     "repeats arcs[0]"),
    ("fraction on a product arc", lambda d: d["arcs"][2].update(fraction=0.5),
     "arcs[2].fraction", "only input -> pool"),
    ("missing input quality", lambda d: d["inputs"][1].update(quality={}),
     "inputs[1].quality", "missing a value for quality 'q1'"),
    ("unknown quality", lambda d: d["products"][0]["quality_max"].update(sulfur=1),
     "products[0].quality_max.sulfur", "unknown quality 'sulfur'"),
    ("spec min above max", lambda d: d["products"][0].update(quality_min={"q1": 3.0}),
     "products[0].quality_min.q1", "above the maximum"),
    ("demand min above max", lambda d: d["products"][1].update(min=300), "products[1].min",
     "above max"),
    ("pool min above capacity", lambda d: d["pools"][0].update(min=400), "pools[0].min",
     "above the capacity"),
    ("duplicate quality", lambda d: d.update(qualities=["q1", "q1"]), "qualities[1]",
     "listed twice"),
    ("negative power-index value", lambda d: (d.update(qualities=[
        {"name": "q1", "index_power": 1.25}]), d["inputs"][0]["quality"].update(q1=-1.0)),
     "inputs[0].quality.q1", "needs values >= 0"),
    # Rules the JSON Schema states (checked by the core before parse).
    ("fraction above 1", lambda d: d["arcs"][0].update(fraction=1.5), "arcs[0].fraction",
     "<= 1"),
    ("negative capacity", lambda d: d["pools"][0].update(capacity=-1), "pools[0].capacity",
     ">= 0"),
    ("unknown key", lambda d: d["inputs"][0].update(colour="red"), "inputs[0].colour",
     "unknown field"),
    ("unknown arc start", lambda d: d["arcs"][0].update({"from": "crude9"}), "arcs[0].from",
     "unknown node 'crude9'"),
    ("product to pool", lambda d: d["arcs"].append({"from": "p1", "to": "o1"}), "arcs[6]",
     "product -> pool arc is not allowed"),
    ("negative arc max", lambda d: d["arcs"][2].update(max=-5), "arcs[2].max", ">= 0"),
    ("negative input max", lambda d: d["inputs"][0].update(max=-1), "inputs[0].max", ">= 0"),
    ("NaN input quality", lambda d: d["inputs"][0]["quality"].update(q1=float("nan")),
     "inputs[0].quality.q1", "finite"),
    ("NaN price", lambda d: d["products"][0].update(price=float("nan")), "products[0].price",
     "finite"),
    ("negative demand in a list", lambda d: (d.update(periods=2),
                                             d["products"][0].update(max=[5, -1])),
     "products[0].max[1]", ">= 0"),
    ("per-period list without periods", lambda d: d["inputs"][0].update(cost=[1, 2]),
     "inputs[0].cost", "needs `periods`"),
    ("tank stock without periods",
     lambda d: d["pools"][0].update(inventory={"initial": 5, "quality": {"q1": 2}}),
     "pools[0].inventory", "need `periods`"),
]


@pytest.mark.parametrize(("case", "edit", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_invalid_document_names_the_field(
    case: str, edit: Edit, field: str, words: str, haverly1: dict[str, Any],
    load: Callable[[dict[str, Any]], LoadedProblem],
) -> None:
    load(haverly1)  # the unedited document is valid
    edit(haverly1)
    with pytest.raises(ProblemFileError) as info:
        load(haverly1)
    assert info.value.field == field, info.value.message
    assert words in info.value.message


def test_fraction_zero_removes_the_arc(
    haverly1: dict[str, Any], load: Callable[[dict[str, Any]], LoadedProblem]
) -> None:
    haverly1["arcs"][1]["fraction"] = 0.0  # c2 may never enter o1
    problem = load(haverly1).problem
    assert [(a.source, a.target) for a in problem.il] == [("c1", "o1")]


def test_power_index_holds_specs_in_index_space(
    haverly1: dict[str, Any], load: Callable[[dict[str, Any]], LoadedProblem]
) -> None:
    haverly1["qualities"] = [{"name": "q1", "unit": "psi", "index_power": 2.0}]
    problem = load(haverly1).problem
    assert problem.lam[0, 0] == pytest.approx(9.0)
    assert problem.spec_max[0, 0] == pytest.approx(6.25)
    assert problem.to_units(0, 6.25) == pytest.approx(2.5)


def test_cli_gives_one_line_for_a_nan_quality(tmp_path: Path) -> None:
    from optikit.plugins import get_registry
    from optikit.testing import OptikitCli

    text = (INSTANCES / "haverly1.json").read_text()
    document = json.loads(text)
    document["inputs"][0]["quality"]["q1"] = ".nan"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document).replace("'.nan'", ".nan"))
    result = OptikitCli(get_registry()).invoke("solve", path)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "inputs[0].quality.q1" in lines[0], result.output
