"""Where jobs run: supervisor threads that take jobs from the store and drive a worker.

Each supervisor owns one *channel* to a solver: a local worker process
(:class:`LocalChannel`, kept alive between jobs so a job does not pay for Python and
plugin start-up) or a task on a Dask cluster (:mod:`optikit.service.dask_executor`).
The supervisor alone writes the job's progress and end to the store, enforces the time
limit (a worker that outlives limit + grace is killed) and passes on stop requests.
A worker that dies fails its job with the reason and is replaced; the server lives on.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from typing import Any

from optikit.limits import grace_seconds
from optikit.service.store import Job, SqlStore

log = logging.getLogger("optikit.service")

POLL_S = 0.2
STOP_WAIT_S = 2.5
"""After a stop request, how long the solver gets to hand back its best answer."""
READY_TIMEOUT_S = 120.0
EOF = object()


class WorkerDied(Exception):
    """The channel's worker ended without answering."""


class Channel:
    """One job at a time to a solver somewhere; records come back through ``receive``."""

    #: Set when the server shuts down: a channel still getting ready gives up.
    closing: threading.Event | None = None

    def warm(self) -> None:
        """Get ready for a first job before it comes (start a process, connect)."""

    def start(self, job: Job, payload: dict[str, Any], hard_after: float) -> None:
        raise NotImplementedError

    def receive(self, timeout: float) -> dict[str, Any] | None:
        """The next record, None when there is none yet; raises WorkerDied."""
        raise NotImplementedError

    def stop(self) -> None:
        """Ask the solve to end early with its best answer."""
        raise NotImplementedError

    def kill(self) -> None:
        """End the solve now, whatever it is doing."""
        raise NotImplementedError

    def close(self) -> None:
        self.kill()


