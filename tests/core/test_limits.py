"""The grace rule and the command's clock, which starts when the process does."""

from __future__ import annotations

import subprocess
import sys

from optikit.limits import deadlines, grace_seconds


def test_grace_is_ten_percent_or_one_second():
    assert grace_seconds(None) == 0.0
    assert grace_seconds(2) == 1.0
    assert grace_seconds(60) == 6.0


def test_deadlines_ask_first_then_give_up_within_the_grace():
    d = deadlines(100.0, 10.0)
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
