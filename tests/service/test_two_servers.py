"""Two real ``optikit serve`` processes sharing one PostgreSQL job store: one is
SIGKILLed while it solves; the other finishes its own job and re-runs the orphan once
the killed server has stopped beating.  Nothing is lost, nothing stays running."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from optikit.service.store import FINAL, open_store
from tests.service import postgres
from tests.service.conftest import TOY

# Fast beats so the takeover happens within a lean test (defaults: 5 s and 30 s).
FAST = {"OPTIKIT_SERVICE_HEARTBEAT_S": "0.25", "OPTIKIT_SERVICE_SERVER_STALE_S": "2.0",
        "OPTIKIT_SERVICE_WORKERS": "1"}


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres.running_server() as url:
        yield url


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(db: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "optikit", "serve", "--port", str(port), "--db", db],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **FAST},
        start_new_session=True)
    return proc, f"http://127.0.0.1:{port}"


def _wait_up(proc: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/health", timeout=2).raise_for_status()
            return
        except httpx.TransportError:
            assert proc.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.1)


def _statuses(url: str, auth: dict[str, str]) -> dict[str, str]:
    jobs = httpx.get(f"{url}/v1/jobs", headers=auth, timeout=10).json()["jobs"]
    return {j["id"]: j["status"] for j in jobs}


def test_a_sigkilled_server_s_job_is_rerun_by_the_other(pg_url: str, toy_plugins: Path
                                                         ) -> None:
    store = open_store(pg_url)
    try:
        auth = {"Authorization": f"Bearer {store.add_key('acme')[1]}"}
        servers = [_start(pg_url) for _ in range(2)]
        try:
            for proc, url in servers:
                _wait_up(proc, url)
            (doomed, url_a), (_survivor, url_b) = servers
            ids = [httpx.post(f"{url_a}/v1/jobs", json=TOY, headers=auth, timeout=10,
                              params={"time_limit": 20, "option": "sleep=1"}).json()["id"]
                   for _ in range(2)]
            deadline = time.monotonic() + 30
            while list(_statuses(url_b, auth).values()) != ["running"] * 2:
                assert time.monotonic() < deadline, _statuses(url_b, auth)
                time.sleep(0.05)
            # one worker each: both servers solve one job; kill one outright
            os.killpg(doomed.pid, signal.SIGKILL)
            doomed.wait(10)
            deadline = time.monotonic() + 40
            while not set(_statuses(url_b, auth).values()) <= set(FINAL):
                assert time.monotonic() < deadline, _statuses(url_b, auth)
                time.sleep(0.1)
            finals = [httpx.get(f"{url_b}/v1/jobs/{i}", headers=auth, timeout=10).json()
                      for i in ids]
        finally:
            for proc, _ in servers:
                if proc.poll() is None:
                    proc.terminate()
                    proc.wait(20)
        assert [j["status"] for j in finals] == ["done", "done"], finals
        assert all(j["document"]["check"]["feasible"] for j in finals)
        attempts = sorted(r[0] for r in store._rows("SELECT attempts FROM jobs"))
        assert attempts == [1, 2]  # the killed server's job ran again, once
    finally:
        store.close()
