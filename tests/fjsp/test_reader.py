"""The ``.fjs`` reader: the published files, whitespace variants, and malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from optikit_fjsp.reader import parse_fjs, read_fjs

from optikit.cli import cli
from optikit.registry import Registry
from optikit.types import InvalidProblem
from tests.fjsp.conftest import ALL_FJS, instance, load

# Brandimarte's README figures: jobs, header machines, operations.
BRANDIMARTE = {
    "mk01": (10, 6, 55),
    "mk02": (10, 6, 58),
    "mk03": (15, 8, 150),
    "mk04": (15, 8, 90),
    "mk05": (15, 4, 106),
    "mk06": (10, 10, 150),
    "mk07": (20, 5, 100),
    "mk08": (20, 10, 225),
    "mk09": (20, 10, 240),
    "mk10": (20, 15, 240),
}


def test_all_copied_instances_are_present() -> None:
    names = {p.stem for p in ALL_FJS}
    assert set(BRANDIMARTE) <= names
    assert {f"sfjs{i:02d}" for i in range(1, 11)} <= names
    assert {f"mfjs{i:02d}" for i in range(1, 11)} <= names
    assert {"kacem1", "kacem2"} <= names


@pytest.mark.parametrize("name", sorted(BRANDIMARTE))
def test_brandimarte_sizes(name: str, registry: Registry) -> None:
    loaded = load(registry, instance(name))
    jobs, machines, ops = BRANDIMARTE[name]
    assert loaded.ptype.name == "fjsp"
    assert loaded.name == name
    shop = loaded.problem.shop
    assert len(shop.jobs) == jobs and len(shop.machines) == machines
    assert shop.num_operations == ops
    assert [j.id for j in shop.jobs][:2] == ["J1", "J2"]
    assert shop.machines[0].id == "M1"
    assert loaded.problem.objective.is_makespan


def test_first_job_of_mk01_read_exactly() -> None:
    # mk01 line 2: "6 2 1 5 3 4 3 5 3 3 5 2 1 2 3 4 6 2 3 6 5 2 6 1 1 1 3 1 3 6 6 3 6 4 3"
    doc = read_fjs(instance("mk01"))
    ops = doc["jobs"][0]["operations"]
    assert len(ops) == 6
    assert ops[0]["modes"] == [{"machine": "M1", "duration": 5}, {"machine": "M3", "duration": 4}]
    assert ops[1]["modes"] == [
        {"machine": "M5", "duration": 3},
        {"machine": "M3", "duration": 5},
        {"machine": "M2", "duration": 1},
    ]
    assert ops[-1]["modes"] == [
        {"machine": "M6", "duration": 6},
        {"machine": "M3", "duration": 6},
        {"machine": "M4", "duration": 3},
    ]


def test_crlf_tabs_and_blank_lines_are_tolerated() -> None:
    text = "2\t2\t1.5\r\n\r\n2  1 1 3   2 1 2 2 4\r\n\t1 1 2 6\r\n\r\n"
    doc = parse_fjs(text, "x")
    assert doc["name"] == "x"
    assert [len(j["operations"]) for j in doc["jobs"]] == [2, 1]
    assert doc["jobs"][0]["operations"][1]["modes"] == [
        {"machine": "M1", "duration": 2},
        {"machine": "M2", "duration": 4},
    ]
    assert doc["objective"] == "makespan"


def test_header_without_flexibility_value() -> None:
    assert len(parse_fjs("1 1\n1 1 1 5\n")["jobs"]) == 1


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", "line 1", "empty"),
        ("2\n", "line 1", "header"),
        ("x 2\n1 1 1 3\n", "line 1", "integers"),
        ("2 2\n1 1 1 3\n", "line 3", "expected 2 job lines"),
        ("1 2\n1 1 1 3\n1 1 1 3\n", "line 3", "more job lines"),
        ("1 2\n2 1 1 3\n", "line 2", "operation 2 of 2 is missing"),
        ("1 2\n1 2 1 3\n", "line 2", "ends early"),
        ("1 2\n1 1 3 3\n", "line 2", "machine 3 is not in 1..2"),
        ("1 2\n1 1 0 3\n", "line 2", "machine 0"),
        ("1 2\n1 1 1 3 7\n", "line 2", "unexpected"),
        ("1 2\n1 1 1 x\n", "line 2", "not a number"),
        ("1 2\n1 1 1 2.5\n", "line 2", "not an integer"),
        ("1 2\n1 0\n", "line 2", "alternatives"),
        ("1 2\n0\n", "line 2", "at least one operation"),
        ("1 2\n1 1 1 -4\n", "line 2", "negative"),
    ],
)
def test_malformed_files_name_the_line(text: str, line: str, words: str) -> None:
    with pytest.raises(InvalidProblem) as caught:
        parse_fjs(text, "bad")
    assert caught.value.field == line
    assert words in caught.value.message


def test_cli_validate_reports_file_line_and_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.fjs"
    bad.write_text("2 3\n1 1 1 4\n1 1 7 2\n")
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 2
    message = result.output.strip()
    assert "Traceback" not in message
    assert str(bad) in message and "line 3" in message and "machine 7" in message
    good = tmp_path / "good.fjs"
    good.write_text("2 3\n1 1 1 4\n1 1 3 2\n")
    assert CliRunner().invoke(cli, ["validate", str(good)]).exit_code == 0
