"""``--executor dask``: solve on an existing dask.distributed cluster.

Each job is one Dask task that runs the same worker process as the local executor, on
whichever machine the scheduler picks, and hands back the ``done`` record.  A Dask
worker keeps its worker processes between tasks (up to ``MAX_IDLE`` idle ones), so
only its first jobs pay for starting Python and loading the plugins.  Progress
comes back through a Dask ``Queue`` named after the job; a stop request goes out
through a Dask ``Event``.  The task enforces the kill deadline itself (a Dask task
cannot be interrupted from outside), and the server's supervisor does too.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from typing import Any

from optikit.service.executors import POLL_S, Channel, WorkerDied, WorkerProcess
from optikit.service.store import Job

READY_TIMEOUT_S = 120.0
MAX_IDLE = 4
"""Worker processes a Dask worker keeps ready between tasks."""

# The Dask worker's own idle worker processes: a task takes one (or starts one) and hands
# it back when its job has ended cleanly, so a job does not pay for a Python start.
_idle: list[WorkerProcess] = []
_idle_lock = threading.Lock()


def _take_worker(deadline: float) -> WorkerProcess | None:
    """A ready worker process: an idle one, else a new one (None if it does not start)."""
    with _idle_lock:
        while _idle:
            worker = _idle.pop()
            if worker.alive:
                return worker
    worker = WorkerProcess()
    while True:
        record = worker.receive(POLL_S)
        if record is not None and record.get("kind") == "ready":
            return worker
        if time.monotonic() > deadline:
            worker.kill()
            return None


def _give_back(worker: WorkerProcess) -> None:
    with _idle_lock:
        if worker.alive and len(_idle) < MAX_IDLE:
            _idle.append(worker)
            return
    worker.kill()


def run_remote(payload: dict[str, Any], hard_after: float, queue_name: str,
               stop_name: str) -> dict[str, Any]:
    """The Dask task: solve one job in a worker process on this machine."""
    from distributed import Event, Queue

    progress, stop = Queue(queue_name), Event(stop_name)
    worker = _take_worker(time.monotonic() + hard_after + READY_TIMEOUT_S)
    if worker is None:
        return {"kind": "done", "error": "the worker process did not start"}
    reusable = False
    try:
        worker.send({"op": "solve", "job": payload})
        deadline = time.monotonic() + hard_after
        stop_sent = False
        while True:
            record = worker.receive(POLL_S)
            if record is not None:
                if record.get("kind") == "done":
                    reusable = True
                    return record
                progress.put(record)
                continue
            if not stop_sent and stop.is_set():
                worker.send({"op": "stop"})
                stop_sent = True
            if time.monotonic() > deadline:
                return {"kind": "done", "error": "the solver did not stop within its time "
                        "limit and grace; its worker was killed"}
    except WorkerDied as exc:
        return {"kind": "done", "error": str(exc)}
    finally:
        if reusable:
            _give_back(worker)
        else:
            worker.kill()


class DaskChannel(Channel):
    """One job at a time as a task on the cluster."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.future: Any = None
        self.progress: Any = None
        self.stop_event: Any = None

    def start(self, job: Job, payload: dict[str, Any], hard_after: float) -> None:
        from distributed import Event, Queue

        token = f"optikit-{job.id}-{uuid.uuid4().hex[:8]}"
        self.progress = Queue(f"{token}-progress", client=self.client)
        self.stop_event = Event(f"{token}-stop", client=self.client)
        try:
            self.future = self.client.submit(
                run_remote, payload, hard_after, f"{token}-progress", f"{token}-stop",
                key=f"{token}-solve", pure=False)
        except Exception as exc:
            raise WorkerDied(f"the Dask cluster refused the job: {exc}") from exc

    def receive(self, timeout: float) -> dict[str, Any] | None:
        if self.future is None:
            raise WorkerDied("no Dask task")
        with contextlib.suppress(Exception):  # nothing queued within the timeout
            return dict(self.progress.get(timeout=timeout if not self.future.done() else 0.01))
        if not self.future.done():
            return None
        try:
            record = self.future.result()
        except Exception as exc:
            raise WorkerDied(f"the Dask task failed: {exc!r}") from exc
        finally:
            self.future = None
        return dict(record)

    def stop(self) -> None:
        if self.stop_event is not None:
            with contextlib.suppress(Exception):
                self.stop_event.set()

    def kill(self) -> None:
        self.stop()
        if self.future is not None:
            with contextlib.suppress(Exception):
                self.future.cancel()
            self.future = None


def dask_channel_factory(address: str | None) -> Any:
    """Channels sharing one client of the scheduler at ``address`` (connected on first use)."""
    lock = threading.Lock()
    shared: dict[str, Any] = {}

    def make() -> DaskChannel:
        with lock:
            if "client" not in shared:
                try:
                    from distributed import Client
                except ImportError as exc:
                    from optikit.types import UsageError

                    raise UsageError("--executor dask needs the dask extra: "
                                     "pip install 'optikit[dask]'") from exc
                shared["client"] = Client(address, timeout="30s", set_as_default=False)
            return DaskChannel(shared["client"])

    return make
