"""Fixtures of the service tests: a test plugin in the workers' path, a running app with
two tenants, and helpers to wait for jobs."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the service tests need the serve extra")

from fastapi.testclient import TestClient

from optikit.service.app import create_app
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
    """A running app and a client with each tenant's key."""

    client: TestClient
    keys: dict[str, str]
    db: Path

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


def serve(settings: Settings, tenants: tuple[str, ...] = ("acme", "globex")) -> Iterator[Served]:
    app = create_app(settings)
    store = app.state.service.store
    keys = {t: store.add_key(t)[1] for t in tenants}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Served(client, keys, Path(settings.db))


@pytest.fixture(scope="module")
def served(toy_plugins: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = tmp_path_factory.mktemp("svc") / "jobs.sqlite"
    yield from serve(Settings(db=str(db), workers=2, max_queued_per_tenant=6,
                              max_time_limit=30, max_body_bytes=300_000, body_timeout_s=1.0,
                              default_time_limit=10))


def worker_pids(served: Served) -> list[int]:
    pool = served.client.app.state.service.pool  # type: ignore[attr-defined]
    return [p for p in (getattr(s.channel, "pid", None) for s in pool.supervisors) if p]
