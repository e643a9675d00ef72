"""Progress output: counts of done / running / failed runs and the time-left estimate."""

from __future__ import annotations

import io

import pytest

from optikit.bench.progress import ETA, BenchProgress, format_duration


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _values(outcome: str, wall: float = 1.0) -> dict[str, object]:
    return {"suite": "s", "instance_set": "set", "instance": "i", "solver": "x", "seed": 0,
            "repeat": 0, "outcome": outcome, "time_limit": 10.0, "wall_s": wall,
            "time_s": wall, "objective": 3.0, "message": "boom" if outcome == "failed" else None}


def test_eta_starts_from_limits_and_learns_from_finished_runs() -> None:
    eta = ETA([10.0, 10.0, 10.0, 10.0], capacity=2)
    assert eta.seconds_left() == pytest.approx(4 * 12.0 / 2)
    eta.finished(10.0, 5.0)  # runs take half their limit
    assert eta.seconds_left() == pytest.approx(3 * 10.0 * 0.5 / 2)
    for _ in range(3):
        eta.finished(10.0, 5.0)
    assert eta.seconds_left() == 0.0


def test_format_duration() -> None:
    assert format_duration(None) == "?"
    assert format_duration(65) == "1:05"
    assert format_duration(3725) == "1:02:05"


def test_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    running = [1]
    with BenchProgress(3, [10.0] * 3, 2, running=lambda: running[0], stream=stream) as p:
        p.run_finished(_values("solved"))
        p.run_finished(_values("failed"))
        running[0] = 0
        p.run_finished(_values("wrong"))
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("[1/3]") and "solved 3" in lines[0] and "running 1" in lines[0]
    assert "failed 1" in lines[1] and ": boom" in lines[1]
    assert lines[2].startswith("[3/3]") and "running 0" in lines[2]
    assert (p.done, p.failed, p.wrong) == (3, 1, 1)


def test_rich_bar_on_a_terminal_and_silence_when_disabled() -> None:
    stream = _Terminal()
    with BenchProgress(2, [1.0, 1.0], 1, running=lambda: 0, stream=stream) as p:
        p.run_finished(_values("solved"))
        p.run_finished(_values("failed"))
    text = stream.getvalue()
    assert "2/2" in text and "failed 1" in text and "running 0" in text
    assert "boom" in text  # failed runs are also printed above the bar

    quiet = io.StringIO()
    with BenchProgress(1, [1.0], 1, running=lambda: 0, stream=quiet, enabled=False) as p:
        p.run_finished(_values("failed"))
    assert quiet.getvalue() == ""