class WorkerProcess:
    """A ``python -m optikit.service.worker`` child in its own process group."""

    def __init__(self) -> None:
        env = dict(os.environ)
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, "1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "optikit.service.worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, env=env, text=True, encoding="utf-8", errors="replace",
        )
        self.records: queue.Queue[Any] = queue.Queue()
        self.stderr_tail: deque[str] = deque(maxlen=20)
        threading.Thread(target=self._read_out, daemon=True, name="optikit-worker-out").start()
        threading.Thread(target=self._read_err, daemon=True, name="optikit-worker-err").start()

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.records.put(json.loads(line))
        self.records.put(EOF)

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr_tail.append(line.rstrip()[:300])

    def send(self, request: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise WorkerDied(self.reason()) from exc

    def receive(self, timeout: float) -> dict[str, Any] | None:
        try:
            record = self.records.get(timeout=timeout)
        except queue.Empty:
            return None
        if record is EOF:
            self.records.put(EOF)
            raise WorkerDied(self.reason())
        return dict(record)

    def reason(self) -> str:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        code = self.proc.returncode
        if code is None:
            why = "stopped answering"
        elif code < 0:
            try:
                why = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                why = f"killed by signal {-code}"
        else:
            why = f"exited with code {code}"
        tail = next((line for line in reversed(self.stderr_tail) if line.strip()), "")
        return f"the worker process {why}" + (f" ({tail})" if tail else "")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


class LocalChannel(Channel):
    """Jobs to a long-lived local worker process, replaced when it dies or is killed."""

    def __init__(self) -> None:
        self.worker: WorkerProcess | None = None

    @property
    def pid(self) -> int | None:
        return None if self.worker is None else self.worker.proc.pid

    def _ready_worker(self) -> WorkerProcess:
        if self.worker is not None and self.worker.alive:
            return self.worker
        worker = WorkerProcess()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline and not (self.closing and self.closing.is_set()):
            record = worker.receive(POLL_S)
            if record is not None and record.get("kind") == "ready":
                self.worker = worker
                return worker
        worker.kill()
        raise WorkerDied("the worker process did not start")

    def warm(self) -> None:
        self._ready_worker()

    def start(self, job: Job, payload: dict[str, Any], hard_after: float) -> None:
        self._ready_worker().send({"op": "solve", "job": payload})

    def receive(self, timeout: float) -> dict[str, Any] | None:
        if self.worker is None:
            raise WorkerDied("no worker process")
        try:
            return self.worker.receive(timeout)
        except WorkerDied:
            self.worker = None
            raise

    def stop(self) -> None:
        if self.worker is not None:
            with contextlib.suppress(WorkerDied):
                self.worker.send({"op": "stop"})

    def kill(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker = None


class Supervisor:
    """One thread: claim a job, run it on its channel, write what happens to the store."""

    def __init__(self, pool: WorkerPool, channel: Channel, index: int) -> None:
        self.pool = pool
        self.channel = channel
        channel.closing = pool.closing
        self.current: str | None = None
        self.thread = threading.Thread(target=self._loop, daemon=True,
                                       name=f"optikit-supervisor-{index}")

    def _loop(self) -> None:
        store = self.pool.store
        try:
            self.channel.warm()  # the first job should not wait for a process to start
        except Exception as exc:
            log.warning("starting a worker failed (retried with the first job): %s", exc)
        while not self.pool.closing.is_set():
            try:
                job = store.claim(self.pool.max_running_per_tenant, self.pool.owner)
            except Exception as exc:  # the database is away for a moment: try again
                log.warning("claiming a job failed: %s", exc)
                job = None
            if job is None:
                self.pool.wake.wait(0.5)
                self.pool.wake.clear()
                continue
            self.current = job.id
            try:
                self.run(job)
            except Exception as exc:  # a supervisor bug must not leave the job running
                log.exception("supervising job %s failed", job.id)
                with contextlib.suppress(Exception):
                    store.finish(job.id, "failed", error=f"internal error: {exc!r}")
            finally:
                self.current = None

    def run(self, job: Job) -> None:
        store = self.pool.store
        limit = job.time_limit
        payload = {"problem": job.problem, "solver": job.solver, "time_limit": limit,
                   "options": job.options, "threads": 1}
        hard = time.monotonic() + limit + grace_seconds(limit) + self.pool.kill_margin_s
        stop_sent: float | None = None
        try:
            self.channel.start(job, payload, hard - time.monotonic())
        except WorkerDied as exc:
            store.finish(job.id, "failed", error=str(exc))
            return
        while True:
            try:
                record = self.channel.receive(POLL_S)
            except WorkerDied as exc:
                store.finish(job.id, "failed", error=str(exc))
                return
            if record is not None:
                kind = record.get("kind")
                if kind == "progress":
                    store.progress(job.id, float(record.get("time_s") or 0.0),
                                   record.get("objective"), record.get("bound"))
                elif kind == "done":
                    self._finish(job, record, stopped=stop_sent is not None)
                    return
                continue
            now = time.monotonic()
            if self.pool.closing.is_set():
                # The server is shutting down: the job goes back to the queue for the next.
                self.channel.kill()
                store.requeue(job.id, "the server stopped; re-queued")
                return
            if stop_sent is None and store.cancel_requested(job.id):
                self.channel.stop()
                stop_sent = now
            elif stop_sent is not None and now - stop_sent > STOP_WAIT_S:
                self.channel.kill()
                store.finish(job.id, "cancelled",
                             error="stopped; the solver did not hand back an answer in time")
                return
            if now > hard:
                self.channel.kill()
                store.finish(job.id, "failed", error=(
                    f"the solver did not stop within its time limit ({limit:g} s) and grace;"
                    " its worker was killed"))
                return

    def _finish(self, job: Job, record: dict[str, Any], stopped: bool) -> None:
        store = self.pool.store
        document = record.get("document")
        if not isinstance(document, dict):
            store.finish(job.id, "failed", error=str(record.get("error") or "no answer"))
            return
        if stopped:
            status, error = "cancelled", None
        elif document.get("status") == "error":
            status, error = "failed", str(document.get("message") or "the solver failed")
        else:
            status, error = "done", None
        store.finish(job.id, status, document=document, summary=record.get("summary"),
                     error=error)


class WorkerPool:
    """``workers`` supervisors, each with its own channel, sharing one store."""

    def __init__(self, store: SqlStore, workers: int, max_running_per_tenant: int,
                 channel_factory: Any = LocalChannel, kill_margin_s: float = 5.0,
                 owner: str | None = None) -> None:
        self.store = store
        self.owner = owner
        """The server's id, written on each job it claims."""
        self.kill_margin_s = kill_margin_s
        self.max_running_per_tenant = max(1, max_running_per_tenant)
        self.closing = threading.Event()
        self.wake = threading.Event()
        self.supervisors = [Supervisor(self, channel_factory(), i)
                            for i in range(max(1, workers))]

    def start(self) -> None:
        for sup in self.supervisors:
            sup.thread.start()

    def notify(self) -> None:
        """A job was queued: idle supervisors look at once."""
        self.wake.set()

    def close(self, timeout: float = STOP_WAIT_S + 2) -> None:
        """Stop running solves (they keep their best answer) and end the workers."""
        self.closing.set()
        self.wake.set()
        for sup in self.supervisors:
            sup.thread.join(timeout)
        for sup in self.supervisors:
            with contextlib.suppress(Exception):
                sup.channel.close()
