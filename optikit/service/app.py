"""The application factory: the store, the workers and the routes of one server.

``create_app(settings)`` builds a FastAPI app; starting it (uvicorn, or a TestClient)
opens the store, puts jobs a previous server left running back in the queue, starts the
workers and a janitor that deletes expired results.  Without settings the factory reads
every setting from ``OPTIKIT_SERVICE_*`` variables
(``uvicorn --factory optikit.service.app:create_app``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from optikit.service import errors, page, routes
from optikit.service.errors import ApiError
from optikit.service.executors import LocalChannel, WorkerPool
from optikit.service.http import AccessLog, BodyLimits
from optikit.service.settings import Settings, SettingsError, settings_from_env
from optikit.service.store import Job, SqlStore, open_store

log = logging.getLogger("optikit.service")
JANITOR_INTERVAL_S = 60.0
CHART_TIMEOUT_S = 60.0
CHARTS_KEPT = 32  # drawn charts kept in memory: reopening a job shows its chart at once
CHARTS_AT_ONCE = 2  # child processes drawing at the same time (the rest wait their turn)


class Service:
    """What the routes share: settings, store, workers and the plugin registry."""

    def __init__(self, settings: Settings, store: SqlStore) -> None:
        from optikit.plugins import get_registry

        self.settings = settings
        self.store = store
        self.registry = get_registry()
        self.pool: Any = None
        self.server_id = uuid.uuid4().hex[:16]
        self._catalogue: list[dict[str, Any]] | None = None
        self._charts: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._charts_lock = threading.Lock()
        self._drawing = threading.BoundedSemaphore(CHARTS_AT_ONCE)
        self._stop = threading.Event()

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        self.store.heartbeat(self.server_id)
        # Alone on the store (SQLite), every job left running is a previous run's; on a
        # shared store only those of servers that stopped beating.
        self.recover(stale=self.store.SHARED)
        self.pool = make_pool(self.settings, self.store, self.server_id)
        self.pool.start()
        threading.Thread(target=self._janitor, daemon=True, name="optikit-janitor").start()

    def stop(self) -> None:
        self._stop.set()
        if self.pool is not None:
            self.pool.close()
        with contextlib.suppress(Exception):
            self.store.leave(self.server_id)
        self.store.close()

    def recover(self, stale: bool) -> None:
        stale_before = time.time() - self.settings.server_stale_s if stale else None
        requeued, failed = self.store.recover(self.settings.max_attempts, stale_before)
        if requeued or failed:
            log.warning("recovered jobs of a stopped server: %d re-queued, %d failed",
                        requeued, failed)
            self.wake_workers()

    def _janitor(self) -> None:
        """Beat, take over the jobs of servers that stopped beating, expire results."""
        expired = time.monotonic()
        while not self._stop.wait(self.settings.heartbeat_s):
            try:
                self.store.heartbeat(self.server_id)
                if self.store.SHARED:
                    self.recover(stale=True)
            except Exception as exc:  # the database is away for a moment: next beat
                log.warning("heartbeat failed: %s", exc)
            if time.monotonic() - expired >= JANITOR_INTERVAL_S:
                expired = time.monotonic()
                self.expire()

    def expire(self) -> int:
        try:
            return self.store.expire(time.time() - self.settings.result_ttl_s)
        except Exception as exc:
            log.warning("expiring results failed: %s", exc)
            return 0

    def wake_workers(self) -> None:
        if self.pool is not None:
            self.pool.notify()

    # -- problem types ------------------------------------------------------------------
    def type_catalogue(self) -> list[dict[str, Any]]:
        if self._catalogue is None:
            from optikit import api
            from optikit.validation import full_schema

            available = [s for s in api.solvers(registry=self.registry) if s.available]
            out = []
            for name, ptype in api.problem_types(registry=self.registry).items():
                paradigms = {str(f.paradigm) for f in ptype.formulations}
                out.append({
                    "name": name, "description": ptype.description, "sense": ptype.sense,
                    "formulations": [f.name for f in ptype.formulations],
                    "solvers": [s.name for s in available if paradigms & set(s.paradigms)],
                    "default_solvers": list(ptype.default_solvers),
                    "charts": sorted(ptype.plots),
                    "samples": [{"name": Path(p).name,
                                 "url": f"/v1/types/{name}/samples/{Path(p).name}"}
                                for p in ptype.samples],
                    "schema": full_schema(ptype),
                })
            self._catalogue = out
        return self._catalogue

    def sample_path(self, type_name: str, filename: str) -> Path | None:
        ptype = self.registry.problem_types.get(type_name)
        if ptype is None:
            return None
        return next((Path(p) for p in ptype.samples if Path(p).name == filename), None)

    def draw_chart(self, job: Job, fmt: str = "svg") -> str:
        """Draw the job's chart in a child process, bounded in time: the type's static
        chart as SVG (``svg``), or the interactive one as plotly JSON (``plotly``)."""
        from optikit.service.chart import NO_CHART, NO_PLOTLY

        key = (job.id, fmt)  # a job's solution document never changes once written
        with self._charts_lock:
            if key in self._charts:
                self._charts.move_to_end(key)
                return self._charts[key]
        problem = self.store.problem(job.id, job.tenant)
        request = {"problem": problem, "document": job.document, "format": fmt}
        try:
            with self._drawing:
                done = subprocess.run(
                    [sys.executable, "-m", "optikit.service.chart"], input=json.dumps(request),
                    capture_output=True, text=True, timeout=CHART_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise ApiError(503, "drawing the chart took too long", "chart") from None
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1][:300]
        if done.returncode == NO_CHART:
            raise ApiError(404, f"no chart for this {job.problem_type} solution: {tail}",
                           "chart")
        if done.returncode == NO_PLOTLY:
            raise ApiError(501, tail, "chart")
        if done.returncode != 0 or not done.stdout.lstrip().startswith(("<", "{")):
            raise ApiError(503, f"cannot draw the chart: {tail}", "chart")
        with self._charts_lock:
            self._charts[key] = done.stdout
            while len(self._charts) > CHARTS_KEPT:
                self._charts.popitem(last=False)
        return done.stdout


def make_pool(settings: Settings, store: SqlStore, owner: str | None = None) -> Any:
    """The workers ``--executor`` asks for."""
    factory: Any = LocalChannel
    if settings.executor == "dask":
        from optikit.service.dask_executor import dask_channel_factory

        factory = dask_channel_factory(settings.scheduler)
    return WorkerPool(store, settings.workers, settings.max_running_per_tenant, factory,
                      kill_margin_s=settings.kill_margin_s, owner=owner)


def openapi_with_schemas(app: FastAPI, svc: Service) -> dict[str, Any]:
    """The generated OpenAPI document plus every problem type's JSON Schema (the very
    schemas ``optikit validate`` checks documents against)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(title=app.title, version=app.version,
                           description=app.description, routes=app.routes)
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        refs = []
        for entry in svc.type_catalogue():
            key = f"problem_{entry['name'].replace('-', '_')}"
            schema = {k: v for k, v in entry["schema"].items() if k != "$schema"}
            schemas[key] = schema
            refs.append({"$ref": f"#/components/schemas/{key}"})
        schemas["ProblemDocument"] = {"oneOf": refs, "description": "a problem document"}
        app.openapi_schema = spec
    return app.openapi_schema


def create_app(settings: Settings | None = None, store: SqlStore | None = None) -> FastAPI:
    """A server for ``settings`` (default: from the environment)."""
    from optikit import __version__

    if settings is None:
        try:
            settings = settings_from_env()
        except SettingsError as exc:  # uvicorn --factory: one line, no traceback
            print(f"optikit: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
    svc = Service(settings, store or open_store(settings.db))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc.start()
        try:
            yield
        finally:
            svc.stop()

    app = FastAPI(title="optikit", version=__version__, lifespan=lifespan,
                  description="Factory optimisation as a service: queue a problem, watch it "
                              "solve, read the checked solution.")
    app.state.service = svc
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(page.router)
    app.add_middleware(BodyLimits, max_bytes=settings.max_body_bytes,
                       timeout_s=settings.body_timeout_s)
    app.add_middleware(AccessLog)
    app.openapi = lambda: openapi_with_schemas(app, svc)  # type: ignore[method-assign]
    return app
