"""Gantt charts: png, svg, pdf (matplotlib) and self-contained html, setups visible."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from optikit_fjsp.gantt import bars, draw, render_html

from optikit.registry import Registry
from tests.fjsp.conftest import load, tiny_schedule, tiny_shop


@pytest.fixture
def problem(registry: Registry):
    return load(registry, tiny_shop()).problem


def test_bars_include_the_changeover(problem) -> None:
    items, groups = bars(problem, {"solution": tiny_schedule()})
    assert groups == ["A", "B"]  # coloured by product
    setups = [b for b in items if b.setup]
    assert len(setups) == 1
    assert (setups[0].machine, setups[0].start, setups[0].end) == (0, 3, 5)
    assert sum(not b.setup for b in items) == 5


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_binary_formats(problem, tmp_path: Path, suffix: str, magic: bytes) -> None:
    path = tmp_path / f"chart{suffix}"
    draw(problem, {"name": "tiny", "status": "optimal", "solution": tiny_schedule()}, path)
    assert path.read_bytes().startswith(magic)
    assert path.stat().st_size > 2000


def test_svg(problem, tmp_path: Path) -> None:
    path = tmp_path / "chart.svg"
    draw(problem, {"solution": tiny_schedule()}, path)
    text = path.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "J2.1" in text and "changeover" in text


def test_html_is_self_contained(problem, tmp_path: Path) -> None:
    path = tmp_path / "chart.html"
    draw(problem, {"name": "tiny", "objective": 9, "solution": tiny_schedule()}, path)
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text and "http://" not in text.replace(
        "http://www.w3.org/2000/svg", ""
    )
    # One rect per machine row, five operations, one changeover.
    assert len(re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="20"', text)) == 5
    assert text.count('fill="url(#setup)"') == 1
    assert "changeover A -&gt; B: 2 on M1" in text
    assert "J3 op 0, product A: 0-3 on M2, due 4" in text
    assert render_html(problem, {"solution": tiny_schedule()}).count("<svg") == 1
