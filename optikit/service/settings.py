"""What an ``optikit serve`` deployment may change, with defaults for a laptop; and the
same settings read from ``OPTIKIT_SERVICE_*`` variables, for ``uvicorn --factory``."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass

ENV_PREFIX = "OPTIKIT_SERVICE_"


@dataclass(frozen=True)
class Settings:
    """Limits and wiring of one server."""

    db: str = "optikit-service.sqlite"
    workers: int = 2
    executor: str = "local"
    scheduler: str | None = None
    max_body_bytes: int = 20 * 1024 * 1024
    body_timeout_s: float = 30.0
    """A request body that has not arrived in full by then answers 408 (slow clients)."""
    default_time_limit: float = 60.0
    max_time_limit: float = 3600.0
    max_queued_per_tenant: int = 200
    """A tenant's jobs in the queue, waiting or running; one more answers 429."""
    max_running_per_tenant: int = 2
    """A tenant's jobs solved at once; the others wait their turn in the queue."""
    max_attempts: int = 2
    """How often a job is started before a restart during its run fails it for good."""
    kill_margin_s: float = 5.0
    """Beyond limit + grace, what a worker may spend receiving and checking a job before
    it is killed."""
    result_ttl_s: float = 7 * 24 * 3600.0
    heartbeat_s: float = 5.0
    """How often a server tells the store it is alive."""
    server_stale_s: float = 30.0
    """On a shared (PostgreSQL) store: a server silent this long is gone, and the jobs it
    ran go back to the queue for the others."""
    retry_after_s: int = 5
    """Retry-After of a 429 when none of the tenant's jobs runs yet."""


class SettingsError(ValueError):
    """An ``OPTIKIT_SERVICE_*`` variable that is not a valid setting (names it)."""


def env_name(setting: str) -> str:
    return ENV_PREFIX + setting.upper()


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``OPTIKIT_SERVICE_<NAME>`` (``OPTIKIT_SERVICE_DB``,
    ``OPTIKIT_SERVICE_WORKERS``, ...); a variable that is not set keeps the default."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in dataclasses.fields(Settings):
        name = env_name(f.name)
        text = environ.get(name)
        if text is None or not text.strip():
            continue
        values[f.name] = _parse(name, text.strip(), f.default)
    settings = Settings(**values)  # type: ignore[arg-type]
    if settings.executor not in ("local", "dask"):
        raise SettingsError(f"{env_name('executor')}: must be 'local' or 'dask', "
                            f"not {settings.executor!r}")
    if settings.executor == "dask" and not settings.scheduler:
        raise SettingsError(f"{env_name('executor')}=dask needs {env_name('scheduler')}")
    return settings


def _parse(name: str, text: str, default: object) -> object:
    if isinstance(default, bool) or not isinstance(default, int | float):
        return text
    kind = "a whole number" if isinstance(default, int) else "a number"
    try:
        value: float = int(text) if isinstance(default, int) else float(text)
    except ValueError:
        raise SettingsError(f"{name}: must be {kind}, not {text[:40]!r}") from None
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{name}: must be {kind} above 0, not {text[:40]!r}")
    return value
