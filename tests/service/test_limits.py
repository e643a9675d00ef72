"""Per-tenant limits: a tenant runs at most ``max_running_per_tenant`` jobs at once (its
others wait their turn while other tenants' jobs run); one job beyond
``max_queued_per_tenant`` waiting or running answers 429 with Retry-After.  And the
settings reach the server from ``optikit serve`` options and from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from optikit.cli import cli
from optikit.service.app import create_app
from optikit.service.settings import Settings, SettingsError, settings_from_env
from tests.service.conftest import TOY, serve


def test_running_limit_queues_and_queue_limit_answers_429(toy_plugins: Path,
                                                          tmp_path: Path) -> None:
    server = serve(Settings(db=str(tmp_path / "jobs.sqlite"), workers=2,
                            max_running_per_tenant=1, max_queued_per_tenant=2,
                            kill_margin_s=0.5))
    served = next(server)
    try:
        a1 = served.submit(time_limit=20, option="sleep=15")
        served.wait(a1, until=("running",))
        a2 = served.submit(time_limit=20, option="sleep=15")
        b1 = served.submit(tenant="globex", time_limit=20, option="sleep=15")
        # b1, queued after a2, runs on the free worker: a2 waits for acme's limit only
        assert served.wait(b1, tenant="globex", until=("running",))["status"] == "running"
        assert served.wait(a2, timeout=0)["status"] == "queued"
        refused = served.client.post("/v1/jobs", json=TOY, params={"time_limit": 5},
                                     headers=served.auth())
        assert refused.status_code == 429, refused.text
        body = refused.json()
        assert body["field"] == "jobs" and "2 waiting or running" in body["error"]
        assert 1 <= int(refused.headers["retry-after"]) <= 20  # a1 ends by its time limit
        assert served.submit(tenant="globex", time_limit=5)  # globex has room still
        for job_id, who in ((a2, "acme"), (a1, "acme"), (b1, "globex")):
            served.client.delete(f"/v1/jobs/{job_id}", headers=served.auth(who))
        assert served.submit(time_limit=5)  # stopped jobs leave the queue
    finally:
        server.close()


def _serve_app(args: list[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.setdefault("app", app))
    result = CliRunner().invoke(cli, ["serve", *args])
    return result, seen.get("app")


def test_serve_options_set_the_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "s.sqlite")
    result, app = _serve_app(["--db", db, "--max-running-per-tenant", "1",
                              "--max-queued-per-tenant", "7"], monkeypatch)
    assert result.exit_code == 0, result.output
    settings = app.state.service.settings
    assert (settings.max_running_per_tenant, settings.max_queued_per_tenant) == (1, 7)
    bad, _ = _serve_app(["--db", db, "--max-running-per-tenant", "0"], monkeypatch)
    assert bad.exit_code == 2 and "--max-running-per-tenant" in bad.output
    # a setting not given as an option comes from the environment; an option wins
    monkeypatch.setenv("OPTIKIT_SERVICE_MAX_QUEUED_PER_TENANT", "9")
    monkeypatch.setenv("OPTIKIT_SERVICE_SERVER_STALE_S", "12")
    result, app = _serve_app(["--db", db, "--max-running-per-tenant", "1"], monkeypatch)
    settings = app.state.service.settings
    assert (settings.max_running_per_tenant, settings.max_queued_per_tenant,
            settings.server_stale_s) == (1, 9, 12.0)
    _, app = _serve_app(["--db", db, "--max-queued-per-tenant", "7"], monkeypatch)
    assert app.state.service.settings.max_queued_per_tenant == 7
    monkeypatch.setenv("OPTIKIT_SERVICE_MAX_QUEUED_PER_TENANT", "lots")
    bad, _ = _serve_app(["--db", db], monkeypatch)
    assert bad.exit_code == 2 and "OPTIKIT_SERVICE_MAX_QUEUED_PER_TENANT" in bad.output
    assert "Traceback" not in bad.output


def test_every_setting_from_the_environment(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"OPTIKIT_SERVICE_DB": str(tmp_path / "e.sqlite"), "OPTIKIT_SERVICE_WORKERS": "3",
           "OPTIKIT_SERVICE_MAX_RUNNING_PER_TENANT": "1",
           "OPTIKIT_SERVICE_MAX_TIME_LIMIT": "90.5", "OPTIKIT_SERVICE_EXECUTOR": "dask",
           "OPTIKIT_SERVICE_SCHEDULER": "tcp://10.0.0.5:8786"}
    settings = settings_from_env(env)
    assert (settings.workers, settings.max_running_per_tenant, settings.max_time_limit,
            settings.executor, settings.scheduler) == (3, 1, 90.5, "dask", "tcp://10.0.0.5:8786")
    assert settings.max_queued_per_tenant == Settings.max_queued_per_tenant
    for name, value, says in (("WORKERS", "two", "whole number"),
                              ("MAX_TIME_LIMIT", "-1", "above 0"),
                              ("EXECUTOR", "ray", "'local' or 'dask'")):
        with pytest.raises(SettingsError, match=f"OPTIKIT_SERVICE_{name}: .*{says}"):
            settings_from_env({**env, f"OPTIKIT_SERVICE_{name}": value})
    with pytest.raises(SettingsError, match="OPTIKIT_SERVICE_SCHEDULER"):
        settings_from_env({"OPTIKIT_SERVICE_EXECUTOR": "dask"})
    for key, value in env.items():  # uvicorn --factory optikit.service.app:create_app
        if key not in ("OPTIKIT_SERVICE_EXECUTOR", "OPTIKIT_SERVICE_SCHEDULER"):
            monkeypatch.setenv(key, value)
    app = create_app()
    assert app.state.service.settings.workers == 3
    assert app.state.service.store.url == env["OPTIKIT_SERVICE_DB"]
    app.state.service.store.close()
    monkeypatch.setenv("OPTIKIT_SERVICE_WORKERS", "two")
    with pytest.raises(SystemExit) as stopped:  # one line on stderr, no traceback
        create_app()
    assert stopped.value.code == 2
