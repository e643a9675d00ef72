"""Fixtures of the service tests: a test plugin in the workers' path, one real uvicorn
server on loopback (in a thread of the test process; its workers are processes) with two
tenants, and helpers to wait for jobs."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the service tests need the serve extra")

import httpx
import uvicorn

from optikit.service.app import Service, create_app
from optikit.service.settings import Settings
from optikit.service.store import FINAL

TOY_PLUGIN = Path(__file__).resolve().parents[1] / "core" / "toy_plugin.py"
TOY = {"type": "toy-knapsack", "capacity": 10, "items": [
    {"id": "a", "value": 5, "weight": 4}, {"id": "b", "value": 4, "weight": 5},
    {"id": "c", "value": 3, "weight": 3}]}


@pytest.fixture(scope="session")
def toy_plugins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The core's toy plugin (misbehaving on request) in every worker's plugin path."""
    directory = tmp_path_factory.mktemp("svc-plugins")
    shutil.copy(TOY_PLUGIN, directory / "toy_plugin.py")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPTIKIT_PLUGINS_DIR", str(directory))
        yield directory


@dataclass
class Served:
    """A running server, a client for it and each tenant's key."""

    client: httpx.Client
    keys: dict[str, str]
    service: Service
    url: str

    def auth(self, tenant: str = "acme") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[tenant]}"}

    def submit(self, document: Any = None, tenant: str = "acme", **params: Any) -> str:
        response = self.client.post("/v1/jobs", json=document or TOY, params=params,
                                    headers=self.auth(tenant))
        assert response.status_code == 202, response.text
        return str(response.json()["id"])

    def wait(self, job_id: str, tenant: str = "acme", timeout: float = 30,
             until: tuple[str, ...] = FINAL) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job = self.client.get(f"/v1/jobs/{job_id}", headers=self.auth(tenant)).json()
            if job["status"] in until or time.monotonic() > deadline:
                return dict(job)
            time.sleep(0.05)

    def worker_pid(self, job_id: str, timeout: float = 20) -> int:
        """The process of the worker solving ``job_id`` (once it has started)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for sup in self.service.pool.supervisors:
                pid = getattr(sup.channel, "pid", None)
                if sup.current == job_id and pid:
                    return int(pid)
            time.sleep(0.05)
        raise AssertionError(f"no worker runs {job_id}")


def serve(
    settings: Settings, tenants: tuple[str, ...] = ("acme", "globex")
) -> Generator[Served, None, None]:
    """Run a server on a free loopback port until the generator is closed."""
    app = create_app(settings)
    svc: Service = app.state.service
    keys = {t: svc.store.add_key(t)[1] for t in tenants}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           timeout_keep_alive=5))
    thread = threading.Thread(target=server.run, daemon=True, name="uvicorn")
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            yield Served(client, keys, svc, url)
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="session")
def served(toy_plugins: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The server most tests share (limits small enough to reach in a test)."""
    db = tmp_path_factory.mktemp("svc") / "jobs.sqlite"
    yield from serve(Settings(db=str(db), workers=2, max_queued_per_tenant=6,
                              max_time_limit=30, max_body_bytes=300_000, body_timeout_s=1.0,
                              default_time_limit=10, kill_margin_s=0.5))
