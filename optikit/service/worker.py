"""A worker process: ``python -m optikit.service.worker``.

Solves jobs one at a time for the server, so that a solver that crashes or hangs takes
down only this process, never the server.  It talks JSON lines: on stdin
``{"op": "solve", "job": {...}}`` and ``{"op": "stop"}``; on stdout ``ready``,
``progress`` and ``done`` records.  Anything a solver prints goes to stderr: the
original stdout carries the records only.  When stdin closes (the server went away) the
process exits at once, solver included.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, TextIO

PROGRESS_INTERVAL = 0.25
"""At most this often a progress record (the best values so far) goes out."""


class Channel:
    """The records' side of stdout, safe to write from the solve thread."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lock = threading.Lock()

    def send(self, record: Mapping[str, Any]) -> None:
        from optikit.jsonio import document_json

        line = document_json(dict(record)).replace("\n", " ")
        with self.lock:
            self.stream.write(line + "\n")
            self.stream.flush()


def _summary(loaded: Any, document: Mapping[str, Any]) -> list[list[str]]:
    summarize = loaded.ptype.summarize
    if summarize is None or "solution" not in document:
        return []
    try:
        return [[str(a), str(b)] for a, b in summarize(loaded.problem, document)]
    except Exception as exc:
        return [["summary", f"not available ({type(exc).__name__}: {exc})"]]


def solve_job(job: Mapping[str, Any], stop: threading.Event, channel: Channel) -> None:
    """Solve one job and send its ``done`` record; never raises."""
    from optikit import api
    from optikit.limits import deadlines
    from optikit.types import OptikitError, ProgressEvent

    started = time.monotonic()
    best: dict[str, Any] = {"objective": None, "bound": None, "sent": 0.0}

    def progress(event: ProgressEvent) -> None:
        if event.objective is not None:
            best["objective"] = event.objective
        if event.bound is not None:
            best["bound"] = event.bound
        now = time.monotonic()
        if now - best["sent"] >= PROGRESS_INTERVAL:
            best["sent"] = now
            channel.send({"kind": "progress", "time_s": event.time_s,
                          "objective": best["objective"], "bound": best["bound"]})

    limit = float(job["time_limit"])
    timer = threading.Timer(max(0.0, (deadlines(started, limit).soft or 0) - started), stop.set)
    timer.daemon = True
    timer.start()
    try:
        loaded = api.load(job["problem"])
        chosen = api.plan(loaded, solver=job.get("solver"), time_limit=limit,
                          threads=int(job.get("threads") or 1), options=job.get("options"))
        solution = api.run(chosen, on_progress=progress, stop=stop, started=started)
        document = solution.document
        channel.send({"kind": "done", "document": document,
                      "summary": _summary(loaded, document)})
    except OptikitError as exc:
        channel.send({"kind": "done", "error": str(exc)})
    except Exception as exc:
        channel.send({"kind": "done", "error": f"internal error: {type(exc).__name__}: {exc}"})
    finally:
        timer.cancel()


def serve(stdin: TextIO, channel: Channel) -> None:
    """Read requests until stdin closes; one solve at a time."""
    from optikit.plugins import get_registry

    get_registry()  # load the plugins before saying ready: the first job starts at once
    channel.send({"kind": "ready", "pid": os.getpid()})
    stop = threading.Event()
    for line in stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        op = request.get("op") if isinstance(request, dict) else None
        if op == "solve":
            stop = threading.Event()
            threading.Thread(target=solve_job, args=(request["job"], stop, channel),
                             name="optikit-job", daemon=True).start()
        elif op == "stop":
            stop.set()


def main() -> None:
    records = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        serve(sys.stdin, Channel(records))
    finally:
        # stdin closed: the server is gone or done with us; a solve still running dies too.
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
