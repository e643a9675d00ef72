"""What an ``optikit serve`` deployment may change, with defaults for a laptop."""

from __future__ import annotations

from dataclasses import dataclass


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
    max_running_per_tenant: int = 2
    max_attempts: int = 2
    """How often a job is started before a restart during its run fails it for good."""
    kill_margin_s: float = 5.0
    """Beyond limit + grace, what a worker may spend receiving and checking a job before
    it is killed."""
    result_ttl_s: float = 7 * 24 * 3600.0
    retry_after_s: int = 5
    page_size_max: int = 200
