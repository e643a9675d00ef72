"""The CSPLib ``.carseq`` reader, its errors, and the published values."""

from __future__ import annotations

from pathlib import Path

import pytest
from optikit_carseq.bounds import lower_bound
from optikit_carseq.model import parse
from optikit_carseq.reader import parse_carseq

from optikit.registry import Registry
from optikit.types import InvalidProblem
from tests.car_sequencing.conftest import INSTANCES, SAMPLES, load, run


def test_reads_set1_instance(registry: Registry) -> None:
    loaded = load(registry, INSTANCES / "set1_19-71.carseq")
    problem = loaded.problem
    assert problem.num_cars == 100
    assert [(o.max, o.window) for o in problem.options] == [(1, 2), (2, 3), (1, 3), (2, 5),
                                                            (1, 5)]
    assert len(problem.classes) == 23 and problem.classes[0].id == "0"
    assert problem.weights.high == 1 and problem.weights.colour == 0


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "line 1"),
        ("3 1 1\n1\n2\n", "line 4"),
        ("3 1 1\n1 1\n2\n0 3 1\n", "line 2"),
        ("3 1 1\n3\n2\n0 3 1\n", "line 2"),
        ("3 1 1\n1\n2\n0 2 1\n", "line 1"),
        ("3 1 1\n1\n2\n0 3 2\n", "line 4"),
        ("3 1 1\n1\n2\n0 3 x\n", "line 4"),
        ("3 1 2\n1\n2\n0 2 1\n0 1 0\n", "line 5"),
    ],
)
def test_malformed_files_name_the_line(text: str, where: str) -> None:
    with pytest.raises(InvalidProblem) as err:
        parse_carseq(text)
    assert err.value.field == where


def test_bad_file_exits_2_with_one_line(tmp_path: Path, optikit_cli) -> None:
    bad = tmp_path / "bad.carseq"
    bad.write_text("10 1 1\n1\n2\n0 9 1\n")
    result = optikit_cli().invoke("solve", str(bad))
    assert result.exit_code == 2
    assert "bad.carseq" in result.stderr and "line 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_published_values_set2_solved_to_zero(registry: Registry) -> None:
    """CSPLib set 2 is all satisfiable: the main formulation proves 0 (bound 0) fast."""
    result = run(registry, SAMPLES / "csplib_60-01.carseq", time_limit=10)
    doc = result.document
    assert doc["status"] == "optimal" and doc["objective"] == 0
    assert doc["check"]["feasible"]


def test_option_wise_bound() -> None:
    """Six cars of a 1-in-2 option among ten: capacity 5, so at least 1 excess."""
    problem = parse(parse_carseq("10 1 2\n1\n2\n0 6 1\n1 4 0\n"))
    assert lower_bound(problem) == 1
    # set 1 is "hard" in the pairs of options, not option by option: the bound is 0.
    problem = parse(parse_carseq((INSTANCES / "set1_19-71.carseq").read_text()))
    assert lower_bound(problem) == 0
