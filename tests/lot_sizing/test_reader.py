"""The `.clsp` reader: F1 and G73 as published, G73's quirk, and hostile files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from optikit_lotsizing.reader import parse_clsp, read_clsp

from optikit.types import InvalidProblem
from tests.lot_sizing.conftest import INSTANCES, SAMPLES


def test_f1_is_read_as_published() -> None:
    doc = read_clsp(SAMPLES / "F1.clsp")
    assert doc["type"] == "lot-sizing" and doc["name"] == "F1"
    assert doc["periods"] == 15
    assert doc["resources"] == [{"id": "M1", "capacity": 728}]
    assert [item["id"] for item in doc["items"]] == [f"I{i}" for i in range(1, 7)]
    first = doc["items"][0]
    assert first["holding_cost"] == 5
    assert first["production"] == [{"resource": "M1", "time_per_unit": 1, "setup_time": 40,
                                    "setup_cost": 1000}]
    assert first["demand"][:3] == [108, 80, 0]
    assert doc["items"][5]["demand"][-1] == 103


def test_g73_second_block_ignores_the_extra_value() -> None:
    doc = read_clsp(INSTANCES / "G73.clsp")
    assert doc["periods"] == 30 and len(doc["items"]) == 24
    items = doc["items"]
    # First line of the 9-wide second block: "86 121 105 0 82 100 109 0 96 1".
    assert [items[15 + j]["demand"][0] for j in range(9)] == [86, 121, 105, 0, 82, 100,
                                                              109, 0, 96]
    # The next line is period 2 of the same items, not shifted by the stray "1".
    assert [items[15 + j]["demand"][1] for j in range(9)] == [102, 0, 108, 0, 0, 108, 0,
                                                              78, 120]
    assert items[14]["demand"][0] == 77 and items[0]["demand"][29] > 0


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("", "line 1", "empty"),
        ("6\n", "line 1", "items periods"),
        ("x 15\n", "line 1", "not a number"),
        ("6 0\n1\n728\n", "line 1", ">= 1"),
        ("2 2\n2\n100\n1 1 1 1\n1 1 1 1\n5 5\n5 5\n", "line 2", "only 1 machine"),
        ("2 2\n1\n100\n1 1 1\n1 1 1 1\n5 5\n5 5\n", "line 4", "expected 4 values"),
        ("2 2\n1\n100\n1 1 1 1\n1 1 1 1\n5\n5 5\n", "line 6", "demand of period 1"),
        ("2 2\n1\n100\n1 1 1 1\n1 -1 1 1\n5 5\n5 5\n", "line 5", ">= 0"),
        ("2 2\n1\n100\n1 1 1 1\n1 nan 1 1\n5 5\n5 5\n", "line 5", "finite"),
        ("2 2\n1\n100\n1 1 1 1\n1 1 1 1\n5 5\n5 5\n7 7\n", "line 8", "after the demand"),
    ],
)
def test_bad_files_name_the_line(text: str, where: str, words: str) -> None:
    with pytest.raises(InvalidProblem) as info:
        parse_clsp(text)
    assert info.value.field == where
    assert words in info.value.message


def test_huge_header_fails_before_allocating() -> None:
    with pytest.raises(InvalidProblem) as info:
        parse_clsp("1000000000 1000000000\n1\n5\n")
    assert info.value.field == "line 1" and "claims" in info.value.message


@pytest.mark.parametrize(
    "content",
    [b"1000000000 15\n1\n728\n", b"6 1000000000\n1\n728\n1 1 1 1\n", b"\xff\xfe\x00bin",
     b"6\t15\n1\n728\n" + b"1\t1\t1\t1\n" * 6 + b"5\t5\n" * 15],
)
def test_hostile_files_exit_2_with_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.clsp"
    path.write_bytes(content)
    done = subprocess.run([sys.executable, "-m", "optikit", "solve", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.clsp" in lines[0] and "line" in lines[0]
    assert done.stdout == ""
