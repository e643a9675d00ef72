"""The grace rule and the command's clock, which starts when the process does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from optikit.limits import deadlines, grace_seconds


def test_grace_is_ten_percent_or_one_second():
    assert grace_seconds(None) == 0.0
    assert grace_seconds(2) == 1.0
    assert grace_seconds(60) == 6.0


def test_deadlines_ask_first_then_give_up_within_the_grace():
    d = deadlines(100.0, 10.0)
    assert d.limit is not None and d.soft is not None and d.hard is not None
    assert d.limit == 110.0 < d.soft < d.hard < 110.0 + grace_seconds(10.0)
    assert deadlines(100.0, None).hard is None


def test_the_clock_counts_from_process_start():
    """A process that spent a second before asking sees that second already used."""
    code = (
        "import time; time.sleep(1.0)\n"
        "from optikit.limits import process_started\n"
        "print(time.monotonic() - process_started())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert float(out.stdout) >= 0.95


def test_an_in_process_command_counts_from_now():
    """Invoked in-process (tests, embedding click), a command's clock starts when it does,
    not when the host process started long before."""
    import time

    from optikit.limits import command_started

    assert abs(command_started() - time.monotonic()) < 0.5


@pytest.mark.parametrize(
    ("deadline_from_now", "message"),
    [
        (-1.0, "used up by start-up"),  # the limit was spent before reading began
        (0.2, r"p\.yaml: reading and validating"),  # the file itself is too slow to read
    ],
)
def test_load_timeout_says_what_used_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, deadline_from_now: float, message: str
) -> None:
    """A load cut off by the limit blames start-up or the file, whichever used the time."""
    import threading
    import time

    from optikit import problem_io
    from optikit.plugins import get_registry

    release = threading.Event()
    monkeypatch.setattr(problem_io, "load_problem", lambda *a, **k: release.wait(5))
    doc = tmp_path / "p.yaml"
    doc.write_text("type: nothing\n")
    try:
        with pytest.raises(problem_io.LoadTimeout, match=message):
            problem_io.load_problem_before(doc, get_registry(),
                                           time.monotonic() + deadline_from_now)
    finally:
        release.set()
