"""``optikit serve`` and ``optikit keys``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

import click

from optikit.cli.app import fail
from optikit.service.settings import Settings

DB_HELP = "Job store: a SQLite file, or postgresql://user@host/db."


def _stamp(value: float | None) -> str:
    if value is None:
        return "-"
    return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _default(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--db", show_default=_default(Settings.db), help=DB_HELP)
@click.option("--workers", type=click.IntRange(1, 256), show_default=_default(Settings.workers),
              help="Jobs solved at once (one worker process each).")
@click.option("--executor", type=click.Choice(["local", "dask"]),
              show_default=_default(Settings.executor),
              help="Solve in local worker processes or on a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786), for --executor dask.")
@click.option("--max-time-limit", type=click.FloatRange(min=1),
              show_default=_default(Settings.max_time_limit),
              help="Largest time_limit a job may ask for (seconds).")
@click.option("--max-body-mb", type=click.FloatRange(min=0.001),
              show_default=_default(Settings.max_body_bytes / 1024 / 1024),
              help="Largest request body (413 above it).")
@click.option("--result-ttl-hours", type=click.FloatRange(min=0.001),
              show_default=_default(Settings.result_ttl_s / 3600),
              help="Finished jobs are deleted after this long.")
@click.option("--max-running-per-tenant", type=click.IntRange(min=1),
              show_default=_default(Settings.max_running_per_tenant),
              help="A tenant's jobs solved at once; its others wait in the queue.")
@click.option("--max-queued-per-tenant", type=click.IntRange(min=1),
              show_default=_default(Settings.max_queued_per_tenant),
              help="A tenant's jobs in the queue, waiting or running; one more answers 429 "
                   "with Retry-After.")
def serve_command(host: str, port: int, max_body_mb: float | None,
                  result_ttl_hours: float | None, **given: Any) -> None:
    """Serve the HTTP API and the web page (needs the extra: pip install 'optikit[serve]').

    Every setting not given as an option comes from its OPTIKIT_SERVICE_<NAME> variable
    when that is set (docs/service.md lists them)."""
    from optikit.service.settings import SettingsError, settings_from_env

    try:
        base = settings_from_env()
    except SettingsError as exc:
        fail(str(exc))
    overrides = {name: value for name, value in given.items() if value is not None}
    if max_body_mb is not None:
        overrides["max_body_bytes"] = int(max_body_mb * 1024 * 1024)
    if result_ttl_hours is not None:
        overrides["result_ttl_s"] = result_ttl_hours * 3600.0
    settings = dataclasses.replace(base, **overrides)
    if settings.executor == "dask" and not settings.scheduler:
        fail("--executor dask needs --scheduler ADDRESS (an existing Dask scheduler)")
    if given["scheduler"] and settings.executor != "dask":
        fail("--scheduler is for --executor dask")
    try:
        import uvicorn

        from optikit.service.app import create_app
    except ImportError as exc:
        fail(f"optikit serve needs the serve extra ({exc.name} is missing): "
             "pip install 'optikit[serve]'")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(name)s: %(message)s")
    app = create_app(settings)
    # Our access log is structured (one JSON object a line): uvicorn's own is left out.
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False,
                timeout_keep_alive=5)


@click.group("keys")
def keys_group() -> None:
    """Tenants' API keys: add, list, revoke (the store keeps only hashes)."""


def _store(db: str):  # type: ignore[no-untyped-def]
    from optikit.service.store import open_store

    try:
        return open_store(db)
    except ImportError as exc:
        fail(f"{db}: needs {exc.name}: pip install 'optikit[serve]'")


@keys_group.command("add")
@click.argument("tenant")
@click.option("--db", default=Settings.db, show_default=True, help=DB_HELP,
              envvar="OPTIKIT_SERVICE_DB")
def keys_add(tenant: str, db: str) -> None:
    """Make a new API key for TENANT; the key is the last line (shown only this once)."""
    from optikit.service.keys import valid_tenant

    if not valid_tenant(tenant):
        fail(f"TENANT: {tenant[:80]!r} is not a tenant name (letters, digits, '_', '.', '-'; "
             "up to 64 characters)")
    record, key = _store(db).add_key(tenant)
    click.echo(f"key {record.key_id} for tenant {tenant} (store it now: it is not shown again)")
    click.echo(key)


@keys_group.command("list")
@click.option("--db", default=Settings.db, show_default=True, help=DB_HELP,
              envvar="OPTIKIT_SERVICE_DB")
def keys_list(db: str) -> None:
    """List keys: id, tenant, created, revoked (never the keys themselves)."""
    records = _store(db).list_keys()
    if not records:
        click.echo("no keys")
    for r in records:
        state = f"revoked {_stamp(r.revoked)}" if r.revoked else "active"
        click.echo(f"{r.key_id}  {r.tenant:<20}  created {_stamp(r.created)}  {state}")


@keys_group.command("revoke")
@click.argument("key_id")
@click.option("--db", default=Settings.db, show_default=True, help=DB_HELP,
              envvar="OPTIKIT_SERVICE_DB")
def keys_revoke(key_id: str, db: str) -> None:
    """Revoke the key KEY_ID (as `keys list` shows it); it stops working at once."""
    if not _store(db).revoke_key(key_id):
        fail(f"KEY_ID: no active key {key_id[:40]!r} (see 'optikit keys list')")
    click.echo(f"key {key_id} revoked")
