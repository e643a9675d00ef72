"""Invalid documents are refused with the offending field's path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from optikit_fjsp.model import Objective, integer_weights, parse_objective

from optikit.cli import cli
from optikit.problem_io import ProblemFileError
from optikit.registry import Registry
from tests.fjsp.conftest import load, tiny_shop


def mutate(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = copy.deepcopy(tiny_shop())
    change(doc)
    return doc


CASES = [
    ("unknown machine in a mode", lambda d: d["jobs"][1]["operations"][0]["modes"][0].update(
        machine="M9"), "jobs[1].operations[0].modes[0].machine"),
    ("duplicate job id", lambda d: d["jobs"][2].update(id="J1"), "jobs[2].id"),
    ("duplicate machine id", lambda d: d["machines"].append({"id": "M1"}), "machines[2].id"),
    ("negative duration", lambda d: d["jobs"][0]["operations"][1]["modes"][0].update(
        duration=-1), "jobs[0].operations[1].modes[0].duration"),
    ("fractional duration", lambda d: d["jobs"][0]["operations"][1]["modes"][0].update(
        duration=1.5), "jobs[0].operations[1].modes[0].duration"),
    ("no modes", lambda d: d["jobs"][0]["operations"][0].update(modes=[]),
     "jobs[0].operations[0].modes"),
    ("no operations", lambda d: d["jobs"][2].update(operations=[]), "jobs[2].operations"),
    ("negative release", lambda d: d["jobs"][1].update(release=-3), "jobs[1].release"),
    ("negative weight", lambda d: d["jobs"][2].update(weight=-1), "jobs[2].weight"),
    ("setup for an unknown machine", lambda d: d["setups"].update(M7={"A": {"B": 1}}),
     "setups.M7"),
    ("setup for an unknown product", lambda d: d["setups"]["M1"].update(C={"A": 1}),
     "setups.M1.C"),
    ("setup to an unknown product", lambda d: d["setups"]["M1"]["A"].update(Z=1),
     "setups.M1.A.Z"),
    ("negative setup", lambda d: d["setups"]["M1"]["A"].update(B=-2), "setups.M1.A.B"),
    ("unknown objective", lambda d: d.update(objective="flowtime"), "objective"),
    ("unknown objective term", lambda d: d.update(objective={"makespan": 1, "flow": 2}),
     "objective"),
    ("negative objective weight", lambda d: d.update(objective={"makespan": -1}), "objective"),
    ("all-zero objective weights", lambda d: d.update(
        objective={"makespan": 0, "total_weighted_tardiness": 0}), "objective"),
    ("tardiness without due dates", lambda d: [j.pop("due", None) for j in d["jobs"]]
     and d.update(objective="total_weighted_tardiness"), "objective"),
    ("misspelt key", lambda d: d.update(setup={}), ""),
]


@pytest.mark.parametrize(("label", "change", "field"), CASES, ids=[c[0] for c in CASES])
def test_invalid_documents_name_the_field(
    label: str, change: Callable[[dict[str, Any]], None], field: str, registry: Registry
) -> None:
    with pytest.raises(ProblemFileError) as caught:
        load(registry, mutate(change))
    assert caught.value.field.startswith(field), (caught.value.field, caught.value.message)


def test_cli_prints_file_field_message(tmp_path: Path) -> None:
    doc = mutate(lambda d: d["jobs"][1]["operations"][0]["modes"][0].update(machine="M9"))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert "jobs[1].operations[0].modes[0].machine" in result.output
    assert "M9" in result.output
    solved = CliRunner().invoke(cli, ["solve", str(path)])
    assert solved.exit_code == 2 and "Traceback" not in solved.output


def test_objective_forms() -> None:
    assert parse_objective(None) == Objective(1.0, 0.0)
    assert parse_objective("total_weighted_tardiness") == Objective(0.0, 1.0)
    mix = parse_objective({"makespan": 1, "total_weighted_tardiness": 10})
    assert mix.value(20, 3) == 50
    assert mix.describe() == {"makespan": 1.0, "total_weighted_tardiness": 10.0}


def test_integer_weights_exact_and_rounded() -> None:
    ints, scale, exact = integer_weights([1.0, 0.5, 2.25])
    assert exact and ints == [4, 2, 9] and scale == 4
    ints, scale, exact = integer_weights([3.0, 6.0])
    assert exact and ints == [1, 2] and scale == pytest.approx(1 / 3)
    _ints, _scale, exact = integer_weights([1.0, 2**0.5])
    assert not exact
