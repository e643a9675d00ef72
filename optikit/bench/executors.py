"""Where runs execute: a local pool of supervisors, or an existing Dask cluster.

Either way each run is one child process (``python -m optikit.bench.worker``) in its
own process group, killed with SIGKILL at its wall-clock limit: solver time limits are
soft, and neither a thread nor a Dask task can be interrupted from outside.  Executors
only return result records; the coordinator alone writes the ledger.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

STDERR_TAIL = 4000
_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_live: set[subprocess.Popen[bytes]] = set()
_live_lock = threading.Lock()


@dataclass(frozen=True)
class ChildTask:
    """What an executor needs to run one child: its payload, threads and kill deadline."""

    key: str
    payload: dict[str, Any]
    threads: int
    kill_after: float


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def kill_live_children() -> None:
    """Kill every child this process started and is still supervising (on Ctrl-C)."""
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        _kill_group(proc)


def run_child(
    payload: dict[str, Any], kill_after: float, python: str | None = None,
    threads: int = 1,
) -> dict[str, Any]:
    """Run one child to completion or to its kill deadline; never raises for the run.

    Module-level and free of coordinator state, so Dask can ship it to a worker.
    """
    env = dict(os.environ)
    for name in _THREAD_ENV:
        env[name] = str(threads)
    env.setdefault("PYTHONHASHSEED", "0")
    started = _now()
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [python or sys.executable, "-m", "optikit.bench.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
    )
    with _live_lock:
        _live.add(proc)
    killed = False
    try:
        try:
            out, err = proc.communicate(json.dumps(payload).encode(), timeout=kill_after)
        except subprocess.TimeoutExpired:
            killed = True
            _kill_group(proc)
            try:
                out, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                # Something escaped the process group and holds the pipes; stop reading.
                out, err = b"", b""
                for stream in (proc.stdout, proc.stderr):
                    if stream is not None:
                        stream.close()
                proc.wait()
    finally:
        with _live_lock:
            _live.discard(proc)
        # Also ends anything the child left behind in its group (a solver subprocess).
        _kill_group(proc)
        proc.wait()
    wall = time.monotonic() - t0
    result = None
    if out:
        try:
            result = json.loads(out.decode("utf-8", "replace"))
        except ValueError:
            result = None
    return {
        "result": result,
        "returncode": proc.returncode,
        "killed": killed,
        "wall_s": wall,
        "stderr_tail": err[-STDERR_TAIL:].decode("utf-8", "replace"),
        "started_at": started,
        "finished_at": _now(),
    }


def infrastructure_failure(message: str) -> dict[str, Any]:
    """A child record for a run the executor could not carry out at all."""
    now = _now()
    return {
        "result": None, "returncode": None, "killed": False, "wall_s": 0.0,
        "stderr_tail": message, "started_at": now, "finished_at": now,
    }


class Executor:
    """Runs tasks and yields ``(task, child record)`` as they finish."""

    name = "base"
    #: Runs being worked on now (maintained by the executor, read by the progress bar).
    running = 0
    #: How many runs can be in flight at once.
    capacity = 1

    def run(self, tasks: Sequence[ChildTask]) -> Iterator[tuple[ChildTask, dict[str, Any]]]:
        raise NotImplementedError


class LocalExecutor(Executor):
    """Runs children on this machine: at most ``jobs`` at once, within a core budget.

    Each run reserves its ``threads`` from ``cores`` (None: no budget), so a suite that
    mixes 1- and 2-thread runs keeps the machine full without oversubscribing it.  Runs
    start in order; each is supervised by its own thread.
    """

    name = "local"

    def __init__(
        self, jobs: int, cores: int | None = None,
        on_start: Callable[[ChildTask], None] | None = None,
    ) -> None:
        self.capacity = max(1, jobs)
        self.cores = cores
        self.running = 0
        self._threads_in_use = 0
        self._on_start = on_start

    def _fits(self, task: ChildTask) -> bool:
        if self.running >= self.capacity:
            return False
        if self.cores is None or self.running == 0:
            return True  # a run wider than the budget still runs, alone
        return self._threads_in_use + task.threads <= self.cores

    def run(self, tasks: Sequence[ChildTask]) -> Iterator[tuple[ChildTask, dict[str, Any]]]:
        pending = list(tasks)
        finished: queue.Queue[tuple[ChildTask, dict[str, Any]]] = queue.Queue()

        def supervise(task: ChildTask) -> None:
            try:
                record = run_child(task.payload, task.kill_after, threads=task.threads)
            except Exception as exc:  # a supervisor bug must not lose the suite
                record = infrastructure_failure(f"supervisor failed: {exc!r}")
            finished.put((task, record))

        try:
            while pending or self.running:
                while pending and self._fits(pending[0]):
                    task = pending.pop(0)
                    self.running += 1
                    self._threads_in_use += task.threads
                    threading.Thread(
                        target=supervise, args=(task,), name=f"optikit-run-{task.key[:8]}",
                        daemon=True,
                    ).start()
                    if self._on_start is not None:
                        self._on_start(task)
                try:
                    # A bounded wait keeps the main thread responsive to Ctrl-C.
                    task, record = finished.get(timeout=0.5)
                except queue.Empty:
                    continue
                self.running -= 1
                self._threads_in_use -= task.threads
                yield task, record
        finally:
            kill_live_children()


class DaskExecutor(Executor):
    """Send each run to a Dask distributed cluster; the task supervises the same child.

    With ``address`` the executor attaches to an existing scheduler; without, it starts a
    loopback ``LocalCluster`` of ``jobs`` threads.  Workers that declare a ``CPU``
    resource get each run with ``resources={"CPU": threads}``, so a 4-thread run
    reserves 4 cores.
    """

    name = "dask"

    def __init__(self, address: str | None, jobs: int) -> None:
        self.address = address
        self.jobs = max(1, jobs)
        self.capacity = self.jobs
        self.running = 0
        self.uses_resources = False

    def run(self, tasks: Sequence[ChildTask]) -> Iterator[tuple[ChildTask, dict[str, Any]]]:
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError as exc:
            from optikit.types import UsageError

            raise UsageError(
                "--executor dask needs the dask extra: pip install 'optikit[dask]'"
            ) from exc
        cluster = None
        if self.address:
            client = Client(self.address, timeout="30s")
        else:
            cluster = LocalCluster(
                n_workers=1, threads_per_worker=self.jobs, processes=False,
                protocol="tcp://", host="127.0.0.1", dashboard_address=":0",
            )
            client = Client(cluster)
        futures: dict[Any, ChildTask] = {}
        try:
            workers = client.scheduler_info().get("workers", {})
            self.uses_resources = any("CPU" in (w.get("resources") or {}) for w in workers.values())
            if self.uses_resources:
                cpus = [float((w.get("resources") or {}).get("CPU", 0)) for w in workers.values()]
                self.capacity = max(1, int(sum(cpus)))
                need = max((t.threads for t in tasks), default=1)
                if need > max(cpus):
                    from optikit.types import UsageError

                    raise UsageError(
                        f"runs need {need} CPU(s) but the largest Dask worker offers "
                        f"{max(cpus):g}; lower `threads` or start workers with more"
                    )
            else:
                self.capacity = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
            token = uuid.uuid4().hex[:8]
            for task in tasks:
                fut = client.submit(
                    run_child,
                    task.payload,
                    task.kill_after,
                    None,
                    task.threads,
                    key=f"optikit-run-{token}-{task.key}",
                    pure=False,
                    resources={"CPU": task.threads} if self.uses_resources else None,
                )
                futures[fut] = task
            outstanding = len(futures)
            self.running = min(self.capacity, outstanding)
            for fut in as_completed(list(futures)):
                task = futures[fut]
                try:
                    record = fut.result()
                except Exception as exc:
                    record = infrastructure_failure(f"dask task failed: {exc!r}")
                outstanding -= 1
                self.running = min(self.capacity, outstanding)
                yield task, record
        finally:
            if futures:
                with contextlib.suppress(Exception):
                    client.cancel(list(futures))
            client.close()
            if cluster is not None:
                # The loopback cluster's workers are threads of this process: their
                # children are ours to kill.
                kill_live_children()
                cluster.close()
