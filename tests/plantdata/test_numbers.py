"""One number format for every summary, and NO_COLOR honoured."""

from __future__ import annotations

import pytest

from optikit.cli.summary import render_summary
from optikit.numbers import number


@pytest.mark.parametrize(
    ("value", "text"),
    [(2424.2312, "2,424.23"), (8495.000000001, "8,495"), (8495, "8,495"),
     (7.3058812, "7.30588"), (0.5, "0.5"), (1e-7, "1.000e-07"), (None, "-"), (True, "true"),
     (-1234567.891, "-1,234,567.89"), (float("inf"), "inf")],
)
def test_number(value: object, text: str) -> None:
    assert number(value) == text


def test_decimals_and_unit() -> None:
    assert number(308.572, "kg", decimals=1) == "308.6 kg"
    assert number(120.0, "kW", decimals=1) == "120 kW"


def test_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = {"name": "x", "type": "t", "status": "optimal", "objective": 2424.2312, "time_s": 1}
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in render_summary(doc, [])
    monkeypatch.setenv("NO_COLOR", "1")
    text = render_summary(doc, [])
    assert "\x1b[" not in text and "2,424.23" in text


def test_live_progress_line() -> None:
    import time

    from optikit.cli.progress import LiveProgress, live_progress
    from optikit.types import ProgressEvent

    progress = LiveProgress(60, time.monotonic())
    progress(ProgressEvent(0.5, 2500.0, None, "x"))
    progress(ProgressEvent(0.7, None, 2000.0, "x"))
    assert "of 60 s   incumbent 2,500   bound 2,000   gap 20.00%" in progress.text()
    progress.render()  # a rich renderable, without a terminal
    with live_progress(False, 60, time.monotonic()) as quiet:  # not a terminal: no display
        quiet(ProgressEvent(0.1, 1.0, 1.0, "x"))
    assert quiet.gap() == 0


def test_shell_completion_names(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from optikit.cli import cli

    def complete(words: str) -> list[str]:
        monkeypatch.setenv("_OPTIKIT_COMPLETE", "bash_complete")
        monkeypatch.setenv("COMP_WORDS", words)
        monkeypatch.setenv("COMP_CWORD", str(len(words.split()) - (0 if words.endswith(" ")
                                                                   else 1)))
        out = CliRunner().invoke(cli, [], prog_name="optikit").output
        return [line.split(",", 1)[1] for line in out.splitlines() if "," in line]

    assert "blend" in complete("optikit template bl")
    assert "highs" in complete("optikit solve x.yaml --solver h")
    assert "cpsat" in complete("optikit solve x.yaml --formulation cps")
