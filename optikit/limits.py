"""The one rule for how far past its time limit a command may run.

A solver is asked to stop at its limit; a little later the CLI asks again, and before
``limit + grace`` it stops waiting and reports what it has, so the whole command ends
within the grace whatever the solver does.
"""

from __future__ import annotations

from dataclasses import dataclass


def grace_seconds(time_limit: float | None) -> float:
    """How far past its limit a solve may run: 10% or one second, whichever is larger."""
    return 0.0 if time_limit is None else max(1.0, 0.1 * time_limit)


@dataclass(frozen=True)
class Deadlines:
    """Monotonic instants of one command: the limit, the stop request, the give-up."""

    limit: float | None
    soft: float | None
    hard: float | None


def deadlines(started: float, time_limit: float | None) -> Deadlines:
    """Just past the limit, ask the solver to stop; a little before limit + grace, stop
    waiting for a solver that ignores its limit, so that even an abandoned run's document
    is out within the grace."""
    if time_limit is None:
        return Deadlines(None, None, None)
    grace = grace_seconds(time_limit)
    return Deadlines(
        started + time_limit,
        started + time_limit + 0.25 * grace,
        started + time_limit + 0.85 * grace,
    )


_COMMAND_STARTED: float | None = None


def mark_command_start() -> None:
    """Called by the console entry point: this process *is* the command, so its clock
    started when the process did."""
    global _COMMAND_STARTED
    _COMMAND_STARTED = process_started()


def is_console_command() -> bool:
    """Whether this process is the ``optikit`` program (not a command invoked in-process,
    whose host must never be ended with ``os._exit``)."""
    return _COMMAND_STARTED is not None


def command_started() -> float:
    """When the current command started: the process start for the ``optikit`` program,
    now for a command invoked in-process (tests, embedding click)."""
    import time

    started, now = _COMMAND_STARTED, time.monotonic()
    return started if started is not None and started <= now else now


def process_started() -> float:
    """The ``time.monotonic()`` instant this process started, as near as the system says.

    A command's time limit covers the whole command, interpreter start-up and plugin
    loading included: on Linux the process's age comes from ``/proc`` (clock ticks since
    boot); elsewhere, or if that cannot be read, the answer is "now".
    """
    import os
    import time

    now = time.monotonic()
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of proc(5), counted after "pid (comm)"
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        age = up - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return now
    return now - age if 0.0 <= age < 3600.0 else now
